"""Fixture loading for the page-parser tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse, TextResponse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_cases(page_type: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / page_type).iterdir() if (p / "meta.json").exists())


def load_case(case: Path) -> tuple[TextResponse, dict[str, Any], dict[str, Any]]:
    """(response, meta, expected) of one fixture folder."""
    meta = json.loads((case / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    body_file = next(case.glob("body.*"))
    response = HtmlResponse(
        url=meta["url"], body=body_file.read_bytes(), headers=meta.get("headers") or {}
    )
    return response, meta, expected

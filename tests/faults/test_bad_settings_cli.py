"""A bad setting stops ``scrapy crawl`` at start: one line, exit status 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("args, expected", [
    (["-s", "NEWSCRAWL_JS_ON_MISSING=maybe"], "NEWSCRAWL_JS_ON_MISSING must be one of"),
    (["-a", "max_articles=-3"], "NEWSCRAWL_MAX_ARTICLES must be at least 0"),
    (["-s", "NEWSCRAWL_DEDUPE_WINDOW=-1"], "NEWSCRAWL_DEDUPE_WINDOW must be at least 0"),
])
def test_bad_setting_gives_one_line(tmp_path: Path, args: list[str], expected: str) -> None:
    # a base URL nobody serves: the run must stop before any request anyway
    command = [sys.executable, "-m", "scrapy", "crawl", "kangnamtimes",
               "-a", "base_url=http://127.0.0.1:9/ja/", "-O", str(tmp_path / "out.jsonl"),
               "-s", f"NEWSCRAWL_STATE={tmp_path / 's.sqlite3'}",
               "-s", f"NEWSCRAWL_LOCK={tmp_path / 'lock'}", "-s", "LOG_LEVEL=WARNING", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "bad settings: " in errors[0] and expected in errors[0]
    assert not (tmp_path / "out.jsonl").exists()

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newscrawl.demosite.server import serve_in_thread
from newscrawl.demosite.truth import iter_truth
from tests.records import TruthRecord, as_truth

ARTICLES = 120


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    with serve_in_thread(articles=ARTICLES, seed=0, day=0) as url:
        yield url


@pytest.fixture(scope="session")
def truth(base_url: str) -> list[TruthRecord]:
    return as_truth(iter_truth(ARTICLES, 0, 0, base_url))

"""JavaScript rendering against the replica, with the real Chromium, through ``scrapy crawl``.

Each crawl is a subprocess, exactly as a user runs it; assertions are on the items written and
on the stats Scrapy dumps at the end, not on the exit code alone. The crawls are kept small
(``NEWSCRAWL_FOLLOW_BLOCKS`` narrowed to the block under test) so the module runs in seconds.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newscrawl.demo import crawl_command, read_jsonl, replica
from newscrawl.rendering.config import DEFAULT_CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(DEFAULT_CHROMIUM, os.X_OK),
                       reason=f"needs Chromium at {DEFAULT_CHROMIUM} (make setup installs it)"),
]

ARTICLES = 120
#: Each crawl on its own: no incremental state carried from one test's crawl to the next.
ISOLATED = {"NEWSCRAWL_STATE_ENABLED": "False"}
MISSING_LINE = ("JavaScript rendering needs Chromium at /nonexistent: not found — apt-get install "
                "chromium, or set NEWSCRAWL_CHROMIUM_PATH, or NEWSCRAWL_JS_ENABLED=0")


@dataclass
class Run:
    returncode: int
    log: str
    items: list[dict[str, Any]]
    stats: dict[str, Any]


def scrapy_stats(log: str) -> dict[str, Any]:
    """The dict Scrapy logs after ``Dumping Scrapy stats:``."""
    match = re.search(r"Dumping Scrapy stats:\n(\{.*?\})\n(?=\d{4}-\d\d-\d\d |\Z)", log, re.S)
    assert match, f"no stats in the log:\n{log[-3000:]}"
    # The dump is a dict literal but for its datetime values, which no test needs.
    literal = re.sub(r"datetime\.datetime\([^()]*(?:\([^()]*\)[^()]*)*\)", "None",
                     match.group(1))
    return dict(ast.literal_eval(literal))


def crawl(base_url: str, tmp: Path, *, js: bool, env: Mapping[str, str] | None = None,
          **settings: str) -> Run:
    output = tmp / f"out-{len(list(tmp.iterdir()))}.jsonl"
    settings = {**ISOLATED, **settings}
    done = subprocess.run(crawl_command(base_url, output, js=js, extra=settings),
                          capture_output=True, text=True, timeout=240,
                          env={**os.environ, **(env or {})})
    return Run(done.returncode, done.stderr, read_jsonl(output), scrapy_stats(done.stderr))


def ranking(base_url: str, range_: str) -> list[str]:
    """Article ids in rank order, from the replica's ranking JSON (what the script shows)."""
    with urllib.request.urlopen(f"{base_url}wp-json/kt/v1/ranking?range={range_}") as r:
        return [str(item["id"]) for item in json.load(r)["items"]]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with replica(ARTICLES) as url:
        yield url


def assert_no_page_left_open(stats: dict[str, Any]) -> None:
    assert stats.get("playwright/page_count", 0) >= 1
    assert stats.get("playwright/page_count/closed") == stats["playwright/page_count"]
    assert stats.get("playwright/page_count/max_concurrent", 0) <= 4
    assert stats.get("playwright/context_count/max_concurrent", 0) <= 1


def test_ranking_articles_are_found_only_with_javascript(base_url: str, tmp_path: Path) -> None:
    without = crawl(base_url, tmp_path, js=False, NEWSCRAWL_FOLLOW_BLOCKS="ranking")
    with_js = crawl(base_url, tmp_path, js=True, NEWSCRAWL_FOLLOW_BLOCKS="ranking")

    assert without.items == []
    assert not any(key.startswith(("playwright/", "newscrawl/js/")) for key in without.stats)
    assert "Starting download handler" not in without.log  # no browser without NEWSCRAWL_JS_ENABLED

    daily, weekly = ranking(base_url, "daily"), ranking(base_url, "weekly")
    by_id = {item["article_id"]: item for item in with_js.items}
    assert set(by_id) == set(daily) | set(weekly), with_js.log[-3000:]
    for range_, ids in (("daily", daily), ("weekly", weekly)):
        for rank, article_id in enumerate(ids, 1):
            via = by_id[article_id]["discovered_via"]
            if article_id in daily and range_ == "weekly":
                continue  # reached first through the daily list
            assert (via["block"], via["range"], via["position"]) == ("ranking", range_, rank)
            assert via["from_url"] == f"{base_url}ranking/"
    # only the ranking page needs the browser; every article page was plain HTTP
    assert with_js.stats["newscrawl/js/rendered"] == 1
    assert with_js.stats.get("newscrawl/js/errors", 0) == 0
    assert with_js.stats["downloader/response_count"] > len(with_js.items)
    assert_no_page_left_open(with_js.stats)


def category_size(base_url: str, category: str, first_page: int = 20) -> int:
    """Articles a category lists in all: the server-rendered page, then the posts JSON."""
    total, offset = first_page, first_page
    while offset is not None:
        with urllib.request.urlopen(
                f"{base_url}wp-json/kt/v1/posts?category={category}&offset={offset}") as r:
            chunk = json.load(r)
        total += len(chunk["items"])
        offset = chunk["next_offset"]
    return total


def test_load_more_reaches_the_configured_depth(base_url: str, tmp_path: Path) -> None:
    want, per_click = 31, 10  # 20 server-rendered, then 10 per click
    total = category_size(base_url, "report")
    assert total > want - per_click, "the replica's category is too small for this test"
    expected = min(total, 20 + per_click * -(-(want - 20) // per_click))
    run = crawl(base_url, tmp_path, js=True, NEWSCRAWL_FOLLOW_BLOCKS="category",
                NEWSCRAWL_JS_CATEGORY_ITEMS=str(want), NEWSCRAWL_JS_CATEGORIES="report",
                NEWSCRAWL_JS_MAX_PAGES="2")
    stats = run.stats
    assert stats["newscrawl/js/category/report/links"] == expected, run.log[-3000:]
    assert stats["newscrawl/js/load_more_clicks"] == -(-(expected - 20) // per_click)
    assert stats["newscrawl/js/rendered"] == 2  # the ranking page and the category page
    # every link found was followed (the pipelines may still drop republished copies)
    assert stats["newscrawl/spider/links/category"] == expected
    assert any(i["discovered_via"]["block"] == "category" for i in run.items)
    assert_no_page_left_open(stats)


@pytest.mark.parametrize("chromium, problem", [
    ("/nonexistent", "not found"),
    ("/bin/false", "failed to start"),  # exists, but no browser starts
])
def test_missing_browser_says_so_and_fails(base_url: str, tmp_path: Path, chromium: str,
                                           problem: str) -> None:
    run = crawl(base_url, tmp_path, js=True, env={"NEWSCRAWL_CHROMIUM": chromium})
    lines = [line for line in run.log.splitlines()
             if "JavaScript rendering needs Chromium at" in line]
    assert len(lines) == 1, run.log[-3000:]
    assert f"at {chromium}: {problem}" in lines[0]
    if chromium == "/nonexistent":
        assert lines[0].endswith(MISSING_LINE)
    assert run.stats["finish_reason"] == "js_unavailable"
    assert run.stats["newscrawl/js/unavailable"] == 1
    assert run.items == []
    assert run.returncode != 0  # the crawl command judges the finish reason
    assert "Traceback" not in run.log


def test_missing_browser_can_be_tolerated(base_url: str, tmp_path: Path) -> None:
    run = crawl(base_url, tmp_path, js=True, env={"NEWSCRAWL_CHROMIUM": "/nonexistent"},
                NEWSCRAWL_JS_ON_MISSING="continue", NEWSCRAWL_FOLLOW_BLOCKS="latest",
                NEWSCRAWL_MAX_ARTICLES="3")
    assert run.returncode == 0
    assert run.stats["newscrawl/js/unavailable"] == 1
    assert run.stats["finish_reason"] == "max_articles"
    assert len(run.items) == 3
    assert "continuing without JavaScript" in run.log
    assert not any(key.startswith("playwright/") for key in run.stats)


def test_a_resumed_job_still_reads_the_rankings(base_url: str, tmp_path: Path) -> None:
    """With JOBDIR, the second run of the same command (a resume) finds the ranking page
    already in the persisted duplicate filter; the listing must be read all the same."""
    def job() -> Run:
        return crawl(base_url, tmp_path, js=True, JOBDIR=str(tmp_path / "job"),
                     NEWSCRAWL_JS_TIMEOUT_SECONDS="10", NEWSCRAWL_FOLLOW_BLOCKS="ranking")

    first = job()
    assert first.returncode == 0, first.log[-3000:]
    again = job()
    assert again.returncode == 0, again.log[-3000:]
    assert again.stats.get("newscrawl/js/ranking/daily") == 10
    assert "ranking page not parsed" not in again.log

"""A callback that raises costs its page only: one error line naming the page and the
exception, no traceback, a reject for an article page, and the crawl goes on
(:mod:`newscrawl.middlewares.failures`)."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.demo import truth
from newscrawl.demosite.server import DemoServer
from newscrawl.pages import article, listing
from newscrawl.spiders import kangnamtimes
from tests.inprocess import crawl, serving

ARTICLES = 40


@pytest.fixture(scope="module")
def replica() -> Iterator[DemoServer]:
    with serving(articles=ARTICLES) as server:
        yield server


def no_traceback(caplog: pytest.LogCaptureFixture) -> bool:
    return not any(r.exc_info or "Traceback" in r.getMessage() for r in caplog.records
                   if r.levelno > logging.DEBUG)


def test_an_article_page_whose_callback_raises_is_rejected_and_the_crawl_goes_on(
        replica: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """Past the parser (whose failures the spider rejects itself): the code that turns a
    parsed page into its article and links."""
    alone = crawl(tmp_path / "alone", replica.base_url)
    expected = truth(replica.base_url, ARTICLES)
    victim = next(i for i in sorted(str(item.article_id) for item in alone.items)
                  if not expected[i].get("near_duplicate_of")
                  and i not in {t.get("near_duplicate_of") for t in expected.values()})
    output = kangnamtimes.KangnamTimesSpider._article_output

    def output_or_bug(self: Any, parsed: Any, response: Any, via: Any) -> Iterator[Any]:
        if response.url.endswith(f"/article/{victim}"):
            raise ValueError("an article the code never saw")
        return output(self, parsed, response, via)

    monkeypatch.setattr(kangnamtimes.KangnamTimesSpider, "_article_output", output_or_bug)
    caplog.set_level(logging.INFO)
    run = crawl(tmp_path / "failing", replica.base_url)
    assert run.rejects_by_id().get(victim) == ["parser_failed"]
    detail = next(r["detail"] for r in run.rejects if r["article_id"] == victim)
    assert detail.startswith("ValueError: an article the code never saw at test_callback_")
    assert run.stats["newscrawl/spider/callback_failed"] == 1
    assert run.stats["log_count/ERROR"] == 1
    assert not run.stats.get("spider_exceptions/count")
    assert no_traceback(caplog)
    # the article's links were not followed: its own line is what is missing, nothing else
    written = {item.article_id for item in run.items}
    assert victim not in written
    assert written <= {item.article_id for item in alone.items}


def test_a_listing_page_that_raises_is_one_error_line_and_the_sitemaps_go_on(
        replica: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: Any) -> list[Any]:
        raise IndexError("a home page the code never saw")

    monkeypatch.setattr(kangnamtimes, "parse_listing", broken)
    assert listing.parse_listing is not broken
    caplog.set_level(logging.INFO)
    run = crawl(tmp_path / "failing", replica.base_url)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith(f"Parsing {replica.base_url} failed: ")
    assert "IndexError: a home page the code never saw" in errors[0]
    assert run.stats["newscrawl/spider/callback_failed"] == 1
    assert no_traceback(caplog)
    assert run.rejects == []  # not an article: nothing to reject
    assert run.items, "the sitemaps still led to the articles"


def test_a_parse_past_the_time_limit_in_the_crawl_process_is_rejected_and_the_crawl_goes_on(
        replica: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """A parse caught in a loop is interrupted at NEWSCRAWL_PARSE_TIMEOUT_SECONDS, its page
    rejected as parser_timeout; every other article is written."""
    alone = crawl(tmp_path / "alone", replica.base_url)
    expected = truth(replica.base_url, ARTICLES)
    victim = next(i for i in sorted(str(item.article_id) for item in alone.items)
                  if not expected[i].get("near_duplicate_of")
                  and i not in {t.get("near_duplicate_of") for t in expected.values()})
    looped = []

    def stuck_on_victim(response: Any, *args: Any, **kwargs: Any) -> Any:
        if response.url.endswith(f"/article/{victim}"):
            looped.append(response.url)
            for _ in range(600):  # a minute at most, should the limit not hold
                time.sleep(0.1)
        return article.parse_article(response, *args, **kwargs)

    monkeypatch.setattr(kangnamtimes, "parse_article", stuck_on_victim)
    caplog.set_level(logging.INFO)
    run = crawl(tmp_path / "stuck", replica.base_url, NEWSCRAWL_PARSE_TIMEOUT_SECONDS=0.5)
    assert looped
    assert run.rejects_by_id().get(victim) == ["parser_timeout"]
    detail = next(r["detail"] for r in run.rejects if r["article_id"] == victim)
    assert detail == "parsing took more than 0.5 s (NEWSCRAWL_PARSE_TIMEOUT_SECONDS)"
    assert no_traceback(caplog)
    written = {item.article_id for item in run.items}
    assert victim not in written
    assert written <= {item.article_id for item in alone.items}
    assert signal.getitimer(signal.ITIMER_REAL)[0] > 1  # pytest-timeout's alarm is still set

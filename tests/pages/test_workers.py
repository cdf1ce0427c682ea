"""Article pages parsed in worker processes (``NEWSCRAWL_PARSE_PROCESSES``): a crawl writes the
replica's truth and the same articles as without them, and a page that kills its worker, or
holds it past the time limit, is rejected alone while the pages the worker held are parsed
again. A page the parser raises on is rejected as ``parser_failed``, with or without workers,
and the crawl goes on."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from newscrawl.demo import truth
from newscrawl.demosite.server import DemoServer
from newscrawl.items import Article, DiscoveredVia
from newscrawl.pages import article
from newscrawl.pages.article import PageFailed
from newscrawl.pages.page import Page as Tree
from newscrawl.pages.workers import Page, Parsed, ParserPool, parse_page
from newscrawl.spiders import kangnamtimes
from newscrawl.urls import Site
from tests.inprocess import Run, crawl, serving
from tests.pages import crashing_worker
from tests.pages.crashing_worker import BLOAT_MB, LATE_SECONDS
from tests.support import built_crawler, spider_of

ARTICLES = 60
CRASHING = (sys.executable, "-m", "tests.pages.crashing_worker", "exit")
HANGING = (sys.executable, "-m", "tests.pages.crashing_worker", "hang")
RAISING = (sys.executable, "-m", "tests.pages.crashing_worker", "raise")
BLOATING = (sys.executable, "-m", "tests.pages.crashing_worker", "bloat")
LATE = (sys.executable, "-m", "tests.pages.crashing_worker", "late", "-")
SITE = Site("https://www.kangnamtimes.com/ja/")


@pytest.fixture(scope="module")
def replica() -> Iterator[DemoServer]:
    with serving(articles=ARTICLES) as server:
        yield server


def test_a_crawl_with_a_parser_process_writes_the_truth(replica: DemoServer,
                                                        tmp_path: Path) -> None:
    run = crawl(tmp_path / "workers", replica.base_url, NEWSCRAWL_PARSE_PROCESSES=1)
    alone = crawl(tmp_path / "alone", replica.base_url)
    expected = truth(replica.base_url, ARTICLES)
    assert run.stats["newscrawl/parser/parsed_in_worker"] > len(run.items) // 2
    assert sorted(item.article_id for item in run.items) == sorted(
        item.article_id for item in alone.items)
    assert run.stats.get("newscrawl/template/observed") == alone.stats.get(
        "newscrawl/template/observed")  # the learner saw the same pages

    def fields(item: Article) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(item).items()
                if k not in ("crawled_at", "discovered_via")}

    assert {i.article_id: fields(i) for i in run.items} == {
        i.article_id: fields(i) for i in alone.items}
    for item in run.items:
        want = expected[item.article_id]
        assert (item.headline, item.authors, item.date_published, item.body) == (
            want["headline"], want["authors"], want["date_published"], want["body"])


def page(number: int) -> Page:
    html = (f"<html><head><title>記事{number}</title></head><body><h1>見出し{number}</h1>"
            f"<div class='entry-content'><p>本文の{number}番目の段落です。</p></div></body></html>")
    return (f"{SITE.base_url}news/article/{number}", html.encode(), b"text/html; charset=utf-8",
            None)


async def parse_all(pool: ParserPool, pages: list[Page]) -> list[Parsed | BaseException]:
    try:
        return await asyncio.gather(*(pool.parse(*p) for p in pages), return_exceptions=True)
    finally:
        await pool.close()


def assert_parsed_but(results: list[Parsed | BaseException], pages: list[Page],
                      failed: Page | None) -> None:
    """Every page but ``failed`` parsed as in this process."""
    for result, sent in zip(results, pages, strict=True):
        if sent is not failed:
            assert not isinstance(result, BaseException), result
            assert result[0].article == parse_page(SITE, sent)[0].article
            assert result[0].article.headline == f"見出し{sent[0].rsplit('/', 1)[1]}"


def test_the_pages_a_dying_worker_held_are_parsed_again_alone() -> None:
    pages = [page(n) for n in (11, 12, 13, 14, 15)]
    pool = ParserPool(SITE, 1, command=(*CRASHING, "/article/13"))
    results = asyncio.run(parse_all(pool, pages))
    failed = results[2]  # the page that kills its worker, alone too
    assert isinstance(failed, PageFailed) and failed.reason == "parser_crashed"
    assert pool.died >= 2 and pool.timed_out == 0
    assert_parsed_but(results, pages, pages[2])


def test_a_worker_past_the_time_limit_is_stopped_and_its_pages_parsed_again() -> None:
    """The page that holds its worker past the limit is given up once it does so alone; the
    pages queued behind it are parsed by new workers. The limit counts from when the worker
    is ready and on the page, so a worker's start-up never counts against it."""
    pages = [page(n) for n in (11, 12, 13, 14, 15)]
    pool = ParserPool(SITE, 1, limit=1.0, command=(*HANGING, "/article/13"))
    results = asyncio.run(asyncio.wait_for(parse_all(pool, pages), 60))  # no limit: fails
    failed = results[2]
    assert isinstance(failed, PageFailed) and failed.reason == "parser_timeout"
    assert "more than 1 s" in failed.detail
    assert pool.timed_out == 2  # shared, then alone
    assert_parsed_but(results, pages, pages[2])


def test_a_page_the_parser_raises_on_in_a_worker_is_given_up_alone() -> None:
    pages = [page(n) for n in (11, 12, 13, 14)]
    pool = ParserPool(SITE, 1, command=(*RAISING, "/article/13"))
    results = asyncio.run(parse_all(pool, pages))
    failed = results[2]
    assert isinstance(failed, PageFailed) and failed.reason == "parser_failed"
    assert failed.detail.startswith("RuntimeError: no parser for https://")
    source = Path(crashing_worker.__file__).read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(source, 1) if "raise RuntimeError" in text)
    assert failed.detail.endswith(f" at crashing_worker.py:{line}")  # the line that raised
    assert "Traceback" in failed.traceback
    assert pool.died == 0  # the worker goes on
    assert_parsed_but(results, pages, pages[2])


def test_a_page_that_outgrows_the_memory_cap_is_given_up_and_the_worker_goes_on() -> None:
    pages = [page(n) for n in (11, 12, 13, 14)]
    pool = ParserPool(SITE, 1, memory_mb=BLOAT_MB // 2, command=(*BLOATING, "/article/13"))
    results = asyncio.run(parse_all(pool, pages))
    failed = results[2]
    assert isinstance(failed, PageFailed) and failed.reason == "parser_failed"
    assert failed.detail.startswith("MemoryError")
    assert pool.died == 0  # the worker goes on
    assert_parsed_but(results, pages, pages[2])


def test_a_worker_slow_to_start_is_not_held_to_the_limit() -> None:
    pages = [page(n) for n in (11, 12, 13)]
    pool = ParserPool(SITE, 1, limit=LATE_SECONDS / 4, command=LATE)
    results = asyncio.run(parse_all(pool, pages))
    assert pool.died == 0
    assert_parsed_but(results, pages, None)


def original_article(items: list[Article], expected: dict[str, dict[str, Any]]) -> str:
    """A written article that is no copy and has none: rejecting it changes no other line."""
    copied = {t.get("near_duplicate_of") for t in expected.values()}
    return next(article_id for article_id in sorted(str(item.article_id) for item in items)
                if article_id not in copied and not expected[article_id].get("near_duplicate_of"))


def one_page_fails(replica: DemoServer, tmp_path: Path, fail_on: Callable[[str], None],
                   **settings: Any) -> tuple[Run, str]:
    """A crawl in which the parse of one original article fails (``fail_on(article_id)`` makes
    it so), checked to write every other article of a crawl without the failure; the run and
    that article's id."""
    alone = crawl(tmp_path / "alone", replica.base_url)
    victim = original_article(alone.items, truth(replica.base_url, ARTICLES))
    fail_on(victim)
    run = crawl(tmp_path / "failing", replica.base_url, **settings)
    assert sorted(item.article_id for item in run.items) == sorted(
        item.article_id for item in alone.items if item.article_id != victim)
    return run, victim


def stand_in(monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
             ) -> Callable[[str], None]:
    """Parse workers run as the stand-in ``command``, failing on the article given."""
    def fail_on(victim: str) -> None:
        monkeypatch.setattr(kangnamtimes, "ParserPool", functools.partial(
            ParserPool, command=(*command, f"/article/{victim}")))
    return fail_on


def test_a_page_that_kills_its_parser_is_rejected_and_the_crawl_goes_on(
        replica: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run, victim = one_page_fails(replica, tmp_path, stand_in(monkeypatch, CRASHING),
                                 NEWSCRAWL_PARSE_PROCESSES=1)
    assert run.rejects_by_id().get(victim) == ["parser_crashed"]
    assert run.stats["newscrawl/rejects/parser_crashed"] == 1


@pytest.mark.slow
def test_a_page_that_holds_its_parser_past_the_limit_is_rejected_and_the_crawl_goes_on(
        replica: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run, victim = one_page_fails(replica, tmp_path, stand_in(monkeypatch, HANGING),
                                 NEWSCRAWL_PARSE_PROCESSES=1, NEWSCRAWL_PARSE_TIMEOUT_SECONDS=2)
    assert run.rejects_by_id().get(victim) == ["parser_timeout"]
    assert run.stats["newscrawl/rejects/parser_timeout"] == 1


def test_a_member_without_workers_parses_what_a_member_with_them_queued(tmp_path: Path) -> None:
    """In a cluster, a request queued by a worker with ``NEWSCRAWL_PARSE_PROCESSES`` names
    ``parse_article_in_worker``; a member without parse processes parses it in process."""
    crawler = built_crawler(tmp_path, NEWSCRAWL_BASE_URL=SITE.base_url)
    spider = spider_of(crawler)
    assert isinstance(spider, kangnamtimes.KangnamTimesSpider)
    url, body, content_type, _ = page(21)
    response = HtmlResponse(url, body=body, headers={"Content-Type": content_type or b""})
    via: DiscoveredVia = {"block": "related", "position": 1, "from_url": SITE.base_url}

    async def queued() -> list[Any]:
        return [output async for output in spider.parse_article_in_worker(response, via)]

    articles = [o for o in asyncio.run(queued()) if isinstance(o, Article)]
    assert [(a.article_id, a.headline, a.body) for a in articles] == [("21", "見出し21",
                                                                      "本文の21番目の段落です。")]


@pytest.mark.parametrize("processes", [0, 1])
def test_a_page_the_parser_raises_on_is_rejected_and_the_crawl_goes_on(
        replica: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        processes: int) -> None:
    """A parser bug that one page's markup finds costs that page, as a reject with the
    exception in one line, not the crawl's other pages (nor a traceback in the log)."""
    def in_this_process(victim: str) -> None:
        tags = article.FIELDS["tags"]

        def tags_or_bug(found: Tree) -> Any:
            if found.url.endswith(f"/article/{victim}"):
                raise KeyError("a theme the parser never saw")
            return tags(found)

        monkeypatch.setitem(article.FIELDS, "tags", tags_or_bug)

    fail_on = stand_in(monkeypatch, RAISING) if processes else in_this_process
    run, victim = one_page_fails(replica, tmp_path, fail_on,
                                 NEWSCRAWL_PARSE_PROCESSES=processes)
    assert run.rejects_by_id().get(victim) == ["parser_failed"]
    detail = next(r["detail"] for r in run.rejects if r["article_id"] == victim)
    assert detail.startswith("RuntimeError: no parser for" if processes else
                             "KeyError: 'a theme the parser never saw' at test_workers.py:")
    assert run.stats["log_count/ERROR"] == 1  # the run fails loudly (NEWSCRAWL_FAIL_ON_ERROR)
    assert not run.stats.get("spider_exceptions/count")

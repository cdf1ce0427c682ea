"""The thin components over the state: keeper, incremental middleware, state pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from pydispatch import dispatcher
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, IgnoreRequest
from scrapy.extensions.feedexport import FeedExporter
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from newscrawl.extensions.state import CrawlStateKeeper
from newscrawl.fingerprint import ARTICLE_ID_META
from newscrawl.items import Article
from newscrawl.middlewares.incremental import (
    DECISION_META,
    LISTING_MODIFIED_META,
    IncrementalMiddleware,
    IncrementalSpiderMiddleware,
)
from newscrawl.state import ArticleState, content_hash

BASE = "http://127.0.0.1:8765/ja/"


class NamedSpider(Spider):
    name = "kangnamtimes"


def make_crawler(tmp_path: Path, **settings: Any) -> Crawler:
    crawler = get_crawler(NamedSpider, {
        "NEWSCRAWL_STATE_ENABLED": True, "NEWSCRAWL_STATE_BACKEND": "sqlite",
        "NEWSCRAWL_STATE_PATH": str(tmp_path / "state-%(name)s.sqlite3"),
        "NEWSCRAWL_BASE_URL": BASE, "NEWSCRAWL_FULL_CRAWL_ENABLED": False,
        "NEWSCRAWL_RECRAWL_WINDOW_HOURS": 24,
        "FEEDS": {str(tmp_path / "out" / "%(time)s.jsonl"): {"format": "jsonl-atomic"}},
        "FEED_EXPORTERS": {"jsonl-atomic": "newscrawl.exporters.AtomicJsonLinesItemExporter"},
        "EXTENSIONS": {"newscrawl.extensions.state.CrawlStateKeeper": 520},
        **settings,
    })
    crawler.spider = crawler._create_spider()
    crawler._apply_settings()
    return crawler


@pytest.fixture
def crawler(tmp_path: Path) -> Iterator[Crawler]:
    crawler = make_crawler(tmp_path)
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.spider_opened()
    yield crawler
    keeper.spider_closed()


def article(article_id: str = "1", body: str = "本文") -> Article:
    return Article(url=f"{BASE}report/article/{article_id}", article_id=article_id,
                   headline="見出し", body=body, date_published="2025-12-12T09:10:00+09:00")


def request(article_id: str = "1", **meta: Any) -> Request:
    return Request(f"{BASE}report/article/{article_id}",
                   meta={ARTICLE_ID_META: article_id, **meta})


def test_the_keeper_connects_after_the_feed_exporter(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path)
    receivers = dispatcher.liveReceivers(
        dispatcher.getAllReceivers(crawler.signals.sender, signals.item_scraped))
    owners = [getattr(r, "__self__", None) for r in receivers]
    kinds = [type(o) for o in owners if isinstance(o, FeedExporter | CrawlStateKeeper)]
    assert kinds == [FeedExporter, CrawlStateKeeper]
    assert crawler.get_extension(CrawlStateKeeper) is not None


def test_the_keeper_records_a_scraped_article(crawler: Crawler) -> None:
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.note_validators("1", '"etag-1"', "Fri, 12 Dec 2025 00:10:00 GMT")
    keeper.item_scraped(article())
    stored = keeper.get("1")
    assert stored is not None
    assert stored.content_hash == content_hash(asdict(article()))
    assert (stored.etag, stored.version) == ('"etag-1"', 1)
    assert crawler.stats.get_value("newscrawl/state/recorded") == 1


def test_the_middleware_skips_known_articles(crawler: Crawler) -> None:
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.item_scraped(article("1"))
    middleware = IncrementalMiddleware(crawler)
    assert middleware.process_request(request("2")) is None  # unknown: fetched
    with pytest.raises(IgnoreRequest):
        middleware.process_request(request("1"))
    assert middleware.process_request(Request(BASE)) is None  # not an article
    assert crawler.stats.get_value("newscrawl/incremental/skipped") == 1
    assert crawler.stats.get_value("newscrawl/incremental/fetched") == 1


def test_the_spider_middleware_drops_skipped_requests_before_the_scheduler(
        crawler: Crawler) -> None:
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.item_scraped(article("1"))
    middleware = IncrementalSpiderMiddleware(crawler)
    assert middleware.get_processed_request(request("1"), None) is None
    newer = request("1", **{LISTING_MODIFIED_META: "2026-01-01T00:00:00+09:00"})
    assert middleware.get_processed_request(newer, None) is newer
    # The downloader middleware keeps the decision taken upstream, counted once.
    assert IncrementalMiddleware(crawler).process_request(newer) is None
    assert newer.headers.get(b"If-None-Match") is None  # no validators known
    assert crawler.stats.get_value("newscrawl/incremental/conditional") == 1
    assert crawler.stats.get_value("newscrawl/incremental/skipped") == 1


def test_the_middleware_asks_conditionally_and_drops_304(crawler: Crawler) -> None:
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.note_validators("1", '"etag-1"', "Fri, 12 Dec 2025 00:10:00 GMT")
    keeper.item_scraped(article("1"))
    middleware = IncrementalMiddleware(crawler)
    newer = request("1", **{LISTING_MODIFIED_META: "2026-01-01T00:00:00+09:00"})
    assert middleware.process_request(newer) is None
    assert newer.meta[DECISION_META] == "conditional"
    assert newer.headers[b"If-None-Match"] == b'"etag-1"'
    assert newer.headers[b"If-Modified-Since"] == b"Fri, 12 Dec 2025 00:10:00 GMT"
    with pytest.raises(IgnoreRequest):
        middleware.process_response(newer, Response(newer.url, status=304))
    assert crawler.stats.get_value("newscrawl/incremental/not_modified") == 1
    changed = Response(newer.url, status=200, headers={"ETag": '"etag-2"'})
    assert middleware.process_response(newer, changed) is changed
    keeper.item_scraped(article("1", body="新しい本文"))
    assert keeper.get("1").etag == '"etag-2"'  # type: ignore[union-attr]


def test_a_full_run_fetches_everything(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path, NEWSCRAWL_FULL_CRAWL_ENABLED=True)
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.spider_opened()
    keeper.item_scraped(article("1"))
    assert IncrementalMiddleware(crawler).process_request(request("1")) is None
    keeper.spider_closed()


def test_the_pipeline_versions_changes_and_drops_unchanged(crawler: Crawler) -> None:
    from newscrawl.pipelines.state import StatePipeline

    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    pipeline = StatePipeline(crawler)
    first = pipeline.process_item(article("1"))
    assert (first.version, first.updated) == (1, False)
    keeper.item_scraped(first)
    with pytest.raises(DropItem) as dropped:
        pipeline.process_item(article("1"))
    assert getattr(dropped.value, "reason", None) == "unchanged"
    second = pipeline.process_item(article("1", body="新しい本文"))
    assert (second.version, second.updated) == (2, True)
    assert crawler.stats.get_value("newscrawl/state/unchanged") == 1
    assert crawler.stats.get_value("newscrawl/state/updated") == 1


def test_the_state_survives_runs_and_reconciles_the_output(tmp_path: Path) -> None:
    """A line written but never recorded (kill between the two) is recorded by the next run."""
    out = tmp_path / "out"
    out.mkdir()
    line = Article(**{**asdict(article("9")), "crawled_at": "2026-11-25T09:00:00+00:00"})
    import json
    (out / "2026-11-25T09-00-00+00-00.jsonl").write_text(
        json.dumps(asdict(line), ensure_ascii=False) + "\n", encoding="utf-8")
    crawler = make_crawler(tmp_path)
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.spider_opened()
    assert keeper.get("9") == ArticleState(
        "9", content_hash(asdict(line)), 1, "2025-12-12T09:10:00+09:00", None,
        "2026-11-25T09:00:00+00:00", "2026-11-25T09:00:00+00:00", None, None)
    assert crawler.stats.get_value("newscrawl/state/reconciled") == 1
    keeper.spider_closed()


def test_copies_the_dedupe_dropped_are_remembered(crawler: Crawler) -> None:
    from newscrawl.pipelines.state import StatePipeline
    from newscrawl.rejects import Rejected

    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.item_scraped(article("1"))
    keeper.item_dropped(article("2"), Rejected("near_duplicate", duplicate_of="1"))
    keeper.item_dropped(article("3"), Rejected("missing_headline"))
    copy = keeper.get("2")
    assert copy is not None and (copy.duplicate_of, copy.version) == ("1", 0)
    assert keeper.get("3") is None
    with pytest.raises(IgnoreRequest):  # not fetched again
        IncrementalMiddleware(crawler).process_request(request("2"))
    pipeline = StatePipeline(crawler)
    with pytest.raises(DropItem):  # fetched anyway (listing shows a change) but unchanged
        pipeline.process_item(article("2"))
    changed = pipeline.process_item(article("2", body="別の話"))
    assert (changed.version, changed.updated) == (1, False)
    # A delivered article flagged as a copy later keeps its own record.
    keeper.item_dropped(article("1", body="x"), Rejected("near_duplicate", duplicate_of="9"))
    assert keeper.get("1").duplicate_of is None  # type: ignore[union-attr]

"""The thin components over the state: the state service (keeper), the incremental
middleware, the state pipeline. The keeper records an article only from its line in a feed
file, once the line is on disk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from pydispatch import dispatcher
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.extensions.feedexport import FeedExporter
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.test import get_reactor_settings

from newscrawl.config import BadSetting
from newscrawl.exceptions import NotModified, Skipped
from newscrawl.exporters import AtomicJsonLinesItemExporter
from newscrawl.extensions.state import CrawlStateKeeper
from newscrawl.items import Article
from newscrawl.meta import ARTICLE_ID_META, DECISION_META, LISTING_MODIFIED_META
from newscrawl.middlewares.incremental import IncrementalMiddleware, IncrementalSpiderMiddleware
from newscrawl.state import ArticleState, content_hash
from newscrawl.state.service import StateService, state_service

BASE = "http://127.0.0.1:8765/ja/"


class NamedSpider(Spider):
    name = "kangnamtimes"


def lets_through(middleware: IncrementalMiddleware, request: Request) -> bool:
    """Whether the request goes on to the download: Scrapy's contract for ``process_request``
    is None for that (this middleware is typed ``-> None``: it refuses by raising)."""
    process: Callable[[Request], object] = middleware.process_request
    return process(request) is None


def make_crawler(tmp_path: Path, **settings: Any) -> Crawler:
    """A crawler whose spider exists before its components are built, as in a crawl."""
    crawler = Crawler(NamedSpider, Settings({**get_reactor_settings(), **{
        "NEWSCRAWL_STATE_ENABLED": True, "NEWSCRAWL_STATE_BACKEND": "sqlite",
        "NEWSCRAWL_STATE_PATH": str(tmp_path / "state-%(name)s.sqlite3"),
        "NEWSCRAWL_BASE_URL": BASE, "NEWSCRAWL_FULL_CRAWL_ENABLED": False,
        "NEWSCRAWL_RECRAWL_WINDOW_HOURS": 24,
        "FEEDS": {str(tmp_path / "out" / "%(time)s.jsonl"): {"format": "jsonl-atomic"}},
        "FEED_EXPORTERS": {"jsonl-atomic": "newscrawl.exporters.AtomicJsonLinesItemExporter"},
        "EXTENSIONS": {"newscrawl.extensions.state.CrawlStateKeeper": 520},
        "TELNETCONSOLE_ENABLED": False,
        **settings,
    }}))
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
    keeper.close()


def deliver(crawler: Crawler, *items: Article) -> Path:
    """Write *items* to the run's feed file as the feed exporter does, and let the keeper
    record them from the file (as it does before the file is published)."""
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    part = Path(next(iter(crawler.settings.getdict("FEEDS"))).replace("%(time)s", "run")
                + ".part")
    part.parent.mkdir(parents=True, exist_ok=True)
    with part.open("ab") as file:
        keeper.watch(part)
        # Scrapy types an exporter's file as BytesIO; any binary file works.
        exporter = AtomicJsonLinesItemExporter(file, encoding="utf-8")  # type: ignore[arg-type]
        exporter.start_exporting()
        for item in items:
            exporter.export_item(item)
    keeper.flush(part)
    return part


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


def test_components_reach_the_keeper_as_the_state_service(crawler: Crawler) -> None:
    service = state_service(crawler)
    assert isinstance(service, StateService)
    assert service is crawler.get_extension(CrawlStateKeeper)
    assert IncrementalMiddleware(crawler).keeper is service


def test_the_keeper_records_a_written_line(crawler: Crawler) -> None:
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.note_validators("1", '"etag-1"', "Fri, 12 Dec 2025 00:10:00 GMT")
    deliver(crawler, article())
    stored = keeper.get("1")
    assert stored is not None
    assert stored.content_hash == content_hash(asdict(article()))
    assert (stored.etag, stored.version) == ('"etag-1"', 1)
    assert crawler.stats.get_value("newscrawl/state/recorded") == 1


def test_an_article_never_written_is_never_recorded(crawler: Crawler) -> None:
    """The scraped signal alone records nothing: only a line in the file does."""
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.item_scraped(article("1"))  # the exporter wrote nothing (no feed file yet)
    deliver(crawler, article("2"))
    assert keeper.get("1") is None and keeper.get("2") is not None


def test_no_fingerprint_is_kept_once_the_feed_failed(crawler: Crawler) -> None:
    """A fingerprint comes right after its line is written; once a feed failed, the line may
    be missing, and a copy must not be rejected for an original never delivered."""
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.record_fingerprint("2", "scheme", b"g" * 16, None)
    crawler.stats.inc_value("newscrawl/feed/failed")
    keeper.record_fingerprint("3", "scheme", b"h" * 16, None)
    assert [f.article_id for f in keeper.fingerprints("scheme")] == ["2"]


def test_the_middleware_skips_known_articles(crawler: Crawler) -> None:
    deliver(crawler, article("1"))
    middleware = IncrementalMiddleware(crawler)
    assert lets_through(middleware, request("2"))  # unknown: fetched
    with pytest.raises(Skipped):
        middleware.process_request(request("1"))
    assert lets_through(middleware, Request(BASE))  # not an article
    assert crawler.stats.get_value("newscrawl/incremental/skipped") == 1
    assert crawler.stats.get_value("newscrawl/incremental/fetched") == 1


def test_the_spider_middleware_drops_skipped_requests_before_the_scheduler(
        crawler: Crawler) -> None:
    deliver(crawler, article("1"))
    middleware = IncrementalSpiderMiddleware(crawler)
    assert middleware.get_processed_request(request("1"), None) is None
    newer = request("1", **{LISTING_MODIFIED_META: "2026-01-01T00:00:00+09:00"})
    assert middleware.get_processed_request(newer, None) is newer
    # The downloader middleware keeps the decision taken upstream, counted once.
    assert lets_through(IncrementalMiddleware(crawler), newer)
    assert newer.headers.get(b"If-None-Match") is None  # no validators known
    assert crawler.stats.get_value("newscrawl/incremental/conditional") == 1
    assert crawler.stats.get_value("newscrawl/incremental/skipped") == 1


def test_the_middleware_asks_conditionally_and_drops_304(crawler: Crawler) -> None:
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.note_validators("1", '"etag-1"', "Fri, 12 Dec 2025 00:10:00 GMT")
    deliver(crawler, article("1"))
    middleware = IncrementalMiddleware(crawler)
    newer = request("1", **{LISTING_MODIFIED_META: "2026-01-01T00:00:00+09:00"})
    assert lets_through(middleware, newer)
    assert newer.meta[DECISION_META] == "conditional"
    assert newer.headers[b"If-None-Match"] == b'"etag-1"'
    assert newer.headers[b"If-Modified-Since"] == b"Fri, 12 Dec 2025 00:10:00 GMT"
    with pytest.raises(NotModified):
        middleware.process_response(newer, Response(newer.url, status=304))
    assert crawler.stats.get_value("newscrawl/incremental/not_modified") == 1
    changed = Response(newer.url, status=200, headers={"ETag": '"etag-2"'})
    assert middleware.process_response(newer, changed) is changed
    deliver(crawler, Article(**{**asdict(article("1", body="新しい本文")), "version": 2}))
    saved = keeper.get("1")
    assert saved is not None and saved.etag == '"etag-2"'


def test_a_full_run_fetches_everything(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path, NEWSCRAWL_FULL_CRAWL_ENABLED=True)
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.spider_opened()
    deliver(crawler, article("1"))
    assert lets_through(IncrementalMiddleware(crawler), request("1"))
    keeper.close()


def test_the_pipeline_versions_changes_and_drops_unchanged(crawler: Crawler) -> None:
    from newscrawl.pipelines.state import StatePipeline

    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    pipeline = StatePipeline(crawler)
    first = pipeline.process_item(article("1"))
    assert (first.version, first.updated) == (1, False)
    deliver(crawler, first)
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
    keeper.close()


def test_an_original_written_but_never_recorded_keeps_its_copies_out(tmp_path: Path) -> None:
    """Killed between writing a line and recording its fingerprint, a run leaves an original
    the next run only finds in the output: its fingerprint is made from the line, so a copy
    met next is still a copy (seen once: a story written twice after a kill -9)."""
    import json

    from newscrawl.pipelines.dedupe import DedupePipeline
    from newscrawl.rejects import Rejected

    story = "".join(f"第{n}段落。港の再開発について市が説明会を開いた。" for n in range(12))
    out = tmp_path / "out"
    out.mkdir()
    (out / "2026-11-25T09-00-00+00-00.jsonl").write_text(
        json.dumps(asdict(article("7", body=story)), ensure_ascii=False) + "\n",
        encoding="utf-8")
    from newscrawl import settings as project

    crawler = make_crawler(tmp_path, **{name: getattr(project, name) for name in dir(project)
                                        if name.startswith("NEWSCRAWL_DEDUPE_")})
    pipeline = DedupePipeline(crawler)  # built after the extensions, as in a crawl
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    pipeline.open_spider()
    keeper.spider_opened()
    pipeline.spider_opened()
    with pytest.raises(Rejected) as copy:
        pipeline.process_item(article("8", body=story))
    assert copy.value.duplicate_of == "7"
    assert crawler.stats.get_value("newscrawl/dedupe/recorded_from_output") == 1
    keeper.close()


def test_copies_the_dedupe_dropped_are_remembered(crawler: Crawler) -> None:
    from newscrawl.pipelines.state import StatePipeline
    from newscrawl.rejects import Rejected

    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    deliver(crawler, article("1"))
    keeper.item_dropped(article("2"), Rejected("near_duplicate", duplicate_of="1"))
    keeper.item_dropped(article("3"), Rejected("missing_headline"))
    copy = keeper.get("2")
    assert copy is not None and (copy.duplicate_of, copy.version) == ("1", 0)
    assert keeper.get("3") is None
    with pytest.raises(Skipped):  # not fetched again
        IncrementalMiddleware(crawler).process_request(request("2"))
    pipeline = StatePipeline(crawler)
    with pytest.raises(DropItem):  # fetched anyway (listing shows a change) but unchanged
        pipeline.process_item(article("2"))
    changed = pipeline.process_item(article("2", body="別の話"))
    assert (changed.version, changed.updated) == (1, False)
    # A delivered article flagged as a copy later keeps its own record.
    keeper.item_dropped(article("1", body="x"), Rejected("near_duplicate", duplicate_of="9"))
    saved = keeper.get("1")
    assert saved is not None and saved.duplicate_of is None


def test_a_copy_is_remembered_only_once_its_original_is_recorded(crawler: Crawler) -> None:
    from newscrawl.rejects import Rejected

    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.item_dropped(article("5"), Rejected("duplicate_body", duplicate_of="4"))
    assert keeper.get("5") is None  # 4 is not on disk yet: if it never is, 5 is judged again
    deliver(crawler, article("4"))
    copy = keeper.get("5")
    assert copy is not None and copy.duplicate_of == "4"


def test_a_run_with_the_state_on_needs_a_local_json_lines_feed(tmp_path: Path) -> None:
    with pytest.raises(BadSetting, match="local JSON Lines feed"):
        make_crawler(tmp_path, FEEDS={"ftp://127.0.0.1:1/x.jsonl": {"format": "jsonlines"}})
    make_crawler(tmp_path, FEEDS={"ftp://127.0.0.1:1/x.jsonl": {"format": "jsonlines"}},
                 NEWSCRAWL_STATE_ENABLED=False)


@pytest.mark.parametrize("content", [b"\x8f" * 3000, b"SQLite format 3\x00" + b"\x00" * 200])
def test_a_state_file_that_is_not_a_state_is_one_bad_setting(tmp_path: Path,
                                                            content: bytes) -> None:
    (tmp_path / "state-kangnamtimes.sqlite3").write_bytes(content)
    with pytest.raises(BadSetting) as refused:
        make_crawler(tmp_path)
    message = str(refused.value)
    assert message.startswith("bad setting NEWSCRAWL_STATE_PATH: ") and "\n" not in message
    assert "state-kangnamtimes.sqlite3" in message

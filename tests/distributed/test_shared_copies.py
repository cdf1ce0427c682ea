"""A copy one worker drops, whose original another worker writes, is remembered in the shared
state as one process remembers it: the next run skips it instead of fetching and judging it
again (issue 15, day 1)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from scrapy.crawler import Crawler

from newscrawl.distributed.demo import RedisServer
from newscrawl.distributed.member import ClusterMember
from newscrawl.exporters import AtomicJsonLinesItemExporter
from newscrawl.extensions.state import CrawlStateKeeper
from newscrawl.items import Article
from newscrawl.rejects import Rejected
from tests.support import built_crawler

BASE = "http://127.0.0.1:8765/ja/"


class Worker:
    """One worker's member and state keeper, opened as a crawl opens them (no engine)."""

    def __init__(self, directory: Path, url: str) -> None:
        directory.mkdir()
        self.output = directory / "out.jsonl"
        self.crawler: Crawler = built_crawler(
            directory, NEWSCRAWL_REDIS_URL=url, NEWSCRAWL_BASE_URL=BASE,
            FEEDS={str(self.output): {"format": "jsonl"}})
        self.member = ClusterMember.of(self.crawler)
        keeper = self.crawler.get_extension(CrawlStateKeeper)
        assert keeper is not None
        self.keeper = keeper
        self.member.spider_opened()  # joins; the keeper's state is now the one in Redis
        self.keeper.spider_opened()

    def deliver(self, item: Article) -> None:
        """Write the item's line as the feed exporter does; the keeper reads it back."""
        part = self.output.with_name(self.output.name + ".part")
        with part.open("ab") as file:
            self.keeper.watch(part)
            exporter = AtomicJsonLinesItemExporter(file, encoding="utf-8")  # type: ignore[arg-type]
            exporter.start_exporting()
            exporter.export_item(item)
        self.keeper.flush(part)

    def stop(self) -> None:
        self.member.leave("finished")
        self.member.spider_closed("finished")
        self.keeper.close()
        asyncio.get_event_loop().run_until_complete(asyncio.sleep(0))  # the beat's task ends


def article(article_id: str, published: str) -> Article:
    return Article(url=f"{BASE}report/article/{article_id}", article_id=article_id,
                   headline="見出し", body="同じ本文", date_published=published)


def test_a_copy_whose_original_another_worker_wrote_is_remembered(
        tmp_path: Path, server: RedisServer) -> None:
    a, b = Worker(tmp_path / "a", server.url), Worker(tmp_path / "b", server.url)
    original, copy = article("600001", "2025-12-12T09:10:00+09:00"), \
        article("600002", "2025-12-12T10:00:00+09:00")
    # Worker a drops the copy while worker b's line of the original is not recorded yet.
    a.keeper.item_dropped(copy, Rejected("duplicate_body", duplicate_of="600001"))
    assert a.keeper.get("600002") is None  # waits for the original's record
    b.deliver(original)
    known = a.keeper.get("600001")
    assert known is not None and known.duplicate_of is None
    b.stop()
    a.stop()  # the crawl is over: the original is on disk, recorded by b
    state = a.keeper.state
    remembered = state.get("600002")
    assert remembered is not None and remembered.duplicate_of == "600001"
    assert remembered.version == 0  # a copy, never delivered


def test_a_copy_whose_original_was_never_written_is_not_remembered(
        tmp_path: Path, server: RedisServer) -> None:
    """The delivery rule: a copy is remembered only once its original is on disk (else the
    next run judges it again, and the story is not lost if the original never comes)."""
    a = Worker(tmp_path / "a", server.url)
    copy = article("600004", "2025-12-12T10:00:00+09:00")
    a.keeper.item_dropped(copy, Rejected("near_duplicate", duplicate_of="600003"))
    a.stop()
    assert a.keeper.state.get("600004") is None

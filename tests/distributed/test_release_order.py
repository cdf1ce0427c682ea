"""The hold across workers: one release in publication order for the whole crawl.

Each worker here is a real member, hold and dedupe pipeline on the real Redis, driven as the
engine drives them (its idle rounds, the release request's callback, each released article
through the dedupe pipeline and settled). The order in which workers go idle and start their
releases is forced; the articles written must not depend on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import HtmlResponse

from newscrawl.distributed.demo import RedisServer
from newscrawl.distributed.keys import CrawlKeys
from newscrawl.distributed.member import ClusterMember
from newscrawl.items import Article
from newscrawl.middlewares.hold import HoldMiddleware
from newscrawl.pipelines.dedupe import DedupePipeline
from newscrawl.rejects import Rejected
from tests.support import built_crawler

BASE = "http://127.0.0.1:8765/ja/"
KEYS = CrawlKeys.of("kangnamtimes", BASE)

#: Original text of a story (twelve sentences); a copy changes one of them.
SENTENCES = [f"第{n}回の市民講座では、川沿いの古い倉庫を図書館に改装する計画について、"
             f"住民{n + 3}人と設計者が閲覧室の明るさや開館時間を話し合った。" for n in range(12)]


def article(article_id: str, published: str, edit: str = "") -> Article:
    body = "\n".join([*SENTENCES[:-1], edit or SENTENCES[-1]])
    return Article(url=f"{BASE}report/article/{article_id}", article_id=article_id,
                   headline="倉庫が図書館に", body=body, date_published=published)


ORIGINAL = ("600001", "2025-12-12T09:10:00+09:00")
COPY = ("600002", "2025-12-12T15:40:00+09:00")  # published later: the copy
EDIT = "転載:住民と設計者が閲覧室の明るさを話し合った。"


class Worker:
    """One worker's member, hold and dedupe pipeline, opened as a crawl opens them. The engine
    is not started: its idle check answers "idle" and the requests it is given are kept."""

    def __init__(self, directory: Path, url: str) -> None:
        directory.mkdir()
        self.crawler: Crawler = built_crawler(directory, NEWSCRAWL_REDIS_URL=url,
                                              NEWSCRAWL_BASE_URL=BASE)
        self.member = ClusterMember.of(self.crawler)
        hold = self.crawler.get_spider_middleware(HoldMiddleware)
        pipeline = self.crawler.get_item_pipeline(DedupePipeline)
        assert hold is not None and pipeline is not None
        self.hold, self.pipeline = hold, pipeline
        self.requests: list[Request] = []
        engine: Any = self.crawler.engine
        engine.spider_is_idle = lambda: True
        engine.crawl = self.requests.append
        self.member.spider_opened()  # joins the crawl: the others' barrier waits for it
        self.hold.spider_opened()
        self.verdicts: dict[str, str] = {}

    def parse(self, item: Article) -> None:
        """An article page's callback yielded *item*: the hold takes it."""
        response = HtmlResponse(item.url, body=b"<html></html>", request=Request(item.url))
        assert self.hold.get_processed_item(item, response) is None

    def idle(self) -> bool:
        """One idle round of the engine; True once the hold has scheduled its release."""
        with contextlib.suppress(DontCloseSpider):
            self.hold.spider_idle()
        return bool(self.requests)

    async def release(self) -> None:
        """Run the release request's callback, each article through the dedupe pipeline
        as Scrapy sends it (then settled, as the member does once it went through)."""
        request = self.requests.pop()
        assert request.callback is not None
        output = request.callback(HtmlResponse("data:,", body=b"", request=request))
        async for item in as_async(output):
            try:
                self.pipeline.process_item(item)
                self.verdicts[item.article_id] = "written"
            except Rejected as rejected:
                self.verdicts[item.article_id] = f"{rejected.reason} of {rejected.duplicate_of}"
            self.member.item_done(item)

    def close(self) -> None:
        self.member.spider_closed("finished")
        self.hold.spider_closed("finished")
        asyncio.get_event_loop().run_until_complete(asyncio.sleep(0))  # the beat's task ends


async def as_async(output: Any) -> AsyncIterator[Any]:
    if inspect.isasyncgen(output):
        async for item in output:
            yield item
    else:
        for item in output:
            yield item


def run(*releases: Any) -> None:
    """Start the releases in this order (each runs until it first waits) and finish them."""
    async def both() -> None:
        await asyncio.gather(*releases)
    asyncio.get_event_loop().run_until_complete(both())


@pytest.fixture
def workers(tmp_path: Path, server: RedisServer) -> Iterator[list[Worker]]:
    made: list[Worker] = []

    def make(count: int) -> list[Worker]:
        new = [Worker(tmp_path / f"w{len(made) + n}", server.url) for n in range(count)]
        made.extend(new)
        return new

    yield make  # type: ignore[misc]
    for worker in made:
        worker.close()


def test_a_copy_released_first_by_one_worker_is_judged_after_the_original_of_another(
        workers: Any) -> None:
    a, b = workers(2)
    a.parse(article(*COPY, edit=EDIT))  # worker a met the copy,
    b.parse(article(*ORIGINAL))  # worker b the original
    a_released = a.idle()  # a is idle first (b is still crawling)
    assert b.idle()
    assert a_released or a.idle()
    run(a.release(), b.release())  # a's release starts first
    verdicts = {**a.verdicts, **b.verdicts}
    assert verdicts == {"600001": "written", "600002": "near_duplicate of 600001"}


def test_the_order_of_the_releases_does_not_change_what_is_written(workers: Any) -> None:
    """Four workers, a story of three members and two single stories spread across them,
    releases started in the worst order (latest first): the earliest member of each story is
    the one written, every later one names it."""
    a, b, c, d = workers(4)
    c.parse(article(*ORIGINAL))
    a.parse(article(*COPY, edit=EDIT))
    b.parse(article("600003", "2025-12-13T08:00:00+09:00", edit=EDIT))  # a copy of the copy
    d.parse(Article(url=f"{BASE}report/article/600004", article_id="600004", headline="港",
                    body="港の朝市に新しい屋台が三軒並び、干物と果物がよく売れた。" * 6,
                    date_published="2025-12-11T08:00:00+09:00"))
    b.parse(Article(url=f"{BASE}report/article/600005", article_id="600005", headline="別",
                    body="ほかの記事の本文は短い。", date_published="2025-12-12T10:00:00+09:00"))
    assert [w.idle() for w in (a, b, c)] == [False, False, False]  # d has not said it is idle
    assert d.idle()
    assert [w.idle() for w in (a, b, c)] == [True, True, True]
    run(b.release(), a.release(), d.release(), c.release())
    verdicts = {**a.verdicts, **b.verdicts, **c.verdicts, **d.verdicts}
    written = sorted(i for i, v in verdicts.items() if v == "written")
    assert written == ["600001", "600004", "600005"]
    assert verdicts["600002"] == "near_duplicate of 600001"
    assert verdicts["600003"] == "near_duplicate of 600001"  # its twin 600002 was dropped


def test_the_barrier_waits_for_a_worker_that_joins_late_and_not_for_one_that_died(
        workers: Any, client: redis.Redis) -> None:
    a, b = workers(2)
    a.parse(article(*COPY, edit=EDIT))
    b.parse(article(*ORIGINAL))
    assert not a.idle()  # b still crawls
    (late,) = workers(1)  # joins: it may crawl pages with earlier articles
    assert not b.idle() and not a.idle()
    assert not late.idle()  # nothing held: it says it is idle, and has nothing to release
    assert b.idle() and a.idle()
    # b dies before it released: its heartbeat key expires; nobody waits for it for ever.
    b.member._beat.stop()
    client.delete(KEYS.alive(b.member.worker))
    run(a.release())
    assert a.verdicts == {"600002": "written"}  # its original was never written
    assert client.exists(f"{KEYS.crawl}:round:{b.member.worker}") == 0


def test_a_worker_crawling_again_keeps_the_barrier_closed(workers: Any) -> None:
    a, b = workers(2)
    a.parse(article(*COPY, edit=EDIT))
    assert not b.idle()  # b is idle (nothing held), a still crawls
    assert b.member.enqueue("fp1", 0, b"request")  # a link a found: b will crawl it
    assert not a.idle()  # the frontier holds a request
    assert b.member.lease() is not None  # b crawls again
    assert not a.idle()  # the frontier is empty, but b crawls: its page may hold an original
    assert not b.idle()
    assert a.idle()

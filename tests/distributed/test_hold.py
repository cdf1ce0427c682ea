"""The hold in a distributed crawl: each worker releases its own articles, and the pages of the
articles it holds stay leased until they are written, so a worker that dies holding them gives
them back like pages in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse

from newscrawl.distributed.demo import RedisServer
from newscrawl.distributed.keys import CrawlKeys
from newscrawl.distributed.member import ClusterMember
from newscrawl.distributed.scheduler import RedisScheduler
from newscrawl.items import Article
from newscrawl.meta import ARTICLE_ID_META, RELEASE_META
from newscrawl.middlewares.hold import HoldMiddleware
from tests.support import built_crawler

BASE = "http://127.0.0.1:8765/ja/"


class Worker:
    """One worker's scheduler, member and hold, built as a crawl builds them (the engine is not
    started: no request is in progress, so each one popped counts as done)."""

    def __init__(self, tmp_path: Path, url: str) -> None:
        self.crawler: Crawler = built_crawler(tmp_path, NEWSCRAWL_REDIS_URL=url,
                                              NEWSCRAWL_BASE_URL=BASE)
        self.member = ClusterMember.of(self.crawler)
        hold = self.crawler.get_spider_middleware(HoldMiddleware)
        assert hold is not None
        self.hold = hold
        self.scheduler = RedisScheduler.from_crawler(self.crawler)
        self.scheduler.open(self.crawler.spider)
        self.member.spider_opened()  # joins the crawl
        self.hold.spider_opened()

    def close(self) -> None:
        self.member.spider_closed("finished")  # stops the heartbeat's task...
        self.hold.spider_closed("finished")
        # ...which ends once the loop turns (the reactor is not running in this test).
        asyncio.get_event_loop().run_until_complete(asyncio.sleep(0))

    def parse(self, request: Request) -> None:
        """The article page's callback: its article goes to the hold."""
        article_id = request.meta[ARTICLE_ID_META]
        response = HtmlResponse(request.url, body=b"<html></html>", request=request)
        article = Article(url=request.url, article_id=article_id, body="本文",
                          date_published="2025-12-12T09:10:00+09:00")
        assert self.hold.get_processed_item(article, response) is None  # held

    def schedule_release(self) -> None:
        """What the hold does when the worker is idle (``HoldMiddleware.spider_idle``, which
        needs a running engine): schedule its release request."""
        self.scheduler.enqueue_request(Request(
            "data:,", callback=self.hold.release, errback=self.hold.release_failed,
            dont_filter=True, meta={RELEASE_META: True, "dont_obey_robotstxt": True}))

    def release(self) -> list[Article]:
        request = self.scheduler.next_request()
        assert request is not None and request.meta.get(RELEASE_META)
        response = HtmlResponse("data:,", body=b"", request=request)
        return list(self.hold.release(response))


@pytest.fixture
def worker(tmp_path: Path, server: RedisServer) -> Iterator[Worker]:
    made = Worker(tmp_path, server.url)
    yield made
    made.close()


def article_request(number: int) -> Request:
    return Request(f"{BASE}report/article/{number}", meta={ARTICLE_ID_META: str(number)})


def test_the_release_request_stays_with_its_worker(worker: Worker, client: redis.Redis) -> None:
    worker.parse(article_request(500001))
    worker.schedule_release()  # its callback is the hold's: it could not even be serialised
    keys = CrawlKeys.of("kangnamtimes", BASE)
    assert client.zcard(keys.requests) == 0  # not in the shared frontier
    assert worker.scheduler.has_pending_requests()
    assert [a.article_id for a in worker.release()] == ["500001"]


def test_pages_of_held_articles_stay_leased_until_their_articles_are_written(
        worker: Worker, client: redis.Redis) -> None:
    keys = CrawlKeys.of("kangnamtimes", BASE)
    leases = keys.leases(worker.member.worker)
    for number in (500001, 500002):
        assert worker.scheduler.enqueue_request(article_request(number))
    first = worker.scheduler.next_request()
    assert first is not None
    worker.parse(first)
    second = worker.scheduler.next_request()  # the first page is done, its article held
    assert second is not None
    worker.parse(second)
    assert worker.scheduler.next_request() is None
    assert client.hlen(leases) == 2
    # Idle: it waits for no one, not even for its own held pages, and releases them.
    worker.member.spider_idle()  # no DontCloseSpider
    worker.schedule_release()
    assert client.hlen(leases) == 2
    assert sorted((a.article_id for a in worker.release()), key=str) == ["500001", "500002"]
    worker.member.beat()  # the articles are written: their pages are done
    assert client.hlen(leases) == 0


def test_a_worker_stopping_with_held_articles_gives_their_pages_back(
        worker: Worker, client: redis.Redis) -> None:
    keys = CrawlKeys.of("kangnamtimes", BASE)
    assert worker.scheduler.enqueue_request(article_request(500003))
    request = worker.scheduler.next_request()
    assert request is not None
    worker.parse(request)
    worker.scheduler.close("shutdown")  # stopped before it was idle: the article not written
    assert client.zcard(keys.requests) == 1  # its page is back in the frontier
    assert client.hlen(keys.leases(worker.member.worker)) == 0

"""The pickled memory queue gives back the requests the spider made, last in first out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from newscrawl.meta import ARTICLE_ID_META
from newscrawl.squeues import PickledLifoMemoryQueue
from tests.inprocess import crawl, serving

BASE = "http://127.0.0.1:8765/ja/"


class LinkSpider(Spider):
    name = "links"

    def parse_article(self, response: Any, via: dict[str, Any]) -> Iterator[Any]:
        yield from ()

    def article_failed(self, failure: Any) -> None:
        pass


def article_request(spider: LinkSpider, number: int) -> Request:
    via = {"block": "related", "position": number % 8,
           "from_url": f"{BASE}report/article/{number + 1000}"}
    return Request(f"{BASE}report/article/{number}", callback=spider.parse_article,
                   errback=spider.article_failed, cb_kwargs={"via": via},
                   meta={ARTICLE_ID_META: str(number), "depth": 2}, priority=number % 3)


def queue() -> tuple[PickledLifoMemoryQueue, LinkSpider]:
    crawler = get_crawler(LinkSpider)
    spider = crawler.spider = LinkSpider()
    return PickledLifoMemoryQueue.from_crawler(crawler, "requests.queue/0"), spider


def test_requests_come_back_whole_last_in_first_out() -> None:
    q, spider = queue()
    pushed = [article_request(spider, n) for n in (11, 12, 13)]
    for request in pushed:
        q.push(request)
    assert len(q) == 3
    assert q.peek() is not None and q.peek().url == pushed[-1].url  # type: ignore[union-attr]
    for original in reversed(pushed):
        popped = q.pop()
        assert popped is not None
        assert (popped.url, popped.priority, popped.dont_filter) == \
            (original.url, original.priority, original.dont_filter)
        assert popped.callback == spider.parse_article
        assert popped.errback == spider.article_failed
        assert popped.cb_kwargs == original.cb_kwargs
        assert popped.meta == original.meta
    assert len(q) == 0
    assert q.pop() is None and q.peek() is None


def test_callbacks_named_once_come_back_the_same_and_the_pushed_request_is_unchanged() -> None:
    """The queue names a spider method once (Scrapy's ``to_dict`` lists the spider's members
    for it) and remembers the name: later requests keep their callback and errback, whatever
    mix of them, and a pushed request is left as it was."""
    q, spider = queue()
    kinds = [(spider.parse_article, spider.article_failed), (spider.parse_article, None),
             (None, spider.article_failed), (None, None)]
    pushed = []
    for round_ in range(2):
        for number, (callback, errback) in enumerate(kinds):
            request = Request(f"{BASE}report/article/{round_}{number}", callback=callback,
                              errback=errback, meta={ARTICLE_ID_META: f"{round_}{number}"})
            q.push(request)
            assert (request.callback, request.errback) == (callback, errback)
            pushed.append(request)
    for original in reversed(pushed):
        popped = q.pop()
        assert popped is not None and popped.url == original.url
        assert (popped.callback, popped.errback) == (original.callback, original.errback)
        assert popped.to_dict(spider=spider) == original.to_dict(spider=spider)


def test_a_request_that_cannot_be_pickled_is_kept_as_it_is() -> None:
    q, spider = queue()
    def release(response: Any) -> None:  # not a method of the spider: no name to store
        pass

    released = Request("data:,", callback=release, dont_filter=True)
    q.push(article_request(spider, 1))
    q.push(released)
    assert q.pop() is released
    popped = q.pop()
    assert popped is not None and popped.meta[ARTICLE_ID_META] == "1"


def feed_ids(tmp_path: Path) -> list[str]:
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["article_id"] for line in lines]


def test_a_crawl_with_it_writes_the_same_articles(tmp_path: Path) -> None:
    """Scrapy's own memory queue and this one: the same lines written, the same rejects."""
    with serving(articles=120) as replica:
        plain = crawl(tmp_path / "plain", replica.base_url)
        pickled = crawl(tmp_path / "pickled", replica.base_url,
                        SCHEDULER_MEMORY_QUEUE="newscrawl.squeues.PickledLifoMemoryQueue")
    assert len(plain.items) > 50
    assert feed_ids(tmp_path / "pickled") == feed_ids(tmp_path / "plain")
    assert pickled.rejects_by_id() == plain.rejects_by_id()
    assert pickled.stats["newscrawl/hold/released"] == plain.stats["newscrawl/hold/released"]

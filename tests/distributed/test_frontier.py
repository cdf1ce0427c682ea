"""The shared frontier: one request per article across workers, leases that survive a dead
worker, and a crawl that ends only when no worker holds anything."""

from __future__ import annotations

import pickle
from typing import Any

import redis
from redis.typing import EncodableT
from scrapy import Request
from scrapy.utils.test import get_crawler
from scrapy_redis.dupefilter import RFPDupeFilter

from newscrawl import settings as project
from newscrawl.distributed import scripts
from newscrawl.distributed.keys import CrawlKeys
from newscrawl.distributed.scheduler import FingerprintDupeFilter
from newscrawl.meta import ARTICLE_ID_META
from tests.support import text

BASE = "http://127.0.0.1:8765/ja/"
#: One article, four URL forms (canonical, AMP, AMP ?noamp, short link), as the spider
#: requests them: each carries the id it was reduced to.
FORMS = [f"{BASE}report/article/500123", f"{BASE}report/article/500123/amp/",
         f"{BASE}report/article/500123/amp/?noamp=mobile", f"{BASE}?p=500123"]


def article_requests() -> list[Request]:
    return [Request(url, meta={ARTICLE_ID_META: "500123"}) for url in FORMS]


def test_one_article_is_one_request_across_workers(client: redis.Redis) -> None:
    crawler = get_crawler(settings_dict={
        "REQUEST_FINGERPRINTER_CLASS": project.REQUEST_FINGERPRINTER_CLASS})
    # Two workers, two filters, one Redis set.
    workers = [FingerprintDupeFilter(client, "k:dupefilter", crawler) for _ in range(2)]
    seen = [workers[n % 2].request_seen(request)
            for n, request in enumerate(article_requests())]
    assert seen == [False, True, True, True]
    other = Request(f"{BASE}report/article/500124", meta={ARTICLE_ID_META: "500124"})
    assert workers[1].request_seen(other) is False


def test_scrapy_redis_own_filter_would_crawl_every_form(client: redis.Redis) -> None:
    """Why the filter is wrapped: scrapy-redis hashes the URL itself."""
    plain = RFPDupeFilter(client, "plain:dupefilter")
    assert [plain.request_seen(request) for request in article_requests()] == [False] * 4


class Worker:
    """The scripts as one worker runs them (the member does this inside a crawl)."""

    def __init__(self, client: redis.Redis, keys: CrawlKeys, name: str) -> None:
        self.client, self.keys, self.name = client, keys, name
        self.run = {n: client.register_script(getattr(scripts, n))
                    for n in ("JOIN", "BEAT", "POP", "ENQUEUE", "STATUS", "LEAVE", "SEED")}

    def __call__(self, script: str, *args: EncodableT) -> Any:
        """The script's reply, as Redis gives it (an int, bytes or a list of them)."""
        return self.run[script](args=[self.keys.crawl, self.name, *args])

    def enqueue(self, fingerprint: str, data: bytes, score: int = 0) -> int:
        return int(self.run["ENQUEUE"](args=[self.keys.crawl, fingerprint, score, data]))

    def pop(self, *acks: bytes) -> tuple[bytes, bytes] | None:
        got = self("POP", 0, *acks)
        return (str(got[0]).encode(), got[1]) if got else None

    def dies(self) -> None:
        """What a kill -9 leaves: the heartbeat key expires, nothing else happens."""
        self.client.delete(self.keys.alive(self.name))


def data(lease: tuple[bytes, bytes] | None) -> bytes:
    """The request a worker leased (a pop that found nothing fails the test here)."""
    assert lease is not None
    return lease[1]


def test_fingerprints_are_scheduled_once_and_dont_filter_always(client: redis.Redis) -> None:
    a = Worker(client, CrawlKeys.of("kangnamtimes", BASE), "a")
    assert a.enqueue("fp1", b"r1") == 1
    assert a.enqueue("fp1", b"r1 again") == 0
    assert a.enqueue("", b"retry") == 1
    assert client.zcard(a.keys.requests) == 2


def test_a_dead_workers_leases_go_back_to_the_frontier(client: redis.Redis) -> None:
    keys = CrawlKeys.of("kangnamtimes", BASE)
    a, b = Worker(client, keys, "a"), Worker(client, keys, "b")
    a("JOIN", 10), b("JOIN", 10)
    for n in range(3):
        a.enqueue(f"fp{n}", pickle.dumps(n), score=-n)  # higher priority first
    first = a.pop()
    second = a.pop()
    assert first is not None and second is not None
    assert [pickle.loads(first[1]), pickle.loads(second[1])] == [2, 1]
    a.pop(first[0])  # finishes the first lease, leases the last request
    assert client.hlen(keys.leases("a")) == 2
    # While `a` beats, its leases are work in progress: `b` must wait, not finish.
    assert b("STATUS", 0) == [0, 2, 0, 0, 0]
    a.dies()
    queued, leased, requeued, _, _ = b("STATUS", 0)
    assert (queued, leased, requeued) == (2, 0, 2)
    got = sorted(pickle.loads(data(b.pop())) for _ in range(2))
    assert got == [0, 1]  # nothing lost, and the finished one is not crawled again
    assert b.pop() is None


def test_the_last_worker_to_finish_clears_the_crawl_and_keeps_the_state(
        client: redis.Redis) -> None:
    keys = CrawlKeys.of("kangnamtimes", BASE)
    a, b = Worker(client, keys, "a"), Worker(client, keys, "b")
    a("JOIN", 10), b("JOIN", 10)
    client.hset(f"{keys.state}:articles", "1", "{}")
    assert a("SEED") == b""
    assert b("SEED") == b"a"
    a.enqueue("fp", b"r")
    lease = b.pop()
    assert lease is not None
    assert a("LEAVE", "1", 7) == [0, 0, 7]  # b still holds a request: not over
    assert b("LEAVE", "1", 5, lease[0]) == [0, 1, 12]  # the crawl's links: 7 + 5
    assert sorted(text(k) for k in client.keys("*")) == [f"{keys.state}:articles"]


def test_an_interrupted_crawl_is_kept_for_the_next_run(client: redis.Redis) -> None:
    keys = CrawlKeys.of("kangnamtimes", BASE)
    a = Worker(client, keys, "a")
    a("JOIN", 10)
    a("SEED")
    a.enqueue("fp1", b"r1")
    a.enqueue("fp2", b"r2")
    a.pop()
    assert a("LEAVE", "0", 0) == [1, 0, 0]  # shutdown: its unfinished lease goes back
    assert client.zcard(keys.requests) == 2
    assert client.get(keys.seeded) == b"a"
    assert client.sismember(keys.dupefilter, "fp1")

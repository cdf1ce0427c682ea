"""scrapy-redis's scheduler, queue and duplicate filter, with the three things they lack here.

scrapy-redis 0.9.1 gives the shared frontier (a sorted set of serialised requests) and the
shared duplicate filter (a set of fingerprints). Used as is on Scrapy 2.19 it would

1. **compute its own fingerprints** (``RFPDupeFilter.request_fingerprint`` hashes the method,
   canonical URL and body) and ignore ``REQUEST_FINGERPRINTER_CLASS``, so the AMP form, the
   ``?p=`` short link and the canonical URL of one article would be three requests, where the
   project's :class:`~newscrawl.fingerprint.ArticleFingerprinter` makes them one.
   :class:`FingerprintDupeFilter` asks ``crawler.request_fingerprinter``;
2. **lose the requests a killed worker had popped** (``PriorityQueue.pop`` removes them from
   Redis; a ``kill -9`` forgets them). :class:`LeasedQueue` moves a request into the worker's
   leases instead, in the same Lua step; the worker finishes the lease once Scrapy is done with
   the request (response handled, its links scheduled, its items through the pipelines), and
   the leases of a worker whose heartbeat stops are put back by the others
   (:class:`~newscrawl.distributed.member.ClusterMember`);
3. **take two round trips per scheduled request** (``SADD`` then ``ZADD``):
   :meth:`RedisScheduler.enqueue_request` does both in one script.

One request never goes to Redis: the one that releases the articles this worker holds
(:class:`~newscrawl.middlewares.hold.HoldMiddleware`, meta ``newscrawl_release``). Its callback
is the middleware's, and its articles are in this worker's spool, so it stays in a local queue
that is served first (scrapy-redis could not even serialise it: the callback is not a spider
method).

Only these methods are replaced; serialisation (``request.to_dict`` + pickle), priorities and
the queue's bookkeeping stay scrapy-redis's. Its blocking ``BRPOP`` idle wait
(``SCHEDULER_IDLE_BEFORE_CLOSE``) is not used: it would block the reactor, and a worker must
not close while others still hold requests that will yield more; the member decides when the
crawl is over.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any, Self, cast

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from newscrawl.distributed.connection import LOST
from newscrawl.distributed.member import ClusterMember
from newscrawl.meta import RELEASE_META

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class FingerprintDupeFilter(RFPDupeFilter):
    """scrapy-redis's Redis set of fingerprints, keyed by the crawler's request fingerprinter."""

    def __init__(self, server: Any, key: str, crawler: Crawler, debug: bool = False) -> None:
        super().__init__(server, key, debug=debug)
        self.fingerprinter = crawler.request_fingerprinter

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        member = ClusterMember.of(crawler)
        return cls(member.client, member.keys.dupefilter, crawler,
                   debug=crawler.settings.getbool("DUPEFILTER_DEBUG"))

    @classmethod
    def from_spider(cls, spider: Spider) -> Self:
        return cls.from_crawler(spider.crawler)

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

    def close(self, reason: str = "") -> None:
        """Keep the fingerprints: other workers share them (the member clears a finished
        crawl). scrapy-redis deletes them here."""


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue, whose ``pop`` leases instead of removing."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer=serializer)
        self.member = ClusterMember.of(spider.crawler)

    def pop(self, timeout: int = 0) -> Request | None:
        leased = self.member.lease()
        if leased is None:
            return None
        lease, data = leased
        request = self._decode_request(data)
        self.member.leased(request, lease)
        return cast("Request | None", request)

    def encode(self, request: Request) -> tuple[float, bytes]:
        """The score and member of *request* (as scrapy-redis's ``push`` computes them)."""
        return -request.priority, self._encode_request(request)


class RedisScheduler(Scheduler):
    """scrapy-redis's scheduler over :class:`LeasedQueue` and :class:`FingerprintDupeFilter`,
    built from the crawler (the connection and key names are the member's)."""

    queue: LeasedQueue

    def __init__(self, crawler: Crawler) -> None:
        member = ClusterMember.of(crawler)
        super().__init__(
            server=member.client, persist=True, flush_on_start=False,
            queue_key=member.keys.requests,
            queue_cls=f"{LeasedQueue.__module__}.{LeasedQueue.__qualname__}",
            dupefilter=FingerprintDupeFilter.from_crawler(crawler),
        )
        self.stats = crawler.stats
        self.member = member
        self.local: deque[Request] = deque()
        """Requests of this worker alone (the hold's release), served first."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.get(RELEASE_META):
            self.local.append(request)
            return True
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        score, data = self.queue.encode(request)
        try:
            added = self.member.enqueue(fingerprint, score, data)
        except LOST as exc:
            self.member.lost(exc)
            return False
        if not added:
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        try:
            request = self.queue.pop()
        except LOST as exc:
            self.member.lost(exc)
            return None
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if self.local:
            return True
        try:
            return len(self) > 0
        except LOST as exc:
            self.member.lost(exc)
            return False

    def close(self, reason: str) -> None:
        """Leave the crawl (never flush: the frontier is shared)."""
        self.member.leave(reason)

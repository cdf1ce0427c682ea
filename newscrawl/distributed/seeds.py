"""The seeds of a distributed crawl are requested once in total, not once per worker.

The spider's ``async def start()`` yields the seeds (the home page; with JavaScript, the ranking
page first). scrapy-redis 0.9.1 only knows ``start_requests()``, which Scrapy 2.19 no longer
calls on a spider that defines ``start()``, and has every worker read start URLs from a Redis
list instead. Here the spider keeps its own ``start()``: :class:`SeedOnce`, a spider middleware,
lets it run in the one worker that wins ``SET …:seeded NX`` and gives the others no start
requests at all (the spider's ``start()`` is not even iterated there, so no worker waits for a
ranking page it will not request). A worker that finds the crawl seeded takes its requests from
the shared frontier. Robots.txt is still fetched by each worker (each needs the rules).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from newscrawl.distributed.connection import LOST, RedisLost
from newscrawl.distributed.member import ClusterMember

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class SeedOnce:
    """Spider middleware: ``start()`` runs in one worker of the crawl.

    Also the outer guard of the spider's output: when Redis goes away while a response is
    handled (a state lookup of the incremental middleware), the rest of that output is dropped
    with the worker's one error line instead of a traceback per page; the request stays leased
    in Redis and is crawled again by the next run."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeedOnce:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        member = ClusterMember.of(self.crawler)
        holder = member.claim_seeds()
        if holder:
            logger.info("the crawl is seeded%s: taking requests from the shared frontier",
                        "" if holder == "done" else f" by {holder}")
            self.crawler.stats.set_value("newscrawl/cluster/seeded_here", False)
            return
        self.crawler.stats.set_value("newscrawl/cluster/seeded_here", True)
        async for item_or_request in start:
            yield item_or_request
        member.seeds_scheduled()

    def process_spider_exception(self, response: Any, exception: BaseException) -> Any:
        if isinstance(exception, (RedisLost, *LOST)):
            cause = exception.__cause__ or exception
            ClusterMember.of(self.crawler).lost(cause)
            return []
        return None

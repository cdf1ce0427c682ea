"""Links to articles already requested, dropped as soon as the spider yields them.

Every article page links to some twenty others, most of them requested already. Scrapy's
duplicate filter (with :class:`~newscrawl.fingerprint.ArticleFingerprinter`, one fingerprint
per article id) drops those, but only at the scheduler, after the whole spider-middleware
chain. :class:`SeenArticlesMiddleware` sits at the spider end of that chain and drops them
first, for the price of a set lookup, and a second link to the same article on one page too.

It never drops what the duplicate filter would let through: it remembers the ids of the
article requests that reached the scheduler (``request_scheduled``), so a request the depth
limit or the incremental policy dropped on the way leaves no trace, and a later request for
that article (a shallower link, a sitemap entry with a newer date) goes on. Requests with
``dont_filter`` pass, as they pass the duplicate filter; so do redirects and retries, which the
engine schedules without the spider. After a ``JOBDIR`` resume the set starts empty and the
persisted duplicate filter does the work alone.

Stat: ``newscrawl/seen/dropped``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from newscrawl.meta import ARTICLE_ID_META

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

STAT_DROPPED = "newscrawl/seen/dropped"


class SeenArticlesMiddleware(BaseSpiderMiddleware):
    """``SPIDER_MIDDLEWARES`` entry, at the spider end of the chain (above 1000)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.scheduled: set[str] = set()
        """Ids of the article requests that reached the scheduler."""
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)

    def request_scheduled(self, request: Request) -> None:
        article_id = request.meta.get(ARTICLE_ID_META)
        if article_id and not request.meta.get("redirect_urls"):
            self.scheduled.add(article_id)

    def process_spider_output(self, response: Response | None, result: Iterable[Any],
                              spider: Spider | None = None) -> Iterable[Any]:
        passed: set[str] = set()
        for output in result:
            if not (isinstance(output, Request) and self.is_repeat(output, passed)):
                yield output

    async def process_spider_output_async(self, response: Response | None,
                                          result: AsyncIterator[Any],
                                          spider: Spider | None = None) -> AsyncIterator[Any]:
        passed: set[str] = set()
        async for output in result:
            if not (isinstance(output, Request) and self.is_repeat(output, passed)):
                yield output

    def is_repeat(self, request: Request, passed: set[str]) -> bool:
        """True for a request of an article already scheduled, or already passed on from the
        same page (the engine may schedule a page's requests only after reading them all);
        ``passed`` collects the ids passed on from this page."""
        article_id = request.meta.get(ARTICLE_ID_META)
        if article_id is None or request.dont_filter:
            return False
        if article_id in self.scheduled or article_id in passed:
            self.crawler.stats.inc_value(STAT_DROPPED)
            return True
        passed.add(article_id)
        return False

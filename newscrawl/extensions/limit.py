"""The ``max_articles`` limit (``NEWSCRAWL_MAX_ARTICLES``, ``-a max_articles=N``).

In the shape of Scrapy's ``CloseSpider`` extension (``CLOSESPIDER_ITEMCOUNT``), with one
difference: that one closes the spider once N items are scraped, and the items still in the
pipelines then are written too, past N. Here the output never overshoots:

* :class:`ArticleLimit` (``EXTENSIONS``) counts the articles written (``item_scraped``) and
  those still in the pipelines, and closes the spider with the finish reason ``max_articles``
  once N are written;
* :class:`ArticleLimitMiddleware` (``SPIDER_MIDDLEWARES``) takes a place from it for each
  article the spider yields. With no place free (written plus in the pipelines make N) the
  article waits until one is: a copy the dedupe pipeline drops frees its place for the next
  article, so a crawl with enough articles writes exactly N. Once N are written, articles and
  links are no longer passed on.

With the setting at 0 (the default) neither component is built.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from newscrawl.config import read_int
from newscrawl.items import Article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

FINISH_REASON = "max_articles"


class ArticleLimit:
    """Counts articles written and in flight; closes the spider once the limit is written."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleLimit:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        self.max_articles = read_int(crawler.settings, "NEWSCRAWL_MAX_ARTICLES")
        if not self.max_articles:
            raise NotConfigured("NEWSCRAWL_MAX_ARTICLES is 0")
        self.crawler = crawler
        self.written = 0
        self.in_flight = 0
        self._changed = asyncio.Event()
        """Set when an article leaves the pipelines, for :meth:`take` to look again."""
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_done, signal=signals.item_dropped)
        crawler.signals.connect(self.item_done, signal=signals.item_error)

    def reached(self) -> bool:
        """True once the limit is written."""
        return self.written >= self.max_articles

    async def take(self) -> bool:
        """Take a place for one more article: at once when one is free, else as soon as an
        article in the pipelines is dropped. False once the limit is written."""
        while not self.reached():
            if self.written + self.in_flight < self.max_articles:
                self.in_flight += 1
                return True
            self._changed.clear()
            await self._changed.wait()
        return False

    def item_scraped(self, item: Any) -> None:
        if not isinstance(item, Article):
            return
        self.in_flight -= 1
        self.written += 1
        self._changed.set()
        if self.written == self.max_articles:
            logger.info("max_articles=%d written, closing", self.max_articles)
            closing = deferred_from_coro(
                self.crawler.engine.close_spider_async(reason=FINISH_REASON))
            closing.addErrback(lambda f: logger.error("closing failed: %s", f.value))

    def item_done(self, item: Any) -> None:
        """An article left the pipelines without being written (dropped, or an error)."""
        if isinstance(item, Article):
            self.in_flight -= 1
            self._changed.set()


class ArticleLimitMiddleware:
    """Passes an article on once :class:`ArticleLimit` gives it a place, and requests until
    the limit is written (start requests always). An ``async`` ``process_spider_output``
    only: waiting for a place needs it. Stat ``newscrawl/limit/held_back``: articles parsed
    once the limit was written, not passed on."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleLimitMiddleware:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        limit = crawler.get_extension(ArticleLimit)
        if limit is None:
            raise NotConfigured("no ArticleLimit extension (NEWSCRAWL_MAX_ARTICLES is 0)")
        self.crawler = crawler
        self.limit = limit

    async def process_spider_output(self, response: Response | None,
                                    result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for output in result:
            if isinstance(output, Article):
                if not await self.limit.take():
                    self.crawler.stats.inc_value("newscrawl/limit/held_back")
                    continue
            elif response is not None and self.limit.reached():
                continue
            yield output

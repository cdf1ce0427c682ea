"""A callback that raises costs its page: one log line and, for an article, a reject.

Scrapy logs an exception of a spider callback as "Spider error processing …" with its
traceback, and the page is gone without a trace in the output: for an article page, without a
line in the rejects file. :class:`CallbackFailures` takes every such exception instead: one
error line naming the page, the reason and the exception with the line that raised it (the
traceback at debug level), and for an article page a reject with that reason:

- :class:`~newscrawl.pages.article.PageFailed`, a page the parser gave up on (in a worker, or
  past the time limit), keeps its own (``parser_crashed``, ``parser_timeout``,
  ``parser_failed``);
- anything else is ``parser_failed`` (:func:`~newscrawl.pages.article.parser_failure`): the
  parser, or the code around it, raised on what some page holds.

A listing, ranking or sitemap page that raises has no article to reject: its line is all. The
error line makes the run's verdict fail (``NEWSCRAWL_FAIL_ON_ERROR``), so someone looks; what
the callback yielded before it raised has gone on.

It is the last of the chain to be offered the exception (the lowest order), so every other
middleware that handles some exception (the cluster's lost Redis) sees it first, and it leaves
:class:`~scrapy.exceptions.CloseSpider` to Scrapy.

Stat: ``newscrawl/spider/callback_failed``; the rejects are counted as
``newscrawl/rejects/<reason>``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import CloseSpider

from newscrawl.meta import ARTICLE_ID_META
from newscrawl.pages.article import PageFailed, parser_failure
from newscrawl.rejects import report_reject

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

STAT_FAILED = "newscrawl/spider/callback_failed"


class CallbackFailures:
    """``SPIDER_MIDDLEWARES`` entry, at the engine end of the chain (below 50)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CallbackFailures:
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: BaseException
                                 ) -> Iterable[Any] | None:
        if isinstance(exception, CloseSpider) or not isinstance(exception, Exception):
            return None
        failed = exception if isinstance(exception, PageFailed) else parser_failure(exception)
        article_id = response.meta.get(ARTICLE_ID_META)
        self.crawler.stats.inc_value(STAT_FAILED)
        logger.error("Parsing %s failed%s: %s", response.url,
                     f" (reject {failed.reason})" if article_id else "", failed.detail)
        if failed.traceback:
            logger.debug("The traceback for %s:\n%s", response.url, failed.traceback)
        if article_id:
            report_reject(self.crawler, failed.reason, response.url, article_id=article_id,
                          detail=failed.detail)
        return []

"""Write every dropped item and rejected page to a JSON Lines file next to the output."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter, is_item
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured

from newscrawl.config import read_bool
from newscrawl.paths import fill_params, local_path, sibling_path
from newscrawl.rejects import (
    Reject,
    Rejected,
    first_local_feed,
    page_rejected,
    uri_params,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

REJECTS_SUFFIX = ".rejects.jsonl"


def reject_from_drop(item: Any, exception: BaseException) -> Reject:
    """The reject record of an item a pipeline dropped."""
    adapter = ItemAdapter(item) if is_item(item) else None
    url = adapter.get("url") if adapter is not None else None
    article_id = adapter.get("article_id") if adapter is not None else None
    if isinstance(exception, Rejected):
        return Reject(
            reason=exception.reason,
            url=url,
            article_id=article_id,
            duplicate_of=exception.duplicate_of,
            detail=exception.detail,
        )
    return Reject(reason="dropped", url=url, article_id=article_id, detail=str(exception))


def rejects_path(crawler: Crawler, spider: Spider | None) -> Path | None:
    """``NEWSCRAWL_REJECTS_URI`` filled in, else ``<stem>.rejects.jsonl`` beside the first
    local feed; None when there is neither."""
    template = crawler.settings.get("NEWSCRAWL_REJECTS_URI") or ""
    if template:
        return local_path(fill_params(str(template), uri_params(spider)))
    feed = first_local_feed(crawler)
    return sibling_path(feed, REJECTS_SUFFIX) if feed is not None else None


class RejectsFeed:
    """Records dropped items (``item_dropped``, ``item_error``) and pages the spider
    reported with :func:`newscrawl.rejects.report_reject`, counting
    ``newscrawl/rejects/<reason>``."""

    def __init__(self, crawler: Crawler) -> None:
        if not read_bool(crawler.settings, "NEWSCRAWL_REJECTS_ENABLED"):
            raise NotConfigured("NEWSCRAWL_REJECTS_ENABLED is False")
        self.crawler = crawler
        self.path: Path | None = None
        self.file: IO[str] | None = None
        self.count = 0
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.page_rejected, signal=page_rejected)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.path = rejects_path(self.crawler, spider)
        if self.path is None:
            logger.warning(
                "No local feed and no NEWSCRAWL_REJECTS_URI: rejects are counted in stats, "
                "not written"
            )
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = self.path.open("w", encoding="utf-8")
        logger.info("Writing rejects to %s", self.path)

    def spider_closed(self, spider: Spider) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
            logger.info("Stored %s rejects in %s", self.count, self.path)

    def item_dropped(
        self, item: Any, response: Response | None, exception: BaseException, spider: Spider
    ) -> None:
        self.record(reject_from_drop(item, exception))

    def item_error(
        self, item: Any, response: Response | None, failure: Failure, spider: Spider
    ) -> None:
        reject = reject_from_drop(item, failure.value)
        reject.reason = "error"
        reject.detail = f"{type(failure.value).__name__}: {failure.value}"
        self.record(reject)

    def page_rejected(self, reject: Reject) -> None:
        self.record(reject)

    def record(self, reject: Reject) -> None:
        """Count *reject* and write it as one flushed line."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"newscrawl/rejects/{reject.reason}")
        self.count += 1
        if self.file is not None:
            self.file.write(json.dumps(reject.to_dict(), ensure_ascii=False) + "\n")
            self.file.flush()

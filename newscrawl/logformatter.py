"""Log lines for scraped and dropped items: one line each, with the article id and URL.

Scrapy's own :class:`~scrapy.logformatter.LogFormatter` appends the whole item (body,
``related``, ``images``) to the "Scraped from" and "Dropped:" lines; formatting it costs more
than the rest of the item's path, and a crawl log of full articles is unreadable.

Dropped items are logged at the :class:`~newscrawl.rejects.Rejected` exception's ``log_level``
when it has one; otherwise copies (``duplicate_*``, ``near_duplicate``) and ``unchanged``
articles at INFO, and the others at ``DEFAULT_DROPITEM_LOG_LEVEL``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter, is_item
from scrapy import logformatter
from scrapy.utils.python import global_object_name
from twisted.python.failure import Failure

from newscrawl.rejects import Rejected

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.http import Response
    from scrapy.logformatter import LogFormatterResult

QUIET_REASONS = frozenset({"duplicate_id", "duplicate_body", "near_duplicate", "unchanged"})
"""Drop reasons that are the crawl working as meant: logged at INFO (unless the exception
says otherwise)."""

SCRAPED_MSG = "Scraped %(article_id)s <%(url)s> from %(src)s"
DROPPED_MSG = "Dropped (%(reason)s) %(article_id)s <%(url)s>%(detail)s"


def item_key(item: Any) -> tuple[str, str]:
    """(article id, URL) of an item, ``-`` for what it lacks."""
    if not is_item(item):
        return "-", "-"
    adapter = ItemAdapter(item)
    return str(adapter.get("article_id") or "-"), str(adapter.get("url") or "-")


def _level(value: int | str) -> int:
    return value if isinstance(value, int) else logging.getLevelName(value.upper())


class LogFormatter(logformatter.LogFormatter):
    """Scraped and dropped items in one line each, without the item's fields."""

    def scraped(self, item: Any, response: Response | Failure | None,
                spider: Spider) -> LogFormatterResult:
        src: Any
        if response is None:  # as Scrapy names the source
            src = f"{global_object_name(spider.__class__)}.start"
        elif isinstance(response, Failure):
            src = response.getErrorMessage()
        else:
            src = response
        article_id, url = item_key(item)
        return {"level": logging.DEBUG, "msg": SCRAPED_MSG,
                "args": {"article_id": article_id, "url": url, "src": src}}

    def dropped(self, item: Any, exception: BaseException, response: Response | Failure | None,
                spider: Spider) -> LogFormatterResult:
        if isinstance(exception, Rejected):
            reason, detail = exception.reason, exception.detail
        else:  # a plain DropItem: its message is the reason
            reason, detail = "dropped", str(exception)
        level = getattr(exception, "log_level", None)
        if level is None:
            level = ("INFO" if reason in QUIET_REASONS
                     else spider.crawler.settings["DEFAULT_DROPITEM_LOG_LEVEL"])
        duplicate_of = getattr(exception, "duplicate_of", None)
        if duplicate_of:
            detail = f"copy of {duplicate_of}" + (f", {detail}" if detail else "")
        article_id, url = item_key(item)
        return {
            "level": _level(level),
            "msg": DROPPED_MSG,
            "args": {"reason": reason, "article_id": article_id, "url": url,
                     "detail": f": {detail}" if detail else ""},
        }

"""The log formatter: one line per scraped or dropped item, never the item's fields."""

from __future__ import annotations

import logging

from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.logformatter import LogFormatterResult
from scrapy.utils.test import get_crawler

from newscrawl.items import Article
from newscrawl.logformatter import LogFormatter
from newscrawl.rejects import Rejected

URL = "http://example.com/ja/report/article/12"


def _setup() -> tuple[LogFormatter, Spider, Article]:
    crawler = get_crawler(Spider, {"DEFAULT_DROPITEM_LOG_LEVEL": "WARNING"})
    spider = Spider.from_crawler(crawler, name="t")
    article = Article(url=URL, article_id="12", body="本文" * 500,
                      related=[{"url": URL, "title": "関連", "block": "related", "position": 1}])
    return LogFormatter.from_crawler(crawler), spider, article


def _line(result: LogFormatterResult) -> str:
    return str(result["msg"] % result["args"])


def test_dropped_names_reason_id_and_url_only() -> None:
    formatter, spider, article = _setup()
    result = formatter.dropped(article, Rejected("missing_headline", detail="no h1"), None,
                               spider)
    assert result["level"] == logging.WARNING
    assert _line(result) == f"Dropped (missing_headline) 12 <{URL}>: no h1"
    assert "本文" not in _line(result) and "関連" not in _line(result)


def test_copies_and_unchanged_are_info_unless_the_exception_says() -> None:
    formatter, spider, article = _setup()
    copy = formatter.dropped(article, Rejected("near_duplicate", duplicate_of="7"), None, spider)
    assert copy["level"] == logging.INFO
    assert _line(copy) == f"Dropped (near_duplicate) 12 <{URL}>: copy of 7"
    unchanged = Rejected("unchanged", detail="version 2", log_level="DEBUG")
    assert formatter.dropped(article, unchanged, None, spider)["level"] == logging.DEBUG


def test_plain_drop_item() -> None:
    formatter, spider, article = _setup()
    result = formatter.dropped(article, DropItem("bad"), None, spider)
    assert result["level"] == logging.WARNING
    assert _line(result) == f"Dropped (dropped) 12 <{URL}>: bad"


def test_scraped_is_debug_without_fields() -> None:
    formatter, spider, article = _setup()
    response = HtmlResponse(URL, body=b"<html></html>")
    result = formatter.scraped(article, response, spider)
    assert result["level"] == logging.DEBUG
    assert _line(result) == f"Scraped 12 <{URL}> from <200 {URL}>"

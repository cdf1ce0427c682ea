"""The incremental policy at the door: known articles are not fetched again without reason.

For a request carrying ``meta["newscrawl_article_id"]`` of an article the state knows, and
unless ``NEWSCRAWL_FULL``, :func:`newscrawl.state.decide_fetch` says:

* ``skip`` (``IgnoreRequest``, stat ``newscrawl/incremental/skipped``): nothing suggests a
  change;
* ``conditional``: the request's ``meta["newscrawl_listing_modified"]`` (a modified time a
  listing or sitemap showed) is newer than the stored one, or the article is younger than
  ``NEWSCRAWL_RECRAWL_WINDOW`` hours: sent with ``If-None-Match`` / ``If-Modified-Since``; a
  304 becomes ``IgnoreRequest`` (stat ``newscrawl/incremental/not_modified``).

The decision is stored in ``meta["newscrawl_incremental"]``, so a redirected copy of the
request keeps it. Placed before ``DownloaderStats`` (850): a skipped request is not counted
in ``downloader/request_count``. 200 responses leave their validators with the state keeper,
which records them with the article.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest, NotConfigured

from newscrawl.extensions.state import CrawlStateKeeper
from newscrawl.fingerprint import ARTICLE_ID_META
from newscrawl.state import decide_fetch

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

LISTING_MODIFIED_META = "newscrawl_listing_modified"
"""ISO 8601 modified time of the article as a listing or sitemap (``<lastmod>``) shows it."""
DECISION_META = "newscrawl_incremental"
"""``fetch``, ``conditional`` or ``skip``: what this middleware decided for the request."""

_STAT = {"fetch": "fetched", "conditional": "conditional", "skip": "skipped"}


class IncrementalMiddleware:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        keeper = crawler.get_extension(CrawlStateKeeper)
        if keeper is None:
            raise NotConfigured("the CrawlStateKeeper extension is off (NEWSCRAWL_STATE_ENABLED)")
        settings = crawler.settings
        hours = settings.getfloat("NEWSCRAWL_RECRAWL_WINDOW")
        if hours < 0:
            raise ValueError(f"NEWSCRAWL_RECRAWL_WINDOW must be 0 or more, got {hours}")
        self.keeper = keeper
        self.stats = crawler.stats
        self.full = settings.getbool("NEWSCRAWL_FULL")
        self.window = timedelta(hours=hours)

    def process_request(self, request: Request) -> None:
        article_id = request.meta.get(ARTICLE_ID_META)
        if not article_id:
            return None
        article_id = str(article_id)
        known = self.keeper.get(article_id)
        decision = request.meta.get(DECISION_META)
        if decision is None:
            decision = decide_fetch(known, now=datetime.now(UTC),
                                    listing_modified=request.meta.get(LISTING_MODIFIED_META),
                                    recrawl_window=self.window, full=self.full)
            request.meta[DECISION_META] = decision
            self.stats.inc_value(f"newscrawl/incremental/{_STAT[decision]}")
        if decision == "skip":
            raise IgnoreRequest(f"article {article_id} is known and shows no change")
        if decision == "conditional" and known is not None:
            if known.etag:
                request.headers.setdefault(b"If-None-Match", known.etag)
            if known.last_modified:
                request.headers.setdefault(b"If-Modified-Since", known.last_modified)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        article_id = request.meta.get(ARTICLE_ID_META)
        if not article_id:
            return response
        if response.status == 304 and request.meta.get(DECISION_META) == "conditional":
            self.stats.inc_value("newscrawl/incremental/not_modified")
            self.keeper.touch(str(article_id))
            raise IgnoreRequest(f"article {article_id} not modified (304)")
        if response.status == 200:
            etag = response.headers.get(b"ETag")
            last_modified = response.headers.get(b"Last-Modified")
            self.keeper.note_validators(
                str(article_id),
                etag.decode("latin-1") if etag else None,
                last_modified.decode("latin-1") if last_modified else None)
        return response

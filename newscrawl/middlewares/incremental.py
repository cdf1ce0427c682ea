"""The incremental policy at the door: known articles are not fetched again without reason.

For a request carrying ``meta["newscrawl_article_id"]`` of an article the state knows, and
unless ``NEWSCRAWL_FULL_CRAWL_ENABLED``, :func:`newscrawl.state.decide_fetch` says:

* ``skip`` (stat ``newscrawl/incremental/skipped``): nothing suggests a change. The spider
  middleware drops the request as the spider yields it (it never reaches the scheduler or
  the duplicate filter); the downloader middleware raises ``Skipped`` for one that came
  another way;
* ``conditional``: the request's ``meta["newscrawl_listing_modified"]`` (a modified time a
  listing or sitemap showed) is newer than the stored one, or the article is younger than
  ``NEWSCRAWL_RECRAWL_WINDOW_HOURS`` hours: sent with ``If-None-Match`` / ``If-Modified-Since``; a
  304 becomes ``NotModified`` (stat ``newscrawl/incremental/not_modified``).

The decision is stored in ``meta["newscrawl_incremental"]``, so a redirected copy of the
request keeps it. Placed before ``DownloaderStats`` (850): a skipped request is not counted
in ``downloader/request_count``. The decision is taken once per request, by whichever of the
two middlewares sees it first. 200 responses leave their validators with the state service,
which records them with the article.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from newscrawl.config import read_float
from newscrawl.exceptions import NotModified, Skipped
from newscrawl.meta import ARTICLE_ID_META, DECISION_META, LISTING_MODIFIED_META
from newscrawl.state import FetchDecision, decide_fetch
from newscrawl.state.service import state_service

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

_STAT = {"fetch": "fetched", "conditional": "conditional", "skip": "skipped"}


class IncrementalPolicy:
    """:func:`~newscrawl.state.decide_fetch` for requests, decided once per request."""

    def __init__(self, crawler: Crawler) -> None:
        service = state_service(crawler)
        if service is None:
            raise NotConfigured("the crawl state is off (NEWSCRAWL_STATE_ENABLED)")
        hours = read_float(crawler.settings, "NEWSCRAWL_RECRAWL_WINDOW_HOURS")
        self.keeper = service
        self.stats = crawler.stats
        self.full = service.full
        self.window = timedelta(hours=hours)

    def decide(self, request: Request) -> FetchDecision | None:
        """The decision for an article request (None for other requests), kept in its meta."""
        article_id = request.meta.get(ARTICLE_ID_META)
        if not article_id:
            return None
        decision: FetchDecision | None = request.meta.get(DECISION_META)
        if decision is None:
            decision = decide_fetch(self.keeper.get(str(article_id)), now=datetime.now(UTC),
                                    listing_modified=request.meta.get(LISTING_MODIFIED_META),
                                    recrawl_window=self.window, full=self.full)
            request.meta[DECISION_META] = decision
            self.stats.inc_value(f"newscrawl/incremental/{_STAT[decision]}")
        return decision


class IncrementalSpiderMiddleware(BaseSpiderMiddleware):
    """Drops skipped article requests as the spider yields them.

    Dropped here, a request never reaches the scheduler, so it takes no place in the
    duplicate filter (a later request for the same article that carries a newer
    ``newscrawl_listing_modified``, from a sitemap, still goes through) nor in ``JOBDIR``.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.policy = IncrementalPolicy(crawler)

    def get_processed_request(self, request: Request, response: Response | None,
                              ) -> Request | None:
        return None if self.policy.decide(request) == "skip" else request


class IncrementalMiddleware:
    """Conditional requests for the articles worth asking again; 304 ends them.

    Also skips (``Skipped``) article requests that did not pass the spider middleware.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        self.policy = IncrementalPolicy(crawler)
        self.keeper = self.policy.keeper
        self.stats = crawler.stats

    def process_request(self, request: Request) -> None:
        decision = self.policy.decide(request)
        if decision is None:
            return None
        article_id = str(request.meta[ARTICLE_ID_META])
        if decision == "skip":
            raise Skipped(f"article {article_id} is known and shows no change")
        known = self.keeper.get(article_id) if decision == "conditional" else None
        if known is not None:
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
            raise NotModified(f"article {article_id} (304)")
        if response.status == 200:
            etag = response.headers.get(b"ETag")
            last_modified = response.headers.get(b"Last-Modified")
            self.keeper.note_validators(
                str(article_id),
                etag.decode("latin-1") if etag else None,
                last_modified.decode("latin-1") if last_modified else None)
        return response

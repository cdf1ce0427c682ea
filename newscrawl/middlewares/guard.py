"""Refusals at the door: Scrapy's downloader middlewares, each refusing with a typed reason.

Scrapy's own middlewares refuse with a plain ``IgnoreRequest`` (and the off-site one silently,
when a redirect is scheduled). Each class here extends one of them at the hook Scrapy offers
and raises a :class:`~newscrawl.exceptions.Refused` instead, which reaches the request's
errback; the spider writes its ``reason`` to the rejects feed. ``settings.py`` puts each one
in the place of the Scrapy middleware it extends:

=================================  ====  =====================================================
class                              at    refuses with
=================================  ====  =====================================================
:class:`SiteOffsiteMiddleware`     50    ``offsite``: a host (and port) not the site's
:class:`TrapMiddleware`            60    ``trap``: :func:`trap_reason` (calendar, search, …)
:class:`RobotsTxtRefusals`         100   ``robots_disallowed``
:class:`SizeLimitedCompression`    590   ``too_large``: over ``DOWNLOAD_MAXSIZE`` decompressed
:class:`GuardedRedirectMiddleware` 600   ``offsite_redirect``, ``redirect_loop``
=================================  ====  =====================================================

Every refusal counts ``newscrawl/guard/<reason>`` and is logged at INFO.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from scrapy import Request, signals
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from newscrawl.config import read_bool
from newscrawl.exceptions import (
    Offsite,
    OffsiteRedirect,
    RedirectLoop,
    Refusal,
    RobotsDisallowed,
    TooLarge,
    Trap,
)
from newscrawl.urls import site_from_settings

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

_CALENDAR = re.compile(r"/(?:date|calendar|events?)/\d{4}(?:/\d{1,2}){0,2}/?$|/\d{4}/\d{2}/?$")
_SEARCH = re.compile(r"/search(?:/|$)")
_QUERY_TRAPS = {
    **dict.fromkeys(("s", "q", "search"), "search"),
    **dict.fromkeys(("sid", "session", "sessionid", "phpsessid", "jsessionid", "replytocom"),
                    "session"),
    **dict.fromkeys(("calendar", "ical", "month", "year", "date"), "calendar"),
}
_SESSION_PATH = re.compile(r";\s*(?:jsessionid|phpsessid|sid)=", re.I)
_DEEP_PAGE = re.compile(r"/page/(\d+)/?$")
MAX_PAGE = 200
"""A listing ``page`` number above this is a trap (``/page/{n}/`` or ``?page=n``)."""


def trap_reason(url: str) -> str | None:
    """Why ``url`` is a crawler trap (``calendar``, ``search``, ``session``, ``paging``), or
    None. Endless by construction: each page links to one more."""
    parts = urlsplit(url)
    path = parts.path
    if _SESSION_PATH.search(path):
        return "session"
    if _CALENDAR.search(path):
        return "calendar"
    if _SEARCH.search(path):
        return "search"
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        key = key.lower()
        if key in _QUERY_TRAPS:
            return _QUERY_TRAPS[key]
        if key in ("page", "paged") and value.isdigit() and int(value) > MAX_PAGE:
            return "paging"
    deep = _DEEP_PAGE.search(path)
    if deep and int(deep[1]) > MAX_PAGE:
        return "paging"
    return None


def refuse(crawler: Crawler, refusal: Refusal) -> Refusal:
    """Count and log ``refusal``; return it, to be raised."""
    crawler.stats.inc_value(f"newscrawl/guard/{refusal.reason}")
    logger.info("refused: %s", refusal)
    return refusal


class SiteOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's ``OffsiteMiddleware`` with the site's policy: a request is on site when its
    host *and port* are one of ``NEWSCRAWL_BASE_URL``'s host, its aliases (``www.`` and the bare
    host, ``localhost`` and ``127.0.0.1``) or ``NEWSCRAWL_HOST_ALIASES``. The spider's
    ``allowed_domains`` (host names without ports) play no part.

    A refusal is an :class:`~newscrawl.exceptions.Offsite` (an ``OffsiteRedirect`` for the
    target of a redirect) raised when the request is about to be downloaded, so its errback
    hears of it: Scrapy also checks requests as they are scheduled, where a refusal is dropped
    without a word, and that check is not connected here. ``allow_offsite`` and ``dont_filter``
    let a request through, as in Scrapy; :class:`GuardedRedirectMiddleware` checks every
    redirect itself, ``dont_filter`` or not.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteOffsiteMiddleware:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.stats)
        self.crawler = crawler
        self.site = site_from_settings(crawler.settings)

    def should_follow(self, request: Request, spider: Spider) -> bool:
        parts = urlparse_cached(request)
        return self.site.serves_host(parts.scheme, parts.netloc)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        try:
            super().process_request(request)
        except IgnoreRequest as exc:
            refused = OffsiteRedirect if request.meta.get("redirect_urls") else Offsite
            raise refuse(self.crawler, refused(request.url)) from exc


class TrapMiddleware:
    """Refuses (:class:`~newscrawl.exceptions.Trap`) a request whose URL :func:`trap_reason`
    names: the spider never asks for one, so this meets redirects and other components'
    requests."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TrapMiddleware:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    def process_request(self, request: Request) -> None:
        trap = trap_reason(request.url)
        if trap is not None:
            raise refuse(self.crawler, Trap(f"{trap}: {request.url}"))


class RobotsTxtRefusals(RobotsTxtMiddleware):
    """Scrapy's ``RobotsTxtMiddleware``; a disallowed URL is a
    :class:`~newscrawl.exceptions.RobotsDisallowed`.

    ``process_request_2`` is the rule check alone (the robots.txt is fetched and parsed before
    it): the only ``IgnoreRequest`` it raises is Scrapy's "Forbidden by robots.txt".
    """

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as exc:
            raise refuse(self.crawler, RobotsDisallowed(request.url)) from exc


class SizeLimitedCompression(HttpCompressionMiddleware):
    """Scrapy's ``HttpCompressionMiddleware``; a body that passes ``DOWNLOAD_MAXSIZE`` while it
    is decompressed is a :class:`~newscrawl.exceptions.TooLarge` (the only ``IgnoreRequest``
    Scrapy's ``process_response`` raises). A body over the limit before decompression never
    gets here: Scrapy's download handler cancels it (``DownloadCancelledError``, also
    ``too_large``)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SizeLimitedCompression:
        if not read_bool(crawler.settings, "COMPRESSION_ENABLED"):
            raise NotConfigured("COMPRESSION_ENABLED is False")
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler=crawler)
        self.crawler = crawler

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            size = getattr(exc.__cause__, "decompressed_size", None)
            detail = f"{request.url}: over DOWNLOAD_MAXSIZE decompressed ({size} B so far)"
            raise refuse(self.crawler, TooLarge(detail)) from exc


class GuardedRedirectMiddleware(RedirectMiddleware):
    """Scrapy's ``RedirectMiddleware``; the redirect it builds is refused when it leaves the
    site (:class:`~newscrawl.exceptions.OffsiteRedirect`, by
    :meth:`SiteOffsiteMiddleware.should_follow`) or goes back to a URL of its own chain
    (:class:`~newscrawl.exceptions.RedirectLoop`), and so is a chain past
    ``REDIRECT_MAX_TIMES`` (Scrapy's only ``IgnoreRequest`` here).

    Refused here, on the response, the redirect is never scheduled: a loop would otherwise end
    silently in the duplicate filter, and an off-site target would never reach the errback.
    """

    offsite: SiteOffsiteMiddleware | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GuardedRedirectMiddleware:
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.find_offsite, signal=signals.engine_started)
        return middleware

    def find_offsite(self) -> None:
        self.offsite = self.crawler.get_downloader_middleware(SiteOffsiteMiddleware)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        try:
            result = super().process_response(request, response)
        except IgnoreRequest as exc:
            detail = f"{request.url} ({self.max_redirect_times} redirects)"
            raise refuse(self.crawler, RedirectLoop(detail)) from exc
        if isinstance(result, Request):
            refusal = self.refusal(request, result)
            if refusal is not None:
                raise refuse(self.crawler, refusal)
        return result

    def refusal(self, request: Request, redirected: Request) -> Refusal | None:
        """Why the redirect from ``request`` to ``redirected`` is refused, or None."""
        hop = f"{request.url} -> {redirected.url}"
        spider = self.crawler.spider
        if self.offsite is not None and spider is not None and not self.offsite.should_follow(
                redirected, spider):
            return OffsiteRedirect(hop)
        chain = {url.partition("#")[0] for url in (*request.meta.get("redirect_urls", ()),
                                                   request.url)}
        if redirected.url.partition("#")[0] in chain:
            return RedirectLoop(f"{hop} (seen)")
        return None

"""Refusals at the door: off-site hosts (redirects included), redirect loops and URL traps.

Scrapy's ``OffsiteMiddleware`` checks host names without their port and filters a redirect
target when it is scheduled, silently: the request's errback never hears of it. This
middleware (``DOWNLOADER_MIDDLEWARES``, 650: its ``process_response`` sees a 3xx before
``RedirectMiddleware`` at 600) refuses, with an :class:`Refused` exception that reaches the
errback and names the reason:

* ``offsite_redirect``: a redirect to a host (and port) that is not the site's;
* ``redirect_loop``: a redirect back to a URL of the chain, or past ``REDIRECT_MAX_TIMES``;
* ``offsite``: a request to a host outside the site (a second line of defence);
* ``trap``: a URL that matches :func:`trap_reason` (calendar, search, session parameters).

:func:`download_reject` turns any download failure into the rejects-feed reason (or None for
requests skipped on purpose, such as the incremental middleware's).
Stats: ``newscrawl/guard/<reason>``.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from w3lib.url import safe_url_string

from newscrawl.config import read_int
from newscrawl.middlewares.retry import failure_reason
from newscrawl.urls import Site, site_from_settings

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

_REDIRECTS = {301, 302, 303, 307, 308}
_CALENDAR = re.compile(r"/(?:date|calendar|events?)/\d{4}(?:/\d{1,2}){0,2}/?$|/\d{4}/\d{2}/?$")
_SEARCH = re.compile(r"/search(?:/|$)")
_QUERY_TRAPS = {
    **dict.fromkeys(("s", "q", "search"), "search"),
    **dict.fromkeys(("sid", "session", "sessionid", "phpsessid", "jsessionid", "replytocom"),
                    "session"),
    **dict.fromkeys(("calendar", "ical", "month", "year", "date"), "calendar"),
}
_SESSION_PATH = re.compile(r";\s*(?:jsessionid|phpsessid|sid)=", re.I)
MAX_PAGE = 200
"""A listing ``page`` number above this is a trap (``/page/{n}/`` or ``?page=n``)."""


class Refused(IgnoreRequest):
    """A request refused on purpose, with the rejects-feed reason."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


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
    m = re.search(r"/page/(\d+)/?$", path)
    if m and int(m[1]) > MAX_PAGE:
        return "paging"
    return None


def redirect_refusal(request_url: str, location: str, site: Site, *, chain: list[str],
                     redirects: int, max_redirects: int) -> Refused | None:
    """The refusal of a redirect from ``request_url`` to ``location``, or None to follow it."""
    target = urljoin(request_url, safe_url_string(location)).partition("#")[0]
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() not in site.hosts:
        return Refused("offsite_redirect", f"{request_url} -> {target}")
    if target in {u.partition("#")[0] for u in (*chain, request_url)}:
        return Refused("redirect_loop", f"{request_url} -> {target} (seen)")
    if redirects >= max_redirects:
        return Refused("redirect_loop", f"{request_url} -> {target} ({redirects} redirects)")
    return None


def download_reject(exception: BaseException) -> tuple[str, str] | None:
    """(reason, detail) of a failed article download for the rejects feed; None when the
    request was skipped on purpose (incremental runs, JavaScript pages)."""
    if isinstance(exception, Refused):
        return exception.reason, exception.detail
    if isinstance(exception, HttpError):
        status = exception.response.status
        return f"http_{status}", f"HTTP {status}"
    if isinstance(exception, IgnoreRequest):
        message = str(exception)
        if message.startswith("Forbidden by robots.txt"):  # RobotsTxtMiddleware
            return "robots_disallowed", message
        if message.startswith("Filtered offsite request"):  # OffsiteMiddleware
            return "offsite", message
        if message.startswith("max redirections reached"):  # RedirectMiddleware
            return "redirect_loop", message
        return None
    return failure_reason(exception), f"{type(exception).__name__}: {exception}"


class GuardMiddleware:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GuardMiddleware:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.site = site_from_settings(settings)
        self.max_redirects = read_int(settings, "REDIRECT_MAX_TIMES")
        self.stats = crawler.stats

    def _refuse(self, refused: Refused) -> Refused:
        assert self.stats is not None
        self.stats.inc_value(f"newscrawl/guard/{refused.reason}")
        logger.info("refused: %s", refused)
        return refused

    def process_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.path == "/robots.txt" or parts.scheme == "data":  # data: never leaves
            return None
        if parts.netloc.lower() not in self.site.hosts:
            raise self._refuse(Refused("offsite", request.url))
        trap = trap_reason(request.url)
        if trap is not None:
            raise self._refuse(Refused("trap", f"{trap}: {request.url}"))
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in _REDIRECTS or not location or request.meta.get(
                "dont_redirect"):
            return response
        refused = redirect_refusal(
            request.url, location.decode("latin-1"), self.site,
            chain=list(request.meta.get("redirect_urls", [])),
            redirects=request.meta.get("redirect_times", 0),
            max_redirects=self.max_redirects)
        if refused is not None:
            raise self._refuse(refused)
        return response

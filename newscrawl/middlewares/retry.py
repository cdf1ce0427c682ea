"""Retries with exponential backoff that honour ``Retry-After``, without blocking the reactor.

Replaces Scrapy's ``RetryMiddleware`` (same place, 550; same settings ``RETRY_ENABLED``,
``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS``, ``RETRY_PRIORITY_ADJUST`` and
meta keys ``dont_retry``, ``max_retry_times``) and builds the retry with Scrapy's
:func:`~scrapy.downloadermiddlewares.retry.get_retry_request`. Before a retry is handed back it
waits :func:`backoff_delay` seconds on the reactor's clock (an ``async`` middleware method:
other requests go on meanwhile): ``NEWSCRAWL_RETRY_BACKOFF_SECONDS * 2 ** (try - 1)``, capped by
``NEWSCRAWL_RETRY_BACKOFF_MAX_SECONDS``, or the server's ``Retry-After`` when that is longer, capped
by ``NEWSCRAWL_RETRY_AFTER_MAX_SECONDS``. A waiting retry holds one of ``CONCURRENT_REQUESTS``.

Reasons are short names (:func:`failure_reason`): ``http_503``, ``timeout``,
``connection_lost``, … in ``retry/reason_count/<reason>`` and, when the request gives up, in
``newscrawl/retry/gave_up/<reason>``; the spider's errback writes the same reason to the
rejects feed.
"""

from __future__ import annotations

import email.utils
import logging
import time
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from twisted.internet import defer, error

from newscrawl.config import read_bool, read_float, read_int, read_log_level

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

RETRY_REASON_META = "newscrawl_retry_reason"
"""The reason of the last retry of a request (set on the retried copy)."""

_EXCEPTION_REASONS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, error.TimeoutError, defer.TimeoutError), "timeout"),
    ((ResponseDataLossError,), "connection_lost"),
    ((error.ConnectionLost, error.ConnectionDone), "connection_lost"),
    ((DownloadConnectionRefusedError, error.ConnectionRefusedError), "connection_refused"),
    ((CannotResolveHostError, error.DNSLookupError), "dns_error"),
    ((DownloadCancelledError,), "too_large"),
)


def failure_reason(exception: BaseException) -> str:
    """A short, stable name for a download exception (``timeout``, ``connection_lost``, …)."""
    for types, reason in _EXCEPTION_REASONS:
        if isinstance(exception, types):
            return reason
    causes: list[BaseException] = []
    cause: BaseException | None = exception
    while cause is not None and len(causes) < 5:
        causes.append(cause)
        cause = cause.__cause__ or cause.__context__
    text = " ".join(f"{type(c).__name__} {c}" for c in causes)
    if any(word in text for word in ("ResponseNeverReceived", "ConnectionLost", "ConnectionDone",
                                     "ResponseFailed", "closed cleanly", "connection was lost")):
        return "connection_lost"
    return "download_error"


def parse_retry_after(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def backoff_delay(tries: int, *, base: float, cap: float, retry_after: float | None = None,
                  retry_after_max: float = 60.0) -> float:
    """Seconds to wait before try number ``tries + 1`` (``tries`` >= 1 failed so far)."""
    delay = min(cap, base * 2 ** max(0, tries - 1)) if base > 0 else 0.0
    if retry_after is not None:
        delay = max(delay, min(retry_after, retry_after_max))
    return delay


async def sleep(seconds: float) -> None:
    """Wait on the reactor's clock (never ``time.sleep``)."""
    if seconds <= 0:
        return
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class BackoffRetryMiddleware:
    """In ``DOWNLOADER_MIDDLEWARES`` at 550, in place of Scrapy's ``RetryMiddleware``."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not read_bool(settings, "RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is False")
        self.crawler = crawler
        self.max_retry_times = read_int(settings, "RETRY_TIMES")
        self.retry_http_codes = {int(x) for x in settings.getlist("RETRY_HTTP_CODES")}
        self.priority_adjust = settings.getint("RETRY_PRIORITY_ADJUST")
        self.exceptions = tuple(
            load_object(x) if isinstance(x, str) else x
            for x in settings.getlist("RETRY_EXCEPTIONS"))
        self.base = read_float(settings, "NEWSCRAWL_RETRY_BACKOFF_SECONDS")
        self.cap = read_float(settings, "NEWSCRAWL_RETRY_BACKOFF_MAX_SECONDS")
        self.retry_after_max = read_float(settings, "NEWSCRAWL_RETRY_AFTER_MAX_SECONDS")
        self.give_up_log_level = read_log_level(settings, "RETRY_GIVE_UP_LOG_LEVEL")

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry_after = parse_retry_after(response.headers.get(b"Retry-After"))
        retry = await self._retry(request, f"http_{response.status}", retry_after)
        return retry or response

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if request.meta.get("dont_retry") or not isinstance(exception, self.exceptions):
            return None
        return await self._retry(request, failure_reason(exception), None)

    async def _retry(self, request: Request, reason: str,
                     retry_after: float | None) -> Request | None:
        assert self.crawler.spider is not None
        stats = self.crawler.stats
        assert stats is not None
        retry = get_retry_request(
            request, spider=self.crawler.spider, reason=reason,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            logger=logger, give_up_log_level=request.meta.get("give_up_log_level",
                                                              self.give_up_log_level))
        if retry is None:
            stats.inc_value(f"newscrawl/retry/gave_up/{reason}")
            return None
        retry.meta[RETRY_REASON_META] = reason
        delay = backoff_delay(retry.meta["retry_times"], base=self.base, cap=self.cap,
                              retry_after=retry_after, retry_after_max=self.retry_after_max)
        if retry_after is not None:
            stats.inc_value("newscrawl/retry/retry_after")
        stats.inc_value("newscrawl/retry/backoff_ms", round(delay * 1000))
        logger.debug("retrying %s (%s) in %.2fs", request.url, reason, delay)
        await sleep(delay)
        return retry

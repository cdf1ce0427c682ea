"""Scrapy's retries, with exponential backoff that honours ``Retry-After`` and never blocks.

:class:`BackoffRetryMiddleware` is Scrapy's ``RetryMiddleware`` (same place, 550; same settings
``RETRY_ENABLED``, ``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS``,
``RETRY_PRIORITY_ADJUST``, ``RETRY_GIVE_UP_LOG_LEVEL``; same meta keys ``dont_retry``,
``max_retry_times``, ``priority_adjust``, ``give_up_log_level``), extended in two ways:

* before a retry is handed back it waits :func:`backoff_delay` seconds on the reactor's clock
  (an ``async`` middleware method: other requests go on meanwhile):
  ``NEWSCRAWL_RETRY_BACKOFF_SECONDS * 2 ** (try - 1)``, capped by
  ``NEWSCRAWL_RETRY_BACKOFF_MAX_SECONDS``, or the server's ``Retry-After`` when that is longer,
  capped by ``NEWSCRAWL_RETRY_AFTER_MAX_SECONDS``. A waiting retry holds one of
  ``CONCURRENT_REQUESTS``;
* reasons are short names: ``http_503`` for a status, and
  :func:`~newscrawl.exceptions.failure_reason` of an exception (``timeout``,
  ``connection_lost``, …), in ``retry/reason_count/<reason>`` and, when the request gives up,
  in ``newscrawl/retry/gave_up/<reason>``. The spider's errback writes the same reason to the
  rejects feed.
"""

from __future__ import annotations

import email.utils
import time
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future

from newscrawl.config import BadSetting, read_bool, read_float, read_int, read_list, read_log_level
from newscrawl.exceptions import failure_reason

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings


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


def read_status_codes(settings: BaseSettings, name: str) -> set[int]:
    """HTTP status codes (100-599)."""
    codes = read_list(settings, name)
    if not all(code.isdigit() and 100 <= int(code) <= 599 for code in codes):
        raise BadSetting(name, "must be HTTP status codes (100-599)", settings.get(name))
    return {int(code) for code in codes}


class BackoffRetryMiddleware(RetryMiddleware):
    """In ``DOWNLOADER_MIDDLEWARES`` at 550, in place of Scrapy's ``RetryMiddleware``.

    ``process_response`` and ``process_exception`` are ``async`` (Scrapy awaits them): the
    decision is Scrapy's ``_retry`` (:func:`~scrapy.downloadermiddlewares.retry.get_retry_request`
    with the request's meta), then the wait.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not read_bool(settings, "RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is False")
        retry_http_codes = read_status_codes(settings, "RETRY_HTTP_CODES")
        give_up_log_level = read_log_level(settings, "RETRY_GIVE_UP_LOG_LEVEL")
        read_int(settings, "RETRY_PRIORITY_ADJUST", minimum=None)
        super().__init__(settings)
        self.crawler = crawler
        self.retry_http_codes = retry_http_codes
        self.give_up_log_level = give_up_log_level
        self.base = read_float(settings, "NEWSCRAWL_RETRY_BACKOFF_SECONDS")
        self.cap = read_float(settings, "NEWSCRAWL_RETRY_BACKOFF_MAX_SECONDS")
        self.retry_after_max = read_float(settings, "NEWSCRAWL_RETRY_AFTER_MAX_SECONDS")

    async def process_response(  # type: ignore[override]  # Scrapy awaits a coroutine
            self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, f"http_{response.status}")
        if retry is None:
            return response
        await self._wait(retry, parse_retry_after(response.headers.get(b"Retry-After")))
        return retry

    async def process_exception(  # type: ignore[override]  # Scrapy awaits a coroutine
            self, request: Request, exception: Exception) -> Request | None:
        if request.meta.get("dont_retry") or not isinstance(exception,
                                                            self.exceptions_to_retry):
            return None
        retry = self._retry(request, failure_reason(exception))
        if retry is not None:
            await self._wait(retry, None)
        return retry

    def _retry(self, request: Request, reason: str | Exception | type[Exception],
               ) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is None:
            self.crawler.stats.inc_value(f"newscrawl/retry/gave_up/{reason}")
        return retry

    async def _wait(self, retry: Request, retry_after: float | None) -> None:
        delay = backoff_delay(retry.meta["retry_times"], base=self.base, cap=self.cap,
                              retry_after=retry_after, retry_after_max=self.retry_after_max)
        stats = self.crawler.stats
        if retry_after is not None:
            stats.inc_value("newscrawl/retry/retry_after")
        stats.inc_value("newscrawl/retry/backoff_ms", round(delay * 1000))
        await sleep(delay)

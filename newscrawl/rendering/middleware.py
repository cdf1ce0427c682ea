"""Run-level behaviour of JavaScript rendering, as one downloader middleware.

- At ``spider_opened``: when Chromium is missing, ONE clear line, the stat
  ``newscrawl/js/unavailable``, then by ``NEWSCRAWL_JS_ON_MISSING`` either close the run
  (finish reason ``js_unavailable``) or go on without JavaScript.
- When the browser fails to start (it exists but does not launch), the same, on the first
  rendered request; with ``continue`` the remaining browser requests are refused
  (:class:`~newscrawl.exceptions.RenderingUnavailable`, ``newscrawl/js/skipped``) instead of
  each retrying the launch.
- Stats: ``newscrawl/js/rendered`` (responses the browser produced), ``newscrawl/js/errors``
  (browser requests that failed: navigation timeout, selector never filled, crash),
  ``newscrawl/js/render_seconds`` (time in the browser for them, launch excluded).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import Request, signals
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from newscrawl.exceptions import RenderingUnavailable
from newscrawl.rendering.config import (
    chromium_path,
    chromium_problem,
    js_requested,
    on_missing,
    unavailable_message,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

FINISH_REASON = "js_unavailable"
STAT_UNAVAILABLE = "newscrawl/js/unavailable"
STAT_RENDERED = "newscrawl/js/rendered"
STAT_ERRORS = "newscrawl/js/errors"
STAT_SKIPPED = "newscrawl/js/skipped"
STAT_SECONDS = "newscrawl/js/render_seconds"

#: Counted by scrapy-playwright once a browser has started.
BROWSER_COUNT_STAT = "playwright/browser_count"


def first_line(exception: BaseException) -> str:
    """The first line of an exception's message (Playwright appends the browser's log), or its
    type's name. For people only: nothing is decided on it."""
    text = str(exception).strip()
    return text.splitlines()[0] if text else type(exception).__name__


class RenderingMiddleware:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderingMiddleware:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        if not js_requested(crawler.settings):
            raise NotConfigured("NEWSCRAWL_JS_ENABLED is False")
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = chromium_path(crawler.settings)
        self.on_missing = on_missing(crawler.settings)
        self.unavailable = False
        from playwright.async_api import Error  # only with rendering on

        self.playwright_error = Error
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    def spider_opened(self) -> None:
        problem = chromium_problem(self.path)
        if problem is not None:
            self._browser_unavailable(problem)
        else:
            logger.info("JavaScript rendering on: Chromium %s", self.path)

    def _browser_unavailable(self, problem: str) -> None:
        """Report once; close the run (``fail``) or go on without JavaScript (``continue``)."""
        if self.unavailable:
            return
        self.unavailable = True
        self.stats.set_value(STAT_UNAVAILABLE, 1)
        message = unavailable_message(self.path, problem)
        if self.on_missing == "fail":
            logger.error(message)
            if self.crawler.engine.running and self.crawler.engine.spider is not None:
                closing = deferred_from_coro(
                    self.crawler.engine.close_spider_async(reason=FINISH_REASON))
                closing.addErrback(lambda f: logger.error("closing failed: %s", f.value))
                return
            raise CloseSpider(FINISH_REASON)
        logger.warning("%s (continuing without JavaScript: NEWSCRAWL_JS_ON_MISSING=continue)",
                       message)

    def is_launch_failure(self, exception: BaseException) -> bool:
        """True when ``exception`` says the browser did not start: a Playwright error while no
        browser has started yet (scrapy-playwright launches it for the first rendered request
        and counts ``playwright/browser_count`` once it runs), or the browser file is gone.
        Decided on the type and on that state, never on Playwright's wording."""
        if chromium_problem(self.path) is not None:
            return True
        return (isinstance(exception, self.playwright_error)
                and not self.stats.get_value(BROWSER_COUNT_STAT))

    def process_request(self, request: Request) -> None:
        if self.unavailable and request.meta.get("playwright"):
            self.stats.inc_value(STAT_SKIPPED)
            raise RenderingUnavailable(request.url)

    def process_response(self, request: Request, response: Response) -> Response:
        if "playwright" in response.flags:
            self.stats.inc_value(STAT_RENDERED)
            # navigation + page actions + serialising the DOM (not the browser launch)
            seconds = round(float(request.meta.get("download_latency") or 0.0), 3)
            total = float(self.stats.get_value(STAT_SECONDS, 0.0)) + seconds
            self.stats.set_value(STAT_SECONDS, round(total, 3))
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not request.meta.get("playwright"):
            return
        self.stats.inc_value(STAT_ERRORS)
        if self.is_launch_failure(exception):
            self._browser_unavailable(f"failed to start ({first_line(exception)})")
            raise RenderingUnavailable(request.url)
        logger.warning("rendering %s failed: %s", request.url, first_line(exception))

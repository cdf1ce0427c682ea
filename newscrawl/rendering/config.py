"""The scrapy-playwright settings that JavaScript rendering needs, as plain functions.

Nothing here imports Playwright: a crawl with ``NEWSCRAWL_JS_ENABLED`` off loads this module
(through the add-on) and stops at :func:`js_requested`. Each reader checks its setting and
raises :class:`~newscrawl.config.BadSetting` for a value it cannot use.
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newscrawl.config import read_bool, read_choice, read_float, read_int

if TYPE_CHECKING:
    from playwright.async_api import Request as PlaywrightRequest
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ENV = "NEWSCRAWL_CHROMIUM"
ON_MISSING = ("fail", "continue")

#: Chromium flags. We run as root in containers (no sandbox possible), headless without a GPU,
#: and the browser must not phone home: no QUIC, background networking, component updates,
#: sync or first-run tasks. Each request it makes is one the crawl asked for.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

#: Resource types the browser never downloads: links are built by scripts and XHR/fetch.
ABORTED_RESOURCE_TYPES = frozenset({"image", "font", "media", "stylesheet"})


def js_requested(settings: BaseSettings) -> bool:
    """True when the run asks for JavaScript rendering (``NEWSCRAWL_JS_ENABLED``)."""
    return read_bool(settings, "NEWSCRAWL_JS_ENABLED")


def js_enabled(crawler: Crawler) -> bool:
    """True when JavaScript pages can be requested in this run: rendering was asked for and
    the browser download handler is installed (it is not when Chromium is missing and
    ``NEWSCRAWL_JS_ON_MISSING=continue``)."""
    settings = crawler.settings
    return js_requested(settings) and (
        settings.getdict("DOWNLOAD_HANDLERS").get(site_scheme(settings)) == PLAYWRIGHT_HANDLER
    )


def site_scheme(settings: BaseSettings) -> str:
    """``http`` or ``https``: the scheme of ``NEWSCRAWL_BASE_URL``."""
    return urlsplit(settings.get("NEWSCRAWL_BASE_URL") or "https://").scheme or "https"


def chromium_path(settings: BaseSettings) -> str:
    """The browser to launch: ``NEWSCRAWL_CHROMIUM_PATH``, else the environment variable of that
    name, else ``/usr/bin/chromium``. A bare name is looked up on ``PATH``."""
    path = (settings.get("NEWSCRAWL_CHROMIUM_PATH") or os.environ.get(CHROMIUM_ENV)
            or DEFAULT_CHROMIUM)
    if os.sep not in path:
        path = shutil.which(path) or path
    return path


def chromium_problem(path: str) -> str | None:
    """Why ``path`` cannot be launched, or None when it is an executable file."""
    if not os.path.exists(path):
        return "not found"
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        return "not an executable file"
    return None


def unavailable_message(path: str, problem: str) -> str:
    """The one line a run prints when the browser cannot be used."""
    return (f"JavaScript rendering needs Chromium at {path}: {problem} — apt-get install "
            f"chromium, or set NEWSCRAWL_CHROMIUM_PATH, or NEWSCRAWL_JS_ENABLED=0")


def on_missing(settings: BaseSettings) -> str:
    """``NEWSCRAWL_JS_ON_MISSING``: ``fail`` (default) or ``continue``."""
    return read_choice(settings, "NEWSCRAWL_JS_ON_MISSING", ON_MISSING)


def timeout_ms(settings: BaseSettings) -> float:
    """``NEWSCRAWL_JS_TIMEOUT_SECONDS`` (seconds) in milliseconds: navigation, launch and waits."""
    return read_float(settings, "NEWSCRAWL_JS_TIMEOUT_SECONDS", above=True) * 1000


def playwright_settings(settings: BaseSettings) -> dict[str, Any]:
    """The scrapy-playwright settings for this run's ``NEWSCRAWL_*`` values.

    One browser, one context (``PLAYWRIGHT_MAX_CONTEXTS``), at most ``NEWSCRAWL_JS_MAX_PAGES``
    pages open at once; a navigation timeout; images, fonts, media and stylesheets aborted.
    The download handler serves only requests with ``meta["playwright"]``: everything else
    it hands to Scrapy's HTTP/1.1 handler unchanged. It is installed for the site's scheme
    only: Scrapy builds one handler per scheme, and each would start its own Playwright driver.
    """
    max_pages = read_int(settings, "NEWSCRAWL_JS_MAX_PAGES", minimum=1)
    timeout = timeout_ms(settings)
    return {
        "DOWNLOAD_HANDLERS": {site_scheme(settings): PLAYWRIGHT_HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": chromium_path(settings),
            "headless": True,
            "args": list(CHROMIUM_ARGS),
            "timeout": timeout,
        },
        "PLAYWRIGHT_ABORT_REQUEST": "newscrawl.rendering.config.should_abort_request",
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": max_pages,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout,
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
    }


def should_abort_request(request: PlaywrightRequest) -> bool:
    """``PLAYWRIGHT_ABORT_REQUEST``: the browser skips images, fonts, media and styles."""
    return request.resource_type in ABORTED_RESOURCE_TYPES

"""The add-on that turns JavaScript rendering on for a run.

Scrapy calls :meth:`JavaScriptRendering.update_settings` after the spider's ``from_crawler``
(which maps ``-a js=1`` onto ``NEWSCRAWL_JS_ENABLED``) and before the settings freeze, so the one
switch decides everything: with ``NEWSCRAWL_JS_ENABLED`` off the add-on changes nothing and
scrapy-playwright is never imported; with it on, the browser download handler and its limits
are installed, plus :class:`~newscrawl.rendering.middleware.RenderingMiddleware` (stats, and
the clear line when Chromium is missing or fails to start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newscrawl.rendering.config import (
    chromium_path,
    chromium_problem,
    js_requested,
    on_missing,
    playwright_settings,
)
from newscrawl.rendering.middleware import RenderingMiddleware

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

#: Next to the download handler, so it sees browser errors before the retry middleware.
MIDDLEWARE_PRIORITY = 950


class JavaScriptRendering:
    """``ADDONS = {"newscrawl.rendering.JavaScriptRendering": 0}`` (set in settings.py)."""

    def update_settings(self, settings: BaseSettings) -> None:
        # Checked even when rendering is off, so a typo is found before the day it is needed.
        on_missing(settings)
        playwright_settings(settings)
        if not js_requested(settings):
            return
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", RenderingMiddleware, MIDDLEWARE_PRIORITY)
        if chromium_problem(chromium_path(settings)) is not None:
            # No handler: no browser is started. The middleware reports it at spider_opened
            # and, by NEWSCRAWL_JS_ON_MISSING, closes the run or lets it go on without JS.
            return
        for name, value in playwright_settings(settings).items():
            settings.set(name, value, priority="addon")

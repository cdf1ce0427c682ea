"""JavaScript rendering with scrapy-playwright and Debian's Chromium, only where needed.

- :mod:`~newscrawl.rendering.config`: the scrapy-playwright settings, as plain functions;
- :mod:`~newscrawl.rendering.addon`: :class:`JavaScriptRendering`, which installs them when
  ``NEWSCRAWL_JS_ENABLED`` is on (and nothing otherwise: no browser, no Playwright import);
- :mod:`~newscrawl.rendering.middleware`: stats, and the clear line when Chromium is missing;
- :mod:`~newscrawl.rendering.requests`: the ranking page and category pages with load more.
"""

from __future__ import annotations

from newscrawl.rendering.addon import JavaScriptRendering
from newscrawl.rendering.config import js_enabled

__all__ = ["JavaScriptRendering", "js_enabled"]

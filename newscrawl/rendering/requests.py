"""Requests for the pages whose links a script builds, and the page actions they need.

Every other request of the crawl stays plain HTTP: only these carry ``meta["playwright"]``.
No request here asks for ``playwright_include_page``, so scrapy-playwright closes each page
itself once the response is built, and on every error path (failed navigation, an action
that timed out, a crash).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy_playwright.page import PageMethod  # plain class: imports no Playwright

from newscrawl.meta import JS_META
from newscrawl.pages.ranking import RANGES, ranking_list_selector
from newscrawl.urls import Site

if TYPE_CHECKING:
    from playwright.async_api import Page

logger = logging.getLogger(__name__)

#: Category listings: the items the server renders and load more appends, and the button.
CATEGORY_ITEM_SELECTOR = "section.category-list li a[href]"
LOAD_MORE_SELECTOR = "button.load-more"
#: Above article requests (0): rendered while the plain HTTP crawl goes on, not in a serial
#: tail after it (Scrapy's queue is last-in, first-out within a priority).
CATEGORY_PRIORITY = 10
#: How long one click may take to append items before the list counts as finished.
CLICK_WAIT_MS = 10_000


#: True once every ranking list on the page has items (the page's own lists and the sidebar
#: widget are filled by separate fetches) and each wanted range has a link.
RANKING_FILLED_JS = """wanted => wanted.every(sel => document.querySelector(sel))
    && [...document.querySelectorAll('[data-range] ol, [data-range] ul')]
        .every(list => list.children.length > 0)"""


def _playwright_meta(page_methods: list[PageMethod], kind: str) -> dict[str, Any]:
    return {"playwright": True, "playwright_page_methods": page_methods, JS_META: kind}


def ranking_request(site: Site, *, callback: Callable[..., Any],
                    errback: Callable[..., Any] | None = None,
                    ranges: tuple[str, ...] = RANGES, timeout_ms: float = 30_000) -> Request:
    """The ranking page, rendered once, returned when every range's list is filled."""
    waits = [PageMethod("wait_for_function", RANKING_FILLED_JS,
                        arg=[ranking_list_selector(range_) for range_ in ranges],
                        timeout=timeout_ms)]
    # dont_filter: a listing is read on every run, and a resumed JOBDIR run must not have its
    # ranking page dropped by the persisted duplicate filter (the crawl waits for it).
    return Request(f"{site.base_url}ranking/", callback=callback, errback=errback,
                   meta=_playwright_meta(waits, "ranking"),
                   cb_kwargs={"ranges": ranges}, dont_filter=True)


def category_request(site: Site, category: str, *, want: int, callback: Callable[..., Any],
                     errback: Callable[..., Any] | None = None, max_clicks: int = 20,
                     timeout_ms: float = 30_000) -> Request:
    """The category page ``{base}{category}/`` with load more clicked until ``want`` links,
    the end of the list (the button gone or disabled, or a click appending nothing), or
    ``max_clicks``. :func:`load_more_clicks` reads the number of clicks from the response's
    meta."""
    click = PageMethod(click_load_more, want=want, max_clicks=max_clicks,
                       wait_ms=min(CLICK_WAIT_MS, timeout_ms))
    return Request(f"{site.base_url}{category}/", callback=callback, errback=errback,
                   priority=CATEGORY_PRIORITY,
                   meta=_playwright_meta([click], "category"),
                   cb_kwargs={"category": category, "want": want})


def load_more_clicks(request_meta: dict[str, Any]) -> int | None:
    """The clicks :func:`click_load_more` made for a rendered category response."""
    for method in request_meta.get("playwright_page_methods") or ():
        if isinstance(method, PageMethod) and method.method is click_load_more:
            return method.result if isinstance(method.result, int) else None
    return None


async def count_items(page: Page, selector: str = CATEGORY_ITEM_SELECTOR) -> int:
    """Distinct article URLs under ``selector`` (a title and a photo link count once)."""
    count = await page.evaluate(
        "sel => new Set([...document.querySelectorAll(sel)].map(a => a.href)).size", selector)
    return int(count)


async def click_load_more(page: Page, *, want: int, max_clicks: int, wait_ms: float,
                          items: str = CATEGORY_ITEM_SELECTOR,
                          button: str = LOAD_MORE_SELECTOR) -> int:
    """Click ``button`` until ``items`` reaches ``want``; returns the clicks made."""
    # Imported here: this runs only in the browser, and a crawl without JavaScript never
    # imports Playwright.
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    clicks = 0
    count = await count_items(page, items)
    while count < want and clicks < max_clicks:
        target = page.locator(button).first
        if not await target.count() or not await target.is_visible() \
                or not await target.is_enabled():
            break
        await target.click(timeout=wait_ms)
        clicks += 1
        try:
            await page.wait_for_function(
                """([sel, n]) => new Set([...document.querySelectorAll(sel)]
                                   .map(a => a.href)).size > n""",
                arg=[items, count], timeout=wait_ms)
        except PlaywrightTimeout:  # the click appended nothing: the end of the list
            logger.debug("load more on %s appended nothing after %d clicks", page.url, clicks)
            break
        count = await count_items(page, items)
    logger.debug("load more on %s: %d clicks, %d items", page.url, clicks, count)
    return clicks

"""The add-on's settings decisions, without a browser or a crawl."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newscrawl.exceptions import RenderingUnavailable
from newscrawl.rendering import JavaScriptRendering
from newscrawl.rendering.config import (
    PLAYWRIGHT_HANDLER,
    chromium_path,
    chromium_problem,
    should_abort_request,
)
from newscrawl.rendering.middleware import RenderingMiddleware
from tests.support import newscrawl_defaults


def settings_after_addon(**values: object) -> Settings:
    settings = Settings(newscrawl_defaults(
        NEWSCRAWL_BASE_URL="https://www.kangnamtimes.com/ja/", **values))
    JavaScriptRendering().update_settings(settings)
    return settings


def test_js_off_changes_nothing_and_imports_no_browser() -> None:
    settings = settings_after_addon(NEWSCRAWL_JS_ENABLED=False)
    assert settings.getdict("DOWNLOAD_HANDLERS") == {}
    assert "PLAYWRIGHT_LAUNCH_OPTIONS" not in settings
    code = ("import sys, newscrawl.settings, newscrawl.spiders.kangnamtimes;"
            "print(any(m.startswith(('playwright', 'scrapy_playwright.handler'))"
            " for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_js_on_installs_the_handler_for_the_site_scheme_only(tmp_path: Path) -> None:
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    settings = settings_after_addon(NEWSCRAWL_JS_ENABLED=True, NEWSCRAWL_CHROMIUM_PATH=str(browser),
                                    NEWSCRAWL_JS_MAX_PAGES=3, NEWSCRAWL_JS_TIMEOUT_SECONDS=12)
    assert settings.getdict("DOWNLOAD_HANDLERS") == {"https": PLAYWRIGHT_HANDLER}
    launch = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert launch["executable_path"] == str(browser)
    assert "--no-sandbox" in launch["args"]
    assert settings.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT") == 3
    assert settings.getint("PLAYWRIGHT_MAX_CONTEXTS") == 1
    assert settings.getfloat("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT") == 12_000


def test_missing_chromium_installs_no_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCRAWL_CHROMIUM", "/nonexistent")
    settings = settings_after_addon(NEWSCRAWL_JS_ENABLED=True)
    assert chromium_path(settings) == "/nonexistent"
    assert chromium_problem("/nonexistent") == "not found"
    assert settings.getdict("DOWNLOAD_HANDLERS") == {}
    assert any("RenderingMiddleware" in str(k)
               for k in settings.getdict("DOWNLOADER_MIDDLEWARES"))


def test_invalid_on_missing_value_is_refused() -> None:
    with pytest.raises(ValueError, match="NEWSCRAWL_JS_ON_MISSING"):
        settings_after_addon(NEWSCRAWL_JS_ENABLED=True, NEWSCRAWL_JS_ON_MISSING="ignore")


@pytest.mark.parametrize("resource_type, aborted", [
    ("image", True), ("font", True), ("media", True), ("stylesheet", True),
    ("document", False), ("script", False), ("xhr", False), ("fetch", False),
])
def test_the_browser_downloads_only_what_builds_the_links(resource_type: str,
                                                          aborted: bool) -> None:
    """Replaces a crawl assertion that could not fail (aborted requests >= 0): the replica's
    ranking page has no image or style to abort, so the predicate is checked directly."""
    request = SimpleNamespace(resource_type=resource_type)
    assert should_abort_request(request) is aborted  # type: ignore[arg-type]


def rendering_middleware(tmp_path: Path, browser: str) -> RenderingMiddleware:
    crawler = get_crawler(settings_dict=newscrawl_defaults(
        NEWSCRAWL_BASE_URL="https://www.kangnamtimes.com/ja/", NEWSCRAWL_JS_ENABLED=True,
        NEWSCRAWL_CHROMIUM_PATH=browser))
    crawler.stats.open_spider()
    return RenderingMiddleware(crawler)


def test_a_launch_failure_is_told_by_type_and_state_not_by_wording(tmp_path: Path) -> None:
    from playwright.async_api import Error, TimeoutError

    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\nexit 1\n")
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    middleware = rendering_middleware(tmp_path, str(browser))
    # before any browser started, any Playwright error is the launch failing, whatever it says
    assert middleware.is_launch_failure(Error("Target page, context or browser has been closed"))
    assert middleware.is_launch_failure(TimeoutError("Timeout 30000ms exceeded"))
    assert not middleware.is_launch_failure(ValueError("BrowserType.launch: Failed to launch"))
    middleware.stats.set_value("playwright/browser_count", 1)  # scrapy-playwright: it runs
    assert not middleware.is_launch_failure(Error("BrowserType.launch: Failed to launch"))
    browser.unlink()  # the file gone: the browser cannot start again
    assert middleware.is_launch_failure(Error("net::ERR_CONNECTION_REFUSED"))


def test_requests_after_a_failed_launch_are_refused_with_a_reason(tmp_path: Path) -> None:
    from playwright.async_api import Error

    middleware = rendering_middleware(tmp_path, "/bin/false")
    middleware.on_missing = "continue"
    request = Request("https://www.kangnamtimes.com/ja/ranking/", meta={"playwright": True})
    with pytest.raises(RenderingUnavailable):
        middleware.process_exception(request, Error("Target closed"))
    with pytest.raises(RenderingUnavailable) as refused:
        middleware.process_request(request)
    assert refused.value.reason == "js_unavailable"
    assert middleware.stats.get_value("newscrawl/js/unavailable") == 1
    middleware.process_request(Request("https://www.kangnamtimes.com/ja/"))  # passes

"""The crawler's side of each fault, as plain functions and thin components."""

from __future__ import annotations

import asyncio
import email.utils
import logging
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionDone

from newscrawl import settings as project_settings
from newscrawl.config import BadSetting, ContactUserAgent, user_agent
from newscrawl.extensions.checks import ScrapySettingsCheck
from newscrawl.middlewares.guard import (
    GuardMiddleware,
    Refused,
    download_reject,
    redirect_refusal,
    trap_reason,
)
from newscrawl.middlewares.retry import (
    BackoffRetryMiddleware,
    backoff_delay,
    failure_reason,
    parse_retry_after,
)
from newscrawl.pages.encoding import looks_misdecoded, response_text
from newscrawl.spiders.kangnamtimes import KangnamTimesSpider
from newscrawl.urls import Site
from tests.support import built_crawler, newscrawl_defaults

BASE = "http://127.0.0.1:8765/ja/"
JA = "日本語の記事です。政府は十二日、新しい方針を発表した。" * 20


def project() -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    return settings


# --- retries -------------------------------------------------------------------------------


def test_backoff_is_exponential_capped_and_honours_retry_after() -> None:
    delays = [backoff_delay(n, base=1, cap=5) for n in (1, 2, 3, 4)]
    assert delays == [1, 2, 4, 5]
    assert backoff_delay(1, base=1, cap=5, retry_after=30, retry_after_max=10) == 10
    assert backoff_delay(3, base=1, cap=5, retry_after=2, retry_after_max=10) == 4
    assert backoff_delay(2, base=0, cap=5) == 0


def test_retry_after_seconds_or_date() -> None:
    assert parse_retry_after(b"120") == 120
    now = 1_000_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(30)
    assert parse_retry_after(b"soon") is None and parse_retry_after(None) is None


def test_failure_reasons_are_short_names() -> None:
    assert failure_reason(DownloadTimeoutError("took too long")) == "timeout"
    assert failure_reason(ResponseDataLossError()) == "connection_lost"
    assert failure_reason(ConnectionDone()) == "connection_lost"
    assert failure_reason(DownloadCancelledError("max size")) == "too_large"
    assert failure_reason(ValueError("?")) == "download_error"


def retry_middleware(**extra: object) -> tuple[BackoffRetryMiddleware, object]:
    crawler = get_crawler(KangnamTimesSpider, {
        **newscrawl_defaults(), "NEWSCRAWL_BASE_URL": BASE, "RETRY_TIMES": 2,
        "NEWSCRAWL_RETRY_BACKOFF_SECONDS": 0,
        "NEWSCRAWL_RETRY_BACKOFF_MAX_SECONDS": 0, "NEWSCRAWL_RETRY_AFTER_MAX_SECONDS": 0, **extra})
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()
    return BackoffRetryMiddleware.from_crawler(crawler), crawler


def test_retry_middleware_retries_then_gives_up_with_a_counted_reason() -> None:
    mw, crawler = retry_middleware()
    request = Request(BASE + "report/article/1")
    answer = Response(request.url, status=503, headers={"Retry-After": "5"})
    for tries in (1, 2):
        retried = asyncio.run(mw.process_response(request, answer))
        assert isinstance(retried, Request) and retried.meta["retry_times"] == tries
        request = retried
    assert asyncio.run(mw.process_response(request, answer)) is answer
    stats = crawler.stats  # type: ignore[attr-defined]
    assert stats.get_value("retry/reason_count/http_503") == 2
    assert stats.get_value("newscrawl/retry/gave_up/http_503") == 1
    assert stats.get_value("newscrawl/retry/retry_after") == 2
    timeout = asyncio.run(mw.process_exception(Request(BASE), DownloadTimeoutError()))
    assert isinstance(timeout, Request)
    assert stats.get_value("retry/reason_count/timeout") == 1
    not_found = Response(BASE, status=404)
    assert asyncio.run(mw.process_response(request, not_found)) is not_found


def test_retry_middleware_off() -> None:
    crawler = get_crawler(KangnamTimesSpider, {"RETRY_ENABLED": False})
    with pytest.raises(NotConfigured):
        BackoffRetryMiddleware(crawler)


def test_project_settings_replace_scrapy_retry() -> None:
    middlewares = project().getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert middlewares["newscrawl.middlewares.retry.BackoffRetryMiddleware"] == 550
    assert middlewares["newscrawl.middlewares.guard.GuardMiddleware"] > 600  # before redirects


# --- refusals: robots.txt, off-site and looping redirects, traps, size --------------------


def test_redirects_off_the_site_or_in_a_loop_are_refused() -> None:
    site = Site(BASE)
    url = BASE + "report/article/1"
    for location in ("http://evil.invalid/ja/report/article/1",
                     "http://127.0.0.1:8766/ja/report/article/1", "ftp://127.0.0.1:8765/x"):
        refused = redirect_refusal(url, location, site, chain=[], redirects=0, max_redirects=5)
        assert refused is not None and refused.reason == "offsite_redirect"
    loop = redirect_refusal(url + "/", url, site, chain=[url], redirects=1, max_redirects=5)
    assert loop is not None and loop.reason == "redirect_loop"
    too_many = redirect_refusal(url, url + "?x=9", site, chain=[], redirects=5, max_redirects=5)
    assert too_many is not None and too_many.reason == "redirect_loop"
    alias = "http://localhost:8765/ja/report/article/1"
    assert redirect_refusal(BASE + "?p=1", alias, site, chain=[], redirects=0,
                            max_redirects=5) is None


def test_guard_middleware_raises_a_refusal_the_errback_can_name() -> None:
    crawler = get_crawler(KangnamTimesSpider, newscrawl_defaults(NEWSCRAWL_BASE_URL=BASE))
    crawler.stats.open_spider()
    guard = GuardMiddleware.from_crawler(crawler)
    request = Request(BASE + "report/article/1")
    moved = Response(request.url, status=302, headers={"Location": "http://evil.invalid/"})
    with pytest.raises(Refused) as refused:
        guard.process_response(request, moved)
    assert download_reject(refused.value) == ("offsite_redirect", refused.value.detail)
    with pytest.raises(Refused):
        guard.process_request(Request("http://127.0.0.1:9999/ja/report/article/1"))
    with pytest.raises(Refused):
        guard.process_request(Request(BASE + "date/2025/12/"))
    guard.process_request(Request(BASE + "report/article/1"))  # on site: no refusal
    assert crawler.stats.get_value("newscrawl/guard/offsite_redirect") == 1


@pytest.mark.parametrize("url, reason", [
    (BASE + "date/2025/12/", "calendar"), (BASE + "search/?s=x&page=3", "search"),
    (BASE + "?s=ロシア", "search"), (BASE + "report/?sid=abc123", "session"),
    (BASE + "report;jsessionid=1A2B", "session"), (BASE + "report/page/999/", "paging"),
    (BASE + "report/?month=2025-12", "calendar"),
    (BASE + "report/article/554641", None), (BASE + "?p=554641", None),
    (BASE + "report/page/2/", None),
])
def test_trap_rules(url: str, reason: str | None) -> None:
    assert trap_reason(url) == reason


def test_reasons_of_failed_downloads() -> None:
    robots = IgnoreRequest("Forbidden by robots.txt")
    assert download_reject(robots) == ("robots_disallowed", "Forbidden by robots.txt")
    assert download_reject(IgnoreRequest("max redirections reached"))[0] == "redirect_loop"  # type: ignore[index]
    assert download_reject(IgnoreRequest("article 1 is known and shows no change")) is None
    assert download_reject(DownloadCancelledError("larger than max size"))[0] == "too_large"  # type: ignore[index]
    assert download_reject(DownloadTimeoutError())[0] == "timeout"  # type: ignore[index]
    error = HttpError(Response(BASE, status=410), "Ignoring non-200 response")
    assert download_reject(error) == ("http_410", "HTTP 410")


def test_robots_message_is_scrapys() -> None:
    """The reason ``robots_disallowed`` relies on RobotsTxtMiddleware's message."""
    import inspect

    assert '"Forbidden by robots.txt"' in inspect.getsource(RobotsTxtMiddleware)


# --- encodings that lie --------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp"])
@pytest.mark.parametrize("ctype", ["text/html; charset=utf-8", "text/html; charset=iso-8859-1",
                                   "text/html"])
def test_lying_or_missing_labels_are_decoded_strictly(encoding: str, ctype: str) -> None:
    page = f'<html><head><meta charset="utf-8"></head><body><p>{JA}</p></body></html>'
    response = HtmlResponse(BASE, body=page.encode(encoding), headers={"Content-Type": ctype})
    assert looks_misdecoded(response.text)
    assert JA in response_text(response)


def test_true_labels_are_kept() -> None:
    page = f"<html><body><p>{JA}© 写真</p></body></html>"
    response = TextResponse(BASE, body=page.encode("utf-8"),
                            headers={"Content-Type": "text/html; charset=utf-8"})
    assert response_text(response) == response.text


# --- settings --------------------------------------------------------------------------------


def test_project_settings_are_valid(tmp_path: Path) -> None:
    crawler = built_crawler(tmp_path)
    assert crawler.get_extension(ScrapySettingsCheck) is not None


@pytest.mark.parametrize("name, value, expected", [
    ("DOWNLOAD_DELAY", "-1", "DOWNLOAD_DELAY: must be at least 0"),
    ("CONCURRENT_REQUESTS_PER_DOMAIN", "0", "CONCURRENT_REQUESTS_PER_DOMAIN: must be at least 1"),
    ("NEWSCRAWL_RETRY_BACKOFF_SECONDS", "fast",
     "NEWSCRAWL_RETRY_BACKOFF_SECONDS: must be a number"),
    ("NEWSCRAWL_JS_ON_MISSING", "maybe", "NEWSCRAWL_JS_ON_MISSING: must be one of fail, continue"),
    ("NEWSCRAWL_STATE_BACKEND", "redis", "NEWSCRAWL_STATE_BACKEND: must be one of"),
    ("NEWSCRAWL_STATE_BACKEND", "", "NEWSCRAWL_STATE_BACKEND: must be one of"),
    ("NEWSCRAWL_STATE_ENABLED", "abc", "NEWSCRAWL_STATE_ENABLED: must be true or false"),
    ("NEWSCRAWL_STATE_ENABLED", "", "NEWSCRAWL_STATE_ENABLED: must be true or false"),
    ("NEWSCRAWL_DEDUPE_ENABLED", "-1", "NEWSCRAWL_DEDUPE_ENABLED: must be true or false"),
    ("NEWSCRAWL_DEDUPE_THRESHOLD", "0", "NEWSCRAWL_DEDUPE_THRESHOLD: must be more than 0"),
    ("NEWSCRAWL_BASE_URL", "ftp://example.org/ja/", "NEWSCRAWL_BASE_URL: must be an http(s) URL"),
    ("NEWSCRAWL_BASE_URL", "www.kangnamtimes.com/ja/", "must be an http(s) URL"),
    ("NEWSCRAWL_BASE_URL", "http://[::1/ja/", "NEWSCRAWL_BASE_URL: must be an http(s) URL"),
    ("NEWSCRAWL_BASE_URL", "http://127.0.0.1:99999/ja/", "NEWSCRAWL_BASE_URL: must be"),
    ("NEWSCRAWL_FULL_CRAWL_ENABLED", "maybe",
     "NEWSCRAWL_FULL_CRAWL_ENABLED: must be true or false"),
    ("NEWSCRAWL_FOLLOW_BLOCKS", "latest,sidebar", "unknown value(s) sidebar"),
    ("NEWSCRAWL_FOLLOW_BLOCKS", "", "NEWSCRAWL_FOLLOW_BLOCKS: must name at least one"),
    ("NEWSCRAWL_MIN_PARSED_SHARE", "1.5", "NEWSCRAWL_MIN_PARSED_SHARE: must be at most 1"),
    ("NEWSCRAWL_CONTACT", "", "NEWSCRAWL_CONTACT: must be"),
    ("NEWSCRAWL_STATE_PATH", "/etc/hostname/state.sqlite3", "NEWSCRAWL_STATE_PATH: cannot write"),
    ("NEWSCRAWL_RECRAWL_WINDOW_HOURS", "-2", "NEWSCRAWL_RECRAWL_WINDOW_HOURS: must be at least 0"),
    ("NEWSCRAWL_JS_TIMEOUT_SECONDS", "0", "NEWSCRAWL_JS_TIMEOUT_SECONDS: must be more than 0"),
])
def test_bad_values_are_named(tmp_path: Path, name: str, value: str, expected: str) -> None:
    with pytest.raises(BadSetting) as raised:
        built_crawler(tmp_path, **{name: value})
    assert str(raised.value).startswith(f"bad setting {name}: ") and expected in str(raised.value)


def test_old_names_still_work_with_a_warning(tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    crawler = built_crawler(tmp_path, NEWSCRAWL_RECRAWL_WINDOW="6")
    assert crawler.settings.getfloat("NEWSCRAWL_RECRAWL_WINDOW_HOURS") == 6
    assert "NEWSCRAWL_RECRAWL_WINDOW is deprecated" in caplog.text
    with pytest.raises(BadSetting, match="NEWSCRAWL_JS_ENABLED"):
        built_crawler(tmp_path, NEWSCRAWL_JS="sometimes")


def test_user_agent_follows_the_contact() -> None:
    settings = project()
    settings.set("NEWSCRAWL_CONTACT", "mailto:ops@example.org", priority="cmdline")
    ContactUserAgent().update_settings(settings)
    assert settings["USER_AGENT"] == "newscrawl/0.1 (+mailto:ops@example.org)"
    assert project()["USER_AGENT"] == user_agent(project()["NEWSCRAWL_CONTACT"])
    settings.set("USER_AGENT", "mine/1.0", priority="cmdline")
    ContactUserAgent().update_settings(settings)
    assert settings["USER_AGENT"] == "mine/1.0"


def test_politeness_defaults() -> None:
    settings = project()
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings["NEWSCRAWL_CONTACT"] in settings["USER_AGENT"]
    assert "newscrawl.config.ContactUserAgent" in settings.getdict("ADDONS")


@pytest.mark.parametrize("level", ["WARNING", "ERROR", "INFO"])
def test_retry_give_up_log_level_is_honoured(level: str,
                                             caplog: pytest.LogCaptureFixture) -> None:
    mw, _ = retry_middleware(RETRY_TIMES=0, RETRY_GIVE_UP_LOG_LEVEL=level)
    request = Request(BASE + "report/article/1")
    answer = Response(request.url, status=503)
    with caplog.at_level(logging.DEBUG, logger="newscrawl.middlewares.retry"):
        assert asyncio.run(mw.process_response(request, answer)) is answer
    [gave_up] = [r for r in caplog.records if "Gave up retrying" in r.getMessage()]
    assert gave_up.levelname == level


def test_a_bad_give_up_log_level_is_a_bad_setting(tmp_path: Path) -> None:
    with pytest.raises(BadSetting, match="RETRY_GIVE_UP_LOG_LEVEL: must be a logging level"):
        built_crawler(tmp_path, RETRY_GIVE_UP_LOG_LEVEL="LOUD")

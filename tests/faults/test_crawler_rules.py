"""The crawler's side of each fault, as plain functions and thin components."""

from __future__ import annotations

import email.utils
import gzip
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import load_object
from scrapy.utils.python import global_object_name
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionDone
from twisted.python.failure import Failure
from twisted.web.client import ResponseNeverReceived

from newscrawl import settings as project_settings
from newscrawl.config import BadSetting, ContactUserAgent, user_agent
from newscrawl.exceptions import (
    NotModified,
    Offsite,
    OffsiteRedirect,
    RedirectLoop,
    RobotsDisallowed,
    Skipped,
    TooLarge,
    Trap,
    download_reject,
    failure_reason,
)
from newscrawl.extensions.checks import ScrapySettingsCheck
from newscrawl.meta import DECISION_META
from newscrawl.middlewares.guard import (
    GuardedRedirectMiddleware,
    RobotsTxtRefusals,
    SiteOffsiteMiddleware,
    SizeLimitedCompression,
    TrapMiddleware,
    trap_reason,
)
from newscrawl.middlewares.retry import BackoffRetryMiddleware, backoff_delay, parse_retry_after
from newscrawl.pages.encoding import looks_misdecoded, response_text
from newscrawl.spiders.kangnamtimes import KangnamTimesSpider
from newscrawl.urls import Site
from tests.support import built_crawler, newscrawl_defaults

T = TypeVar("T")
BASE = "http://127.0.0.1:8765/ja/"
JA = "日本語の記事です。政府は十二日、新しい方針を発表した。" * 20


def project() -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    return settings


def finished(coroutine: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never waits (retries here have no backoff)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    coroutine.close()
    raise AssertionError("the coroutine waited")


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


def wrapped(outer: type[Exception], inner: Exception) -> Exception:
    """``outer`` raised ``from inner``, as Scrapy wraps Twisted's errors."""
    try:
        raise outer(str(inner)) from inner
    except outer as exc:
        return exc


def test_failure_reasons_are_named_by_type() -> None:
    assert failure_reason(DownloadTimeoutError("took too long")) == "timeout"
    assert failure_reason(ResponseDataLossError()) == "connection_lost"
    assert failure_reason(ConnectionDone()) == "connection_lost"
    assert failure_reason(DownloadCancelledError("max size")) == "too_large"
    never = ResponseNeverReceived([Failure(ConnectionDone())])
    assert failure_reason(wrapped(DownloadFailedError, never)) == "connection_lost"
    assert failure_reason(wrapped(DownloadFailedError, ValueError("?"))) == "download_error"
    # the words of a message decide nothing
    assert failure_reason(ValueError("ResponseNeverReceived: connection was lost")) == (
        "download_error")


def retry_middleware(**extra: object) -> tuple[BackoffRetryMiddleware, Crawler]:
    crawler = get_crawler(KangnamTimesSpider, {
        **newscrawl_defaults(), "NEWSCRAWL_BASE_URL": BASE, "RETRY_TIMES": 2,
        "NEWSCRAWL_RETRY_BACKOFF_SECONDS": 0,
        "NEWSCRAWL_RETRY_BACKOFF_MAX_SECONDS": 0, "NEWSCRAWL_RETRY_AFTER_MAX_SECONDS": 0, **extra})
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()
    return BackoffRetryMiddleware.from_crawler(crawler), crawler


def test_retry_middleware_is_scrapys() -> None:
    mw, _ = retry_middleware()
    assert isinstance(mw, RetryMiddleware)


def test_retry_middleware_retries_then_gives_up_with_a_counted_reason() -> None:
    mw, crawler = retry_middleware()
    request = Request(BASE + "report/article/1")
    answer = Response(request.url, status=503, headers={"Retry-After": "5"})
    for tries in (1, 2):
        retried = finished(mw.process_response(request, answer))
        assert isinstance(retried, Request) and retried.meta["retry_times"] == tries
        request = retried
    assert finished(mw.process_response(request, answer)) is answer
    stats = crawler.stats
    assert stats.get_value("retry/reason_count/http_503") == 2
    assert stats.get_value("newscrawl/retry/gave_up/http_503") == 1
    assert stats.get_value("newscrawl/retry/retry_after") == 2
    timeout = finished(mw.process_exception(Request(BASE), DownloadTimeoutError()))
    assert isinstance(timeout, Request)
    assert stats.get_value("retry/reason_count/timeout") == 1
    not_found = Response(BASE, status=404)
    assert finished(mw.process_response(request, not_found)) is not_found


def give_up_levels(caplog: pytest.LogCaptureFixture, mw: BackoffRetryMiddleware,
                   **meta: object) -> list[str]:
    caplog.clear()
    request = Request(BASE + "report/article/1", meta={"retry_times": 2, **meta})
    finished(mw.process_response(request, Response(request.url, status=500)))
    return [r.levelname for r in caplog.records if r.getMessage().startswith("Gave up")]


def test_give_up_log_level_from_the_setting_or_the_meta_key(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    mw, _ = retry_middleware(RETRY_GIVE_UP_LOG_LEVEL="info")
    assert give_up_levels(caplog, mw) == ["INFO"]
    assert give_up_levels(caplog, mw, give_up_log_level=logging.CRITICAL) == ["CRITICAL"]
    mw, _ = retry_middleware(RETRY_GIVE_UP_LOG_LEVEL=logging.ERROR)
    assert give_up_levels(caplog, mw) == ["ERROR"]


def test_retry_middleware_off() -> None:
    crawler = get_crawler(KangnamTimesSpider, {"RETRY_ENABLED": False})
    with pytest.raises(NotConfigured):
        BackoffRetryMiddleware(crawler)


def test_project_settings_put_each_extension_in_scrapys_place() -> None:
    middlewares = project().getdict("DOWNLOADER_MIDDLEWARES")
    base = project().getdict("DOWNLOADER_MIDDLEWARES_BASE")
    for scrapy_path, ours in [
        ("scrapy.downloadermiddlewares.offsite.OffsiteMiddleware", SiteOffsiteMiddleware),
        ("scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware", RobotsTxtRefusals),
        ("scrapy.downloadermiddlewares.retry.RetryMiddleware", BackoffRetryMiddleware),
        ("scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware",
         SizeLimitedCompression),
        ("scrapy.downloadermiddlewares.redirect.RedirectMiddleware",
         GuardedRedirectMiddleware),
    ]:
        assert middlewares[scrapy_path] is None
        assert middlewares[global_object_name(ours)] == base[scrapy_path]
        assert issubclass(ours, load_object(scrapy_path))


# --- refusals: off-site, traps, robots.txt, redirects, size --------------------------------


def started_crawler(tmp_path: Path, **settings: object) -> Crawler:
    """Every component built, the engine started (so components find each other)."""
    crawler = built_crawler(tmp_path, NEWSCRAWL_BASE_URL=BASE, REMOTE_CONTROL_ENABLED=False,
                            **settings)
    crawler.stats.open_spider()
    crawler.signals.send_catch_log(signals.engine_started)
    return crawler


def downloader_middleware(crawler: Crawler, cls: type[T]) -> T:
    middleware = crawler.get_downloader_middleware(cls)
    assert middleware is not None
    return middleware


@pytest.mark.parametrize("url, follow", [
    (BASE + "report/article/1", True),
    ("http://localhost:8765/ja/report/article/1", True),  # the loopback alias
    ("http://127.0.0.1:8766/ja/report/article/1", False),  # same host, another port
    ("http://127.0.0.1/ja/report/article/1", False),
    ("http://evil.invalid/ja/report/article/1", False),
    ("https://www.kangnamtimes.com/ja/", False),
])
def test_offsite_policy_is_host_and_port(tmp_path: Path, url: str, follow: bool) -> None:
    crawler = started_crawler(tmp_path)
    offsite = downloader_middleware(crawler, SiteOffsiteMiddleware)
    assert crawler.spider is not None
    assert offsite.should_follow(Request(url), crawler.spider) is follow


def test_default_ports_and_aliases_are_one_host() -> None:
    site = Site("https://www.kangnamtimes.com/ja/", aliases=["mirror.example.org:8443"])
    assert site.serves_host("https", "www.kangnamtimes.com:443")
    assert site.serves_host("https", "KANGNAMTIMES.com")
    assert site.serves_host("https", "mirror.example.org:8443")
    assert not site.serves_host("https", "mirror.example.org")
    assert not site.serves_host("https", "www.kangnamtimes.com:8443")
    assert not site.serves_host("ftp", "www.kangnamtimes.com")


def test_offsite_requests_and_redirect_targets_are_typed_refusals(tmp_path: Path) -> None:
    crawler = started_crawler(tmp_path)
    offsite = downloader_middleware(crawler, SiteOffsiteMiddleware)
    with pytest.raises(Offsite):
        offsite.process_request(Request("http://127.0.0.1:9999/ja/report/article/1"))
    redirected = Request("http://127.0.0.1:9999/ja/report/article/1",
                         meta={"redirect_urls": [BASE + "report/article/1"]})
    with pytest.raises(OffsiteRedirect):
        offsite.process_request(redirected)
    offsite.process_request(Request(BASE + "report/article/1"))  # passes: no refusal
    assert crawler.stats.get_value("newscrawl/guard/offsite") == 1


def redirect(crawler: Crawler, url: str, location: str, **meta: object) -> Request | Response:
    guard = downloader_middleware(crawler, GuardedRedirectMiddleware)
    request = Request(url, meta=meta)
    return guard.process_response(request, Response(url, status=302,
                                                    headers={"Location": location}))


def test_redirects_off_the_site_or_in_a_loop_are_refused(tmp_path: Path) -> None:
    crawler = started_crawler(tmp_path, REDIRECT_MAX_TIMES=5)
    url = BASE + "report/article/1"
    for location in ("http://evil.invalid/ja/report/article/1",
                     "http://127.0.0.1:8766/ja/report/article/1"):
        with pytest.raises(OffsiteRedirect):
            redirect(crawler, url, location)
    with pytest.raises(RedirectLoop):  # back to a URL of the chain
        redirect(crawler, url + "/", url, redirect_urls=[url])
    with pytest.raises(RedirectLoop):  # past REDIRECT_MAX_TIMES
        redirect(crawler, url, url + "?x=9", redirect_times=5)
    alias = "http://localhost:8765/ja/report/article/1"
    followed = redirect(crawler, BASE + "?p=1", alias)
    assert isinstance(followed, Request) and followed.url == alias
    assert crawler.stats.get_value("newscrawl/guard/offsite_redirect") == 2
    assert crawler.stats.get_value("newscrawl/guard/redirect_loop") == 2


def test_a_retried_request_is_still_checked_when_redirected(tmp_path: Path) -> None:
    """Retries carry ``dont_filter``, which Scrapy's off-site check lets through."""
    crawler = started_crawler(tmp_path)
    with pytest.raises(OffsiteRedirect):
        redirect(crawler, BASE + "report/article/1", "http://evil.invalid/", retry_times=1)


def test_traps_are_refused(tmp_path: Path) -> None:
    crawler = started_crawler(tmp_path)
    traps = downloader_middleware(crawler, TrapMiddleware)
    with pytest.raises(Trap) as refused:
        traps.process_request(Request(BASE + "date/2025/12/"))
    assert refused.value.reason == "trap" and "calendar" in refused.value.detail
    traps.process_request(Request(BASE + "report/article/1"))  # passes: no refusal


def test_robots_refusal_is_typed(tmp_path: Path) -> None:
    crawler = started_crawler(tmp_path)
    robots = downloader_middleware(crawler, RobotsTxtRefusals)
    parser = ProtegoRobotParser.from_crawler(
        crawler, b"User-agent: *\nDisallow: /ja/report/article/2\n")
    robots.process_request_2(parser, Request(BASE + "report/article/1"))
    with pytest.raises(RobotsDisallowed):
        robots.process_request_2(parser, Request(BASE + "report/article/2"))


def test_a_body_over_the_limit_once_decompressed_is_too_large(tmp_path: Path) -> None:
    crawler = started_crawler(tmp_path, DOWNLOAD_MAXSIZE=10_000)
    compression = downloader_middleware(crawler, SizeLimitedCompression)
    body = b"<html><body>" + b" " * 50_000 + b"</body></html>"
    url = BASE + "report/article/1"
    small = Response(url, body=gzip.compress(body[:5_000]), headers={"Content-Encoding": "gzip"})
    assert compression.process_response(Request(url), small).body == body[:5_000]
    bomb = Response(url, body=gzip.compress(body), headers={"Content-Encoding": "gzip"})
    with pytest.raises(TooLarge):
        compression.process_response(Request(url), bomb)


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
    assert download_reject(RobotsDisallowed("x"), {}) == ("robots_disallowed", "x")
    assert download_reject(OffsiteRedirect("a -> b"), {}) == ("offsite_redirect", "a -> b")
    assert download_reject(NotModified("1"), {}) is None
    assert download_reject(Skipped("1"), {}) is None
    assert download_reject(DownloadCancelledError("larger than max size"), {})[0] == "too_large"  # type: ignore[index]
    assert download_reject(DownloadTimeoutError(), {})[0] == "timeout"  # type: ignore[index]
    error = HttpError(Response(BASE, status=410), "Ignoring non-200 response")
    assert download_reject(error, {}) == ("http_410", "HTTP 410")


def test_a_plain_ignore_request_is_a_reject_unless_the_incremental_policy_skipped_it() -> None:
    plain = IgnoreRequest("article 1 is known and shows no change")
    assert download_reject(plain, {DECISION_META: "skip"}) is None
    assert download_reject(IgnoreRequest("not modified (304)"),
                           {DECISION_META: "conditional"}) is None
    reason, detail = download_reject(plain, {DECISION_META: "fetch"}) or ("", "")
    assert reason == "ignored" and "known" in detail
    assert download_reject(IgnoreRequest("Forbidden by robots.txt"), {})[0] == "ignored"  # type: ignore[index]


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
    ("NEWSCRAWL_PARSE_PROCESSES", "-1", "NEWSCRAWL_PARSE_PROCESSES: must be at least 0"),
    ("NEWSCRAWL_PARSE_TIMEOUT_SECONDS", "soon",
     "NEWSCRAWL_PARSE_TIMEOUT_SECONDS: must be a number"),
    ("NEWSCRAWL_PARSE_TIMEOUT_SECONDS", "-5",
     "NEWSCRAWL_PARSE_TIMEOUT_SECONDS: must be at least 0"),
    ("NEWSCRAWL_PARSE_MEMORY_MB", "1.5GB", "NEWSCRAWL_PARSE_MEMORY_MB: must be a whole number"),
    ("NEWSCRAWL_MAX_ARTICLES", "-3", "NEWSCRAWL_MAX_ARTICLES: must be at least 0"),
    ("RETRY_GIVE_UP_LOG_LEVEL", "LOUD", "RETRY_GIVE_UP_LOG_LEVEL: must be a logging level"),
    ("RETRY_HTTP_CODES", "503,soon", "RETRY_HTTP_CODES: must be HTTP status codes"),
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
    with caplog.at_level(logging.DEBUG, logger="scrapy.downloadermiddlewares.retry"):
        assert finished(mw.process_response(request, answer)) is answer
    [gave_up] = [r for r in caplog.records if "Gave up retrying" in r.getMessage()]
    assert gave_up.levelname == level


def test_a_bad_give_up_log_level_is_a_bad_setting(tmp_path: Path) -> None:
    with pytest.raises(BadSetting, match="RETRY_GIVE_UP_LOG_LEVEL: must be a logging level"):
        built_crawler(tmp_path, RETRY_GIVE_UP_LOG_LEVEL="LOUD")

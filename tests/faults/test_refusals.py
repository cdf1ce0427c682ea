"""Every refusal of an article request, in a crawl run in process: exactly one reject, with the
reason its type names, and nothing sent that a refusal forbids.

A small hostile server of the test's own sits in front of the replica: the first articles of
the home page each misbehave in one way (:data:`KINDS`); the rest of the site answers as
usual. A second replica on another port of the same host is the target of the off-site
redirect: it must never be asked anything.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl.demosite.generator import DemoSite
from newscrawl.demosite.server import DemoServer, Response, handle
from tests.inprocess import Run, crawl, requested_paths, serving

MAXSIZE = 200_000
#: Fault kind → the reject reason a correct crawler writes.
KINDS = {
    "offsite_port": "offsite_redirect",  # 302 to the same host, another port
    "robots": "robots_disallowed",
    "gzip_bomb": "too_large",  # 2 KB gzip, 1 MB once decompressed
    "too_large": "too_large",  # 400 KB as it is sent
    "trap": "trap",  # 302 to a search page
    "loop": "redirect_loop",  # 302 to the slash form, which redirects back
    "gone": "http_410",
}


class HostileHandler:
    """The replica, but the first ``len(KINDS)`` articles of its home page misbehave."""

    def __init__(self, other_host: str) -> None:
        self.other_host = other_host
        self.kinds: dict[str, str] = {}
        """Article path → fault kind (filled on the first request, from the site)."""

    def paths(self, site: DemoSite) -> dict[str, str]:
        if not self.kinds:
            latest = site.latest(len(KINDS))
            self.kinds = {urlsplit(site.canonical_url(i)).path: kind
                          for i, kind in zip(latest, KINDS, strict=True)}
        return self.kinds

    def __call__(self, site: DemoSite, method: str, target: str,
                 headers: Mapping[str, str]) -> Response:
        response = handle(site, method, target, headers)
        path = urlsplit(target).path
        kinds = self.paths(site)
        if path == "/robots.txt":
            robots = next(p for p, kind in kinds.items() if kind == "robots")
            body = response.body.replace(b"User-agent: *\n",
                                         f"User-agent: *\nDisallow: {robots}\n".encode(), 1)
            return replace(response, body=body)
        kind = kinds.get(path) if not urlsplit(target).query else None
        return response if kind is None else self.misbehave(kind, site, path, response)

    def misbehave(self, kind: str, site: DemoSite, path: str, ok: Response) -> Response:
        html = [("Content-Type", "text/html; charset=utf-8")]
        if kind == "offsite_port":
            return Response(302, [("Location", f"http://{self.other_host}{path}"), *html])
        if kind == "trap":
            return Response(302, [("Location", f"{site.base_path}search/?s=x&page=2"), *html])
        if kind == "loop":
            return Response(302, [("Location", f"{path}/"), *html])
        if kind == "gone":
            return Response(410, html, b"<html><body>gone</body></html>")
        padded = ok.body.replace(b"</body>", b"<!--" + b" " * 1_000_000 + b"--></body>", 1)
        if kind == "gzip_bomb":
            body = gzip.compress(padded)
            assert len(body) < MAXSIZE < len(padded)
            return Response(200, [*html, ("Content-Encoding", "gzip")], body)
        if kind == "too_large":
            return replace(ok, body=padded[: 2 * MAXSIZE])
        return ok  # robots: a correct crawler never asks


@dataclass
class Hostile:
    run: Run
    server: DemoServer
    other: DemoServer
    paths: dict[str, str]
    """Fault kind → article path."""

    def article_id(self, kind: str) -> str:
        return self.paths[kind].rsplit("/", 1)[1]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    with serving() as other:
        other_host = f"127.0.0.1:{other.server_address[1]}"
        handler = HostileHandler(other_host)
        with serving(handler=handler) as server:
            run = crawl(tmp_path_factory.mktemp("hostile"), server.base_url,
                        DOWNLOAD_MAXSIZE=MAXSIZE, DOWNLOAD_WARNSIZE=0, RETRY_TIMES=0,
                        NEWSCRAWL_FOLLOW_BLOCKS="latest,related")
        yield Hostile(run, server, other, {kind: path for path, kind in handler.kinds.items()})


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_refusal_is_one_reject_with_its_reason(hostile: Hostile, kind: str) -> None:
    article_id = hostile.article_id(kind)
    assert hostile.run.rejects_by_id().get(article_id) == [KINDS[kind]]
    assert article_id not in {item.article_id for item in hostile.run.items}


def test_refusals_are_counted_by_reason(hostile: Hostile) -> None:
    stats = hostile.run.stats
    for reason in ("offsite_redirect", "robots_disallowed", "trap", "redirect_loop"):
        assert stats.get(f"newscrawl/guard/{reason}") == 1, reason
    assert stats.get("newscrawl/guard/too_large") == 1  # the gzip bomb; the other is Scrapy's


def test_the_rest_of_the_site_is_crawled_without_other_rejects(hostile: Hostile) -> None:
    refused = {hostile.article_id(kind) for kind in KINDS}
    reasons = {r["reason"] for r in hostile.run.rejects if r["article_id"] not in refused}
    assert reasons <= {"near_duplicate", "duplicate_body"}  # copies the replica republishes
    assert len(hostile.run.items) > 10
    assert hostile.run.stats["finish_reason"] == "finished"


def test_nothing_forbidden_was_sent(hostile: Hostile) -> None:
    assert requested_paths(hostile.other) == []  # the other port was never asked
    paths = requested_paths(hostile.server)
    assert hostile.paths["robots"] not in paths
    assert not any(p.startswith("/ja/search/") for p in paths)
    assert paths[0] == "/robots.txt"


# --- giving up retries ---------------------------------------------------------------------


def always_503(site: DemoSite, method: str, target: str, headers: Mapping[str, str]) -> Response:
    """The replica, but every article page answers 503 (no Retry-After)."""
    response = handle(site, method, target, headers)
    if "/article/" in target and response.status == 200:
        return Response(503, [("Content-Type", "text/html")], b"<html>busy</html>")
    return response


@pytest.mark.parametrize("level", ["DEBUG", "ERROR"])
def test_give_up_log_level_is_the_setting(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                          level: str) -> None:
    caplog.set_level(logging.DEBUG, logger="scrapy.downloadermiddlewares.retry")
    with serving(articles=10, handler=always_503) as server:
        run = crawl(tmp_path, server.base_url, RETRY_TIMES=1, RETRY_GIVE_UP_LOG_LEVEL=level,
                    NEWSCRAWL_RETRY_BACKOFF_SECONDS=0, NEWSCRAWL_FOLLOW_BLOCKS="latest",
                    NEWSCRAWL_HEALTH_ENABLED=False)
    gave_up = [r for r in caplog.records if r.getMessage().startswith("Gave up retrying")]
    assert gave_up and {r.levelname for r in gave_up} == {level}
    assert len(gave_up) == run.stats["newscrawl/retry/gave_up/http_503"]
    assert {r["reason"] for r in run.rejects} == {"http_503"}
    assert len(run.rejects) == len(gave_up)

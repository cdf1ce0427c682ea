"""The replica's faults (``--faults``), each served as the truth says, and the parser's view
of the pages a correct crawler still turns into articles."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse

from newscrawl.demosite.faults import BY_NAME, KINDS, FaultConfig, fault_of, parse_faults
from newscrawl.demosite.generator import DemoSite
from newscrawl.demosite.truth import iter_truth
from newscrawl.pages.article import parse_article
from newscrawl.pipelines.validate import validation_error
from newscrawl.urls import Site

from .conftest import ARTICLES, Faulty

Serve = Callable[..., Faulty]


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def first_article(faulty: Faulty, kind: str) -> dict[str, object]:
    """The truth record of the first visible article with fault ``kind``."""
    config = FaultConfig(seed=1, rate=1.0, only=(kind,))
    for record in iter_truth(ARTICLES, 0, 0, faulty.base_url, faults=config):
        if record["fault"] == kind and record["reachable"]:
            return record
    raise AssertionError(f"no article with {kind}")


def parsed(url: str, status_headers_body: tuple[int, dict[str, str], bytes]) -> object:
    _, headers, body = status_headers_body
    response = HtmlResponse(url, body=body, headers=headers)
    return parse_article(response, Site(url.split("/ja/")[0] + "/ja/")).article


def test_parse_faults() -> None:
    assert parse_faults("7:0.15") == FaultConfig(7, 0.15)
    for bad in ("x:1", "7:2", "7:-0.1"):
        with pytest.raises(ValueError):
            parse_faults(bad)


def test_the_share_and_the_kinds_are_deterministic() -> None:
    site = DemoSite(articles=400)
    config = FaultConfig(7, 0.2)
    first = [fault_of(config, site, i) for i in range(site.total)]
    assert first == [fault_of(config, site, i) for i in range(site.total)]
    share = sum(k is not None for k in first) / site.total
    assert 0.12 < share < 0.28
    assert len({k.name for k in first if k}) >= 15
    assert all(fault_of(FaultConfig(7, 0.0), site, i) is None for i in range(50))


def test_the_truth_names_the_fault_and_what_a_crawler_gets() -> None:
    config = FaultConfig(12, 0.25)
    records = list(iter_truth(150, faults=config))
    plain = list(iter_truth(150))
    assert all(r["fault"] is None and r["retrievable"] for r in plain)
    for r in records:
        kind = BY_NAME[r["fault"]] if r["fault"] else None  # type: ignore[index]
        assert r["retrievable"] == (kind is None or kind.retrievable)
    # a page a crawler cannot read shows no links, so fewer articles may be reachable
    assert sum(bool(r["reachable_html"]) for r in records) <= sum(
        bool(r["reachable_html"]) for r in plain)


@pytest.mark.parametrize("kind", ["http_500", "http_502", "http_503", "http_429"])
def test_transient_statuses_clear_after_k_tries(serve_fault: Serve, kind: str) -> None:
    faulty = serve_fault(kind, retry_after=3)
    record = first_article(faulty, kind)
    url = str(record["canonical_url"])
    statuses = []
    for _ in range(3):
        status, headers, _ = get(url)
        statuses.append(status)
        if status == 503 or status == 429:
            assert headers["retry-after"] == "3"
    code = int(kind[5:])
    assert statuses in ([code, 200, 200], [code, code, 200])
    assert all(f"{urlsplit(url).path} " in line for line in faulty.requests()[-3:])


def test_stall_waits_then_clears(serve_fault: Serve) -> None:
    faulty = serve_fault("stall", stall_seconds=0.6)
    url = str(first_article(faulty, "stall")["canonical_url"])
    started = time.monotonic()
    first = get(url)[0]
    assert first == 200 and time.monotonic() - started >= 0.6
    second_started = time.monotonic()
    while time.monotonic() - second_started < 0.5:  # K <= 2: at most one more slow answer
        if get(url)[0] == 200 and time.monotonic() - second_started < 0.5:
            break
        second_started = time.monotonic()
    assert time.monotonic() - second_started < 0.5


@pytest.mark.parametrize("kind, error", [("cut_body", http.client.IncompleteRead),
                                         ("cut_connection", http.client.RemoteDisconnected)])
def test_cut_answers_fail_then_clear(serve_fault: Serve, kind: str,
                                     error: type[Exception]) -> None:
    faulty = serve_fault(kind)
    url = str(first_article(faulty, kind)["canonical_url"])
    with pytest.raises(error):
        get(url)
    try:
        status = get(url)[0]
    except error:
        status = get(url)[0]
    assert status == 200
    assert any(line.split()[2] == "0" for line in faulty.requests()) == (kind == "cut_connection")


@pytest.mark.parametrize("kind", ["http_404", "http_410"])
def test_permanent_statuses_stay(serve_fault: Serve, kind: str) -> None:
    faulty = serve_fault(kind)
    url = str(first_article(faulty, kind)["canonical_url"])
    assert [get(url)[0] for _ in range(4)] == [int(kind[5:])] * 4


def test_redirect_loop_comes_back(serve_fault: Serve) -> None:
    faulty = serve_fault("redirect_loop")
    url = str(first_article(faulty, "redirect_loop")["canonical_url"])
    status, headers, _ = get(url)
    assert status == 302 and headers["location"] == url + "/"
    status, headers, _ = get(url + "/")
    assert status == 301 and headers["location"] == url


def test_offsite_redirect_leaves_the_site(serve_fault: Serve) -> None:
    faulty = serve_fault("offsite_redirect")
    config = FaultConfig(seed=1, rate=1.0, only=("offsite_redirect",))
    hosts = set()
    for record in list(iter_truth(ARTICLES, 0, 0, faulty.base_url, faults=config))[:6]:
        status, headers, _ = get(str(record["canonical_url"]))
        assert status == 302
        hosts.add(urlsplit(headers["location"]).netloc)
    site_host = urlsplit(faulty.base_url).netloc
    assert site_host not in hosts and "evil.invalid" in hosts
    assert any(h.startswith("127.0.0.1:") for h in hosts)  # another port: another site


@pytest.mark.parametrize("kind, ctype, magic", [("pdf", "application/pdf", b"%PDF"),
                                                ("jpeg", "image/jpeg", b"\xff\xd8")])
def test_binary_at_an_article_url(serve_fault: Serve, kind: str, ctype: str,
                                  magic: bytes) -> None:
    faulty = serve_fault(kind)
    status, headers, body = get(str(first_article(faulty, kind)["canonical_url"]))
    assert status == 200 and headers["content-type"] == ctype and body.startswith(magic)


def test_too_large(serve_fault: Serve) -> None:
    faulty = serve_fault("too_large", large_bytes=300_000)
    status, headers, body = get(str(first_article(faulty, "too_large")["canonical_url"]))
    assert status == 200 and int(headers["content-length"]) == len(body) >= 300_000


def test_robots_disallows_the_article(serve_fault: Serve) -> None:
    faulty = serve_fault("robots_disallowed")
    record = first_article(faulty, "robots_disallowed")
    robots = get(faulty.base_url.split("/ja/")[0] + "/robots.txt")[2].decode()
    path = urlsplit(str(record["canonical_url"])).path
    assert f"Disallow: {path}\n" in robots and "Disallow: /ja/search/" in robots


@pytest.mark.parametrize("kind", ["broken_html", "broken_jsonld", "mislabeled_charset",
                                  "unlabeled_charset"])
def test_damaged_pages_still_give_the_article(serve_fault: Serve, kind: str) -> None:
    faulty = serve_fault(kind)
    record = first_article(faulty, kind)
    url = str(record["canonical_url"])
    answer = get(url)
    body = answer[2]
    if kind == "broken_html":
        assert b"</html>" not in body and b'class="related"' not in body
    if kind == "broken_jsonld":
        ld = body.split(b'application/ld+json">')[1].split(b"</script>")[0]
        with pytest.raises(ValueError):
            json.loads(ld)
    if kind.endswith("_charset"):
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        label = answer[1]["content-type"]
        assert label == ("text/html; charset=utf-8" if kind == "mislabeled_charset"
                         else "text/html")
        assert (b'<meta charset="utf-8">' in body) == (kind == "mislabeled_charset")
    article = parsed(url, answer)
    assert article.headline == record["headline"]  # type: ignore[attr-defined]
    assert article.body == record["body"]  # type: ignore[attr-defined]
    assert validation_error(article) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("kind, reason", [("empty_body", "missing_body"),
                                          ("no_headline", "missing_headline")])
def test_articles_without_body_or_headline_are_rejected(serve_fault: Serve, kind: str,
                                                        reason: str) -> None:
    faulty = serve_fault(kind)
    record = first_article(faulty, kind)
    article = parsed(str(record["canonical_url"]), get(str(record["canonical_url"])))
    error = validation_error(article)  # type: ignore[arg-type]
    assert error is not None and error.reason == reason
    assert BY_NAME[kind].reject == reason


def test_every_kind_has_a_server_test() -> None:
    tested = {"http_500", "http_502", "http_503", "http_429", "stall", "cut_body",
              "cut_connection", "http_404", "http_410", "redirect_loop", "offsite_redirect",
              "pdf", "jpeg", "too_large", "robots_disallowed", "broken_html", "broken_jsonld",
              "mislabeled_charset", "unlabeled_charset", "empty_body", "no_headline"}
    assert tested == {k.name for k in KINDS}


def test_request_log_names_the_host(serve_fault: Serve) -> None:
    faulty = serve_fault("http_404")
    get(faulty.base_url)
    method, target, status, host = faulty.requests()[-1].split()
    assert (method, target, status, host) == ("GET", "/ja/", "200",
                                              urlsplit(faulty.base_url).netloc)


def test_non_article_urls_are_untouched(serve_fault: Serve) -> None:
    faulty = serve_fault("http_503")
    assert get(faulty.base_url)[0] == 200

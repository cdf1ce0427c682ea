"""Every URL form of an article reduces to one id and one request URL."""

from __future__ import annotations

import pytest
from scrapy import Request

from newscrawl.fingerprint import ArticleFingerprinter
from newscrawl.meta import ARTICLE_ID_META
from newscrawl.urls import Site

LIVE = Site("https://www.kangnamtimes.com/ja/")
REPLICA = Site("http://127.0.0.1:8765/ja/")
CANONICAL = "https://www.kangnamtimes.com/ja/report/article/554641"


@pytest.mark.parametrize(
    "url",
    [
        CANONICAL,
        CANONICAL + "/",
        CANONICAL + "/amp/",
        CANONICAL + "/amp/?noamp=mobile",
        CANONICAL + "?utm_source=twitter&utm_medium=social",
        CANONICAL + "#comments",
        "https://kangnamtimes.com/ja/report/article/554641",
        "http://www.kangnamtimes.com/ja/report/article/554641/amp",
        "/ja/report/article/554641/amp/",
    ],
)
def test_article_forms_reduce_to_the_canonical_url(url: str) -> None:
    ref = LIVE.article_ref(url)
    assert ref is not None
    assert (ref.article_id, ref.url, ref.canonical) == ("554641", CANONICAL, True)


@pytest.mark.parametrize(
    "url",
    ["https://www.kangnamtimes.com/ja/?p=554641", "https://kangnamtimes.com/ja/?p=554641&utm_source=x"],
)
def test_short_links_keep_the_id_and_request_the_short_link(url: str) -> None:
    ref = LIVE.article_ref(url)
    assert ref is not None
    assert ref.article_id == "554641"
    assert ref.url == "https://www.kangnamtimes.com/ja/?p=554641"
    assert not ref.canonical


def test_replica_alias_host_is_the_same_site() -> None:
    ref = REPLICA.article_ref("http://localhost:8765/ja/trending/article/12/amp/?noamp=mobile")
    assert ref is not None
    assert ref.url == "http://127.0.0.1:8765/ja/trending/article/12"
    assert REPLICA.article_ref("http://localhost:9999/ja/trending/article/12") is None


@pytest.mark.parametrize(
    "url",
    [
        "https://www.autopostjp.com/ja/report/article/554641/",  # sibling site: out of scope
        "https://www.kangnamtimes.com/ko/report/article/554641",  # other edition
        "https://www.kangnamtimes.com/ja/tag/%E3%83%AD%E3%82%B7%E3%82%A2/",
        "https://www.kangnamtimes.com/ja/report/",
        "https://www.kangnamtimes.com/ja/?p=abc",
        "mailto:someone@fastviewkorea.com",
        "javascript:void(0)",
    ],
)
def test_non_articles_are_not_articles(url: str) -> None:
    assert LIVE.article_ref(url) is None


def test_normalize_drops_tracking_and_fragment_and_maps_alias_host() -> None:
    assert (
        REPLICA.normalize("http://localhost:8765/ja/report/?utm_campaign=a&page=2#top")
        == "http://127.0.0.1:8765/ja/report/?page=2"
    )


@pytest.mark.parametrize(("url", "expected"), [
    ("http://www.kangnamtimes.com/ja/wp-content/uploads/1.jpg",
     "https://www.kangnamtimes.com/ja/wp-content/uploads/1.jpg"),
    (" https://KangnamTimes.com/ja/写真.jpg\n", "https://www.kangnamtimes.com/ja/写真.jpg"),
    ("https://cdn.example.com/a/b.png", "https://cdn.example.com/a/b.png"),
    ("http://CDN.Example.com", "http://cdn.example.com/"),
    ("/ja/uploads/2.jpg", "https://www.kangnamtimes.com/ja/uploads/2.jpg"),
    ("3.jpg", "https://www.kangnamtimes.com/ja/report/3.jpg"),
])
def test_normalize_photo_links(url: str, expected: str) -> None:
    assert LIVE.normalize(url, base="https://www.kangnamtimes.com/ja/report/554641") == expected


def test_normalize_takes_the_short_way_only_where_it_gives_urllibs_answer() -> None:
    """Plain absolute links skip urllib; every link of the grid, plain or not, normalises as
    the urllib path (``_normalize``) does."""
    hosts = ["www.kangnamtimes.com", "KANGNAMTIMES.com", "cdn.example.com", "127.0.0.1:8765",
             "localhost:8765", "[::1]", "user@www.kangnamtimes.com", "ex ample.com"]
    tails = ["", "/", "/ja/a.jpg", "/ja/写真.jpg", "//double", "/a;p", "/a?b=1", "/a?utm_source=x",
             "/a#f", "/a b", "/a\tb", "/a\\b", "/a\x00b", "/%E5%86%99.jpg", "/../up", "/a\u3000b"]
    base = "https://www.kangnamtimes.com/ja/report/554641"
    for site in (LIVE, REPLICA):
        for scheme in ("http", "https", "HTTP", "ftp"):
            for host in hosts:
                for tail in tails:
                    url = f"{scheme}://{host}{tail}"
                    assert site.normalize(url, base=base) == site._normalize(url, base), url


@pytest.mark.parametrize("url", ["http://[::1/ja/report/article/1", "//[::1/ja/report/article/1",
                                 "https://[www.kangnamtimes.com/ja/report/article/1",
                                 "http://[::1/ja/?p=1"])
def test_a_link_urllib_cannot_read_is_nothing_and_raises_nothing(url: str) -> None:
    """urllib raises ValueError on a bracketed host left open: a page may hold such a link,
    and it must cost that link only."""
    base = "https://www.kangnamtimes.com/ja/report/article/554641"
    assert LIVE.article_ref(url, base=base) is None
    assert LIVE.is_on_site(url) is False
    assert LIVE.normalize(url, base=base) is None


def test_base_url_must_be_absolute() -> None:
    with pytest.raises(ValueError, match="absolute http"):
        Site("127.0.0.1:8765/ja/")


def test_fingerprint_is_the_article_id_whatever_the_url() -> None:
    fingerprinter = ArticleFingerprinter()
    a = Request(CANONICAL, meta={ARTICLE_ID_META: "554641"})
    b = Request("https://www.kangnamtimes.com/ja/?p=554641", meta={ARTICLE_ID_META: "554641"})
    c = Request(CANONICAL.replace("554641", "554642"), meta={ARTICLE_ID_META: "554642"})
    assert fingerprinter.fingerprint(a) == fingerprinter.fingerprint(b)
    assert fingerprinter.fingerprint(a) != fingerprinter.fingerprint(c)


def test_redirected_request_is_fingerprinted_by_url() -> None:
    fingerprinter = ArticleFingerprinter()
    short = Request("https://www.kangnamtimes.com/ja/?p=554641", meta={ARTICLE_ID_META: "554641"})
    redirected = short.replace(url=CANONICAL, meta={**short.meta, "redirect_urls": [short.url]})
    assert fingerprinter.fingerprint(redirected) != fingerprinter.fingerprint(short)
    plain = Request("https://www.kangnamtimes.com/ja/")
    again = Request(plain.url)
    assert fingerprinter.fingerprint(plain) == ArticleFingerprinter().fingerprint(again)


def _uncached_article_ref(site: Site, url: str, base: str | None = None) -> object:
    """``Site.article_ref`` as written before its prefilter and cache, to compare with."""
    from urllib.parse import parse_qsl, urljoin, urlsplit

    from newscrawl.urls import _ARTICLE_PATH, ArticleRef

    absolute = urljoin(base or site.base_url, url.strip())
    if not site.is_on_site(absolute):
        return None
    parts = urlsplit(absolute)
    match = _ARTICLE_PATH.match(parts.path)
    if match and match["prefix"] == site.base_path:
        return ArticleRef(match["id"], site.canonical_article_url(match["category"], match["id"]),
                          True)
    if parts.path == site.base_path:
        post_id = dict(parse_qsl(parts.query)).get("p", "")
        if post_id.isdigit():
            return ArticleRef(post_id, f"{site.base_url}?p={post_id}", False)
    return None


@pytest.mark.parametrize("base", [
    None, CANONICAL, "https://kangnamtimes.com/ja/report/article/",
    "https://www.kangnamtimes.com/ja/", "http://www.kangnamtimes.com/ja/tag/x?p=2",
    "https://other.example/ja/report/article/9",
])
def test_prefilter_and_cache_keep_article_ref_unchanged(base: str | None) -> None:
    hrefs = [
        CANONICAL, " /ja/report/article/554641 ", "5", "./5", "../article/5", "?p=5", "?%70=5",
        "/ja/?p=5", "/ja/?%70=%35", "//www.kangnamtimes.com/ja/life/article/3", "",
        "HTTPS://WWW.KANGNAMTIMES.COM/ja/report/article/554641", "http:/ja/report/article/1",
        "/ja/report/article/./7", "/ja/report/x/../article/8", "/ja/tag/k-pop/", "/ja/report/",
        "https://other.example/ja/report/article/1", "mailto:a@b.c", "/ja/?page_id=3",
        "https://www.kangnamtimes.com/ja/?p=12&utm_source=x", "report/article/4",
        "http:///ja/report/article/5", "https:///ja/report/article/6", "http://?p=5",
        "https://\t/ja/report/article/7", "http://www.kangnamtimes.com/ja/life/article/8",
    ]
    for _ in range(2):  # the second round is served from the caches (one site for every base)
        for href in hrefs:
            expected = _uncached_article_ref(LIVE, href, base)
            assert LIVE.article_ref(href, base=base) == expected, href

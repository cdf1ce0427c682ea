from __future__ import annotations

import pytest
from scrapy.http import XmlResponse

from newscrawl.pages.sitemap import parse_sitemap
from newscrawl.urls import Site

SITE = Site("http://127.0.0.1:8765/ja/")


def xml(url: str, body: str) -> XmlResponse:
    return XmlResponse(url=url, body=body.encode(), encoding="utf-8")


def test_index_lists_child_sitemaps_on_the_site_only() -> None:
    page = parse_sitemap(xml("http://127.0.0.1:8765/ja/wp-sitemap.xml", """<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://127.0.0.1:8765/ja/wp-sitemap-posts-post-1.xml</loc></sitemap>
<sitemap><loc>http://tracker.example/sitemap.xml</loc></sitemap>
</sitemapindex>"""), SITE)
    assert page.sitemaps == ["http://127.0.0.1:8765/ja/wp-sitemap-posts-post-1.xml"]
    assert page.articles == []


def test_urlset_gives_canonical_article_urls_with_lastmod() -> None:
    url = "http://127.0.0.1:8765/ja/wp-sitemap-posts-post-1.xml"
    page = parse_sitemap(xml(url, """<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://localhost:8765/ja/report/article/500001/</loc>
  <lastmod>2025-12-11T19:39:00+09:00</lastmod></url>
<url><loc>http://127.0.0.1:8765/ja/life/article/500004</loc></url>
<url><loc>http://127.0.0.1:8765/ja/tag/%E5%9B%BD%E9%9A%9B/</loc></url>
</urlset>"""), SITE)
    assert page.articles == [
        ("http://127.0.0.1:8765/ja/report/article/500001", "2025-12-11T19:39:00+09:00"),
        ("http://127.0.0.1:8765/ja/life/article/500004", None),
    ]


@pytest.mark.parametrize("body", ["", "<html>oops", "not xml at all"])
def test_not_a_sitemap_gives_nothing_and_says_why(body: str) -> None:
    page = parse_sitemap(xml("http://127.0.0.1:8765/ja/wp-sitemap.xml", body), SITE)
    assert (page.sitemaps, page.articles) == ([], [])
    assert page.error is not None and page.error.startswith("not a sitemap")

"""Sitemaps: the index's child sitemaps, and each article's URL and ``<lastmod>``.

WordPress publishes ``/wp-sitemap.xml`` (an index) and ``wp-sitemap-posts-post-N.xml``
(urlsets). The crawl reads them last: they add articles no link block reached, and in an
incremental run their ``<lastmod>`` tells which known articles changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml.etree import XMLSyntaxError
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap

from newscrawl.text import parse_jp_datetime
from newscrawl.urls import Site


@dataclass
class SitemapPage:
    sitemaps: list[str] = field(default_factory=list)
    """Child sitemaps on the site (from a sitemap index)."""
    articles: list[tuple[str, str | None]] = field(default_factory=list)
    """``(url, lastmod)`` of each article URL on the site; lastmod ISO 8601 +09:00 or None."""
    error: str | None = None
    """Why the body could not be read as a sitemap (not XML, empty), or None."""


def parse_sitemap(response: Response, site: Site) -> SitemapPage:
    """The sitemap's entries on the site; entries elsewhere and malformed XML are ignored."""
    page = SitemapPage()
    try:
        sitemap = Sitemap(response.body)
    except (XMLSyntaxError, StopIteration) as error:  # empty, or not XML at all
        page.error = f"not a sitemap: {error or 'no XML element'}"
        return page
    if sitemap.type not in ("sitemapindex", "urlset"):
        page.error = f"not a sitemap: root element <{sitemap.type}>"
        return page
    for entry in sitemap:
        loc = entry.get("loc", "")
        if sitemap.type == "sitemapindex":
            if site.is_on_site(loc) and (url := site.normalize(loc)):
                page.sitemaps.append(url)
        elif (ref := site.article_ref(loc)) is not None:
            lastmod = entry.get("lastmod")
            page.articles.append((ref.url, parse_jp_datetime(lastmod) if lastmod else None))
    return page

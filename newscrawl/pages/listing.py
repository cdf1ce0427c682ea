"""Listing pages: home (latest), category pages and the rendered ranking page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import TextResponse

from newscrawl.items import LinkRef
from newscrawl.pages.encoding import response_text
from newscrawl.pages.links import article_links
from newscrawl.urls import Site

_CATEGORY_PATH = re.compile(r"^(?P<slug>[a-z0-9_-]+)/(?:page/\d+/?)?$")
_NOT_CATEGORY = frozenset({"tag", "date", "search", "feed", "wp-json", "wp-admin", "wp-content",
                           "author", "assets", "ranking", "page"})


def page_kind(url: str, site: Site) -> str:
    """``article``, ``home``, ``category``, ``ranking`` or ``other``."""
    if site.article_ref(url) is not None:
        return "article"
    if not site.is_on_site(url):
        return "other"
    parts = urlsplit(url)
    rest = parts.path[len(site.base_path):] if parts.path.startswith(site.base_path) else ""
    if parts.path + "/" == site.base_path or (rest == "" and not parts.query):
        return "home"
    if parts.query:
        return "other"
    if rest.rstrip("/") == "ranking":
        return "ranking"
    match = _CATEGORY_PATH.match(rest)
    if match and match["slug"] not in _NOT_CATEGORY:
        return "category"
    return "other"


def _selector(response: TextResponse) -> Selector:
    return Selector(text=response_text(response), type="html", base_url=response.url)


def parse_listing(response: TextResponse, site: Site) -> list[LinkRef]:
    """Article links of a home, category or (rendered) ranking page, with block and position.

    Home: ``section.latest`` (block ``latest``), plus the sidebar ranking once rendered;
    category pages: ``section.category-list`` (block ``category``). Links outside known
    blocks take the page's own block (``latest`` on home, ``category`` on category pages).
    """
    kind = page_kind(response.url, site)
    default = {"home": None, "category": "category"}.get(kind)
    return article_links(_selector(response), site, response.url, default_block=default)

"""Listing pages: home (latest), category pages, the ranking page and its JSON."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import TextResponse

from newscrawl.items import LinkRef
from newscrawl.pages.encoding import response_text
from newscrawl.pages.links import article_links
from newscrawl.text import normalize_space
from newscrawl.urls import Site

logger = logging.getLogger(__name__)

_CATEGORY_PATH = re.compile(r"^(?P<slug>[a-z0-9_-]+)/(?:page/\d+/?)?$")
_NOT_CATEGORY = frozenset({"tag", "date", "search", "feed", "wp-json", "wp-admin", "wp-content",
                           "author", "assets", "ranking", "page"})


@dataclass
class RankedLink:
    """One entry of a ranking list."""

    url: str
    title: str
    rank: int
    range: str
    """``daily`` or ``weekly``."""
    article_id: str | None = None


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


def parse_ranking_page(response: TextResponse, site: Site) -> list[RankedLink]:
    """Entries of the rendered ranking lists (``section.ranking[data-range]``), per range."""
    selector = _selector(response)
    entries: list[RankedLink] = []
    for section in selector.css("section.ranking, section[class*='ranking']"):
        range_ = section.attrib.get("data-range") or "daily"
        seen: set[str] = set()
        for position, item in enumerate(section.css("li"), start=1):
            href = item.css("a::attr(href)").get()
            ref = site.article_ref(href, base=response.url) if href else None
            if ref is None or ref.url in seen:
                continue
            seen.add(ref.url)
            rank_text = item.css(".rank::text").get("")
            rank = int(rank_text) if rank_text.strip().isdigit() else position
            title = normalize_space(item.css("a").xpath("string()").get(""))
            entries.append(RankedLink(ref.url, title, rank, range_, ref.article_id))
    return entries


def next_page_url(response: TextResponse, site: Site) -> str | None:
    """The next page of a category listing (``a.next`` or ``link[rel=next]``), normalised."""
    selector = _selector(response)
    href = (selector.css("a.next::attr(href)").get()
            or selector.css("link[rel=next]::attr(href), a[rel=next]::attr(href)").get())
    if not href:
        return None
    url = site.normalize(href, base=response.url)
    return url if site.is_on_site(url) and url != site.normalize(response.url) else None


def parse_ranking_json(response: TextResponse, site: Site) -> list[RankedLink]:
    """Entries of ``/ja/wp-json/kt/v1/ranking?range=…``; [] when the JSON is unusable."""
    try:
        data = json.loads(response.text)
    except ValueError:
        logger.warning("Ranking JSON at %s does not parse", response.url)
        return []
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return []
    range_ = str(data.get("range") or "daily")
    entries: list[RankedLink] = []
    for position, item in enumerate(data["items"], start=1):
        if not isinstance(item, dict):
            continue
        ref = site.article_ref(str(item.get("url") or ""), base=response.url)
        article_id = ref.article_id if ref else (str(item["id"]) if item.get("id") else None)
        if ref is None:
            if not article_id or not article_id.isdigit():
                continue
            url = f"{site.base_url}?p={article_id}"
        else:
            url = ref.url
        rank = item.get("rank")
        entries.append(RankedLink(
            url=url,
            title=normalize_space(str(item.get("title") or "")),
            rank=rank if isinstance(rank, int) else position,
            range=range_,
            article_id=article_id,
        ))
    return entries

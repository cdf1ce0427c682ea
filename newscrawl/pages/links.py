"""Article links on any page, grouped by the block they sit in."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from lxml import etree
from parsel import Selector

from newscrawl.items import LinkRef
from newscrawl.pages.tree import text_of
from newscrawl.text import normalize_space
from newscrawl.urls import Site

logger = logging.getLogger(__name__)

BLOCK_CLASSES: dict[str, str] = {
    "latest": "latest",
    "ranking": "ranking",
    "related": "related",
    "recommend": "recommend",
    "topics": "topics",
    "category-list": "category",
    "related-inline": "inline",
    "entry-content": "inline",
    "amp-wp-article-content": "inline",
}
"""CSS class of a container → block name of the links inside it."""

_HEADING_BLOCKS = (
    ("こんな記事も読まれています", "related"),
    ("おすすめ", "recommend"),
    ("話題", "topics"),
    ("ランキング", "ranking"),
    ("関連記事", "inline"),
    ("最新", "latest"),
)
_RANK = re.compile(r"\d+")

MAX_LINKS_PER_PAGE = 300
"""Most article links recorded for one page: the replica's pages hold about 30, a home or
category page under 60; a page with 100,000 links must still give a bounded ``related``."""
MAX_LINKS_PER_BLOCK = 50
"""Most article links recorded for one block (the related, recommended and topics blocks
hold 5 to 8 links, a listing 20 to 30)."""


def _classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


def _block_of(element: etree._Element, cache: dict[etree._Element, str | None]) -> str | None:
    """The block an element belongs to: the nearest ancestor with a known class or heading."""
    chain: list[etree._Element] = []
    node: etree._Element | None = element
    block: str | None = None
    while node is not None:
        if node in cache:
            block = cache[node]
            break
        chain.append(node)
        found = next((BLOCK_CLASSES[c] for c in _classes(node) if c in BLOCK_CLASSES), None)
        if found is None and node.tag in ("section", "aside", "div", "nav"):
            first = next((c for c in node if isinstance(c.tag, str)), None)
            if first is not None and first.tag in ("h2", "h3", "h4", "p", "header"):
                title = text_of(first)
                if len(title) <= 30:
                    found = next((b for key, b in _HEADING_BLOCKS if key in title), None)
        if found is not None:
            block = found
            break
        if node.tag in ("body", "html"):
            break
        node = node.getparent()
    for item in chain:
        cache[item] = block
    return block


def _rank(anchor: etree._Element) -> int | None:
    parent = anchor.getparent()
    if parent is None:
        return None
    for child in parent:
        if "rank" in _classes(child):
            match = _RANK.search(text_of(child))
            if match:
                return int(match.group())
    return None


@dataclass
class LinkScan:
    """What :func:`scan_links` returns."""

    links: list[LinkRef] = field(default_factory=list)
    capped: bool = False
    """True when a cap left links out (see :data:`MAX_LINKS_PER_PAGE`)."""


def scan_links(
    root: etree._Element,
    site: Site,
    base_url: str,
    *,
    default_block: str | None = None,
    per_page: int = MAX_LINKS_PER_PAGE,
    per_block: int = MAX_LINKS_PER_BLOCK,
) -> LinkScan:
    """Every link to an article of ``site`` inside a known block under ``root``, in page
    order, at most ``per_block`` per block and ``per_page`` in all (see
    :func:`article_links`). Once a link has been left out, the other links of a full block
    cost a cached lookup of their block; once the page is full the scan stops."""
    scan = LinkScan()
    cache: dict[etree._Element, str | None] = {}
    seen: set[tuple[str, str]] = set()
    counters: dict[str, int] = {}
    full: set[str] = set()
    for anchor in root.iter("a"):
        href = anchor.get("href")
        if not href or href.startswith(("#", "mailto:", "javascript:")):
            continue
        block = None
        if full:  # a full block's links are skipped on their block alone, once one was cut
            block = _block_of(anchor, cache) or default_block
            if block is None or (block in full and scan.capped):
                continue
        ref = site.article_ref(href, base=base_url)
        if ref is None:
            continue
        block = block or _block_of(anchor, cache) or default_block
        if block is None or (block, ref.url) in seen:
            continue
        if block in full or len(scan.links) >= per_page:
            scan.capped = True
            if block in full:
                continue
            break
        seen.add((block, ref.url))
        count = counters[block] = counters.get(block, 0) + 1
        if count >= per_block:
            full.add(block)
        rank = _rank(anchor) if block in ("ranking", "recommend", "topics") else None
        scan.links.append(
            LinkRef(
                url=ref.url,
                title=normalize_space(text_of(anchor)),
                block=block,
                position=rank or count,
            )
        )
    return scan


def article_links(
    selector: Selector | etree._Element,
    site: Site,
    base_url: str,
    *,
    default_block: str | None = None,
) -> list[LinkRef]:
    """Every link to an article of ``site`` inside a known block, in page order.

    A link is kept once per block (a block printed twice gives its links once); position
    is the 1-based place in the block, or the shown rank (``span.rank``) when there is one.
    Links outside any known block get ``default_block``, or are skipped when it is None.
    At most :data:`MAX_LINKS_PER_BLOCK` links are kept per block and
    :data:`MAX_LINKS_PER_PAGE` per page; the first ones in page order.
    """
    root = selector.root if isinstance(selector, Selector) else selector
    if not isinstance(root, etree._Element) or not isinstance(root.tag, str):
        return []
    return scan_links(root, site, base_url, default_block=default_block).links

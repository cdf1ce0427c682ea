"""Article links on any page, grouped by the block they sit in."""

from __future__ import annotations

import logging
import re

from lxml.html import HtmlElement
from parsel import Selector

from newscrawl.items import LinkRef
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


def _classes(element: HtmlElement) -> list[str]:
    return (element.get("class") or "").split()


def _block_of(element: HtmlElement, cache: dict[HtmlElement, str | None]) -> str | None:
    """The block an element belongs to: the nearest ancestor with a known class or heading."""
    chain: list[HtmlElement] = []
    node: HtmlElement | None = element
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
                title = first.text_content()
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


def _rank(anchor: HtmlElement) -> int | None:
    parent = anchor.getparent()
    if parent is None:
        return None
    for child in parent:
        if "rank" in _classes(child):
            match = _RANK.search(child.text_content())
            if match:
                return int(match.group())
    return None


def article_links(
    selector: Selector,
    site: Site,
    base_url: str,
    *,
    default_block: str | None = None,
) -> list[LinkRef]:
    """Every link to an article of ``site`` inside a known block, in page order.

    A link is kept once per block (a block printed twice gives its links once); position
    is the 1-based place in the block, or the shown rank (``span.rank``) when there is one.
    Links outside any known block get ``default_block``, or are skipped when it is None.
    """
    root = selector.root
    if not isinstance(root, HtmlElement):
        return []
    cache: dict[HtmlElement, str | None] = {}
    seen: set[tuple[str, str]] = set()
    counters: dict[str, int] = {}
    links: list[LinkRef] = []
    for anchor in root.iter("a"):
        href = anchor.get("href")
        if not href or href.startswith(("#", "mailto:", "javascript:")):
            continue
        ref = site.article_ref(href, base=base_url)
        if ref is None:
            continue
        block = _block_of(anchor, cache) or default_block
        if block is None:
            continue
        key = (block, ref.url)
        if key in seen:
            continue
        seen.add(key)
        counters[block] = counters.get(block, 0) + 1
        rank = _rank(anchor) if block in ("ranking", "recommend", "topics") else None
        links.append(
            LinkRef(
                url=ref.url,
                title=normalize_space(anchor.text_content()),
                block=block,
                position=rank or counters[block],
            )
        )
    return links

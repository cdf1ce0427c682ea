"""Article links on any page, grouped by the block they sit in.

Blocks are known by class (the modelled theme's sections) or by a heading; on article pages
of an unknown theme (``guess``), lists of article links (found by URL shape: at least three
links to the site's articles, mostly link text) are blocks too, named by their heading
(:data:`newscrawl.boilerplate.LINK_BLOCK_HEADINGS`) or ``related``, and links inside the
body are ``inline``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree
from parsel import Selector

from newscrawl.boilerplate import MODEL_LINK_HEADINGS, link_block_name
from newscrawl.items import LinkRef
from newscrawl.pages.structured import count_of
from newscrawl.pages.tree import text_of, text_up_to
from newscrawl.text import normalize_space
from newscrawl.urls import ArticleRef, Site

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

_HEADING_BLOCKS = MODEL_LINK_HEADINGS
_RANK = re.compile(r"\d+")

MAX_LINKS_PER_PAGE = 300
"""Most article links recorded for one page: the replica's pages hold about 30, a home or
category page under 60; a page with 100,000 links must still give a bounded ``related``."""
MAX_LINKS_PER_BLOCK = 50
"""Most article links recorded for one block (the related, recommended and topics blocks
hold 5 to 8 links, a listing 20 to 30)."""


def _classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


_GUESS_HEADINGS = tuple((key, "related" if block == "inline" else block)
                        for key, block in _HEADING_BLOCKS)
"""The headings for article pages (``guess``): a box titled 関連記事 is ``inline`` by where it
sits (inside the body), not by its title."""


_TITLED_TAGS = frozenset({"section", "aside", "div", "nav"})
_TITLE_TAGS = frozenset({"h2", "h3", "h4", "p", "header"})
_TOP_TAGS = frozenset({"body", "html"})


def _class_block(value: str | None) -> str | None:
    """The block named by the first known class of a ``class`` value, if any."""
    if value:
        for name in value.split():
            block = BLOCK_CLASSES.get(name)
            if block is not None:
                return block
    return None


def _block_of(element: etree._Element, cache: dict[etree._Element, str | None],
              headings: tuple[tuple[str, str], ...] = _HEADING_BLOCKS) -> str | None:
    """The block an element belongs to: the nearest ancestor with a known class or heading.
    Every element met on the way up is cached with the answer (each is read once a page)."""
    chain: list[etree._Element] = []
    node: etree._Element | None = element
    block: str | None = None
    while node is not None:
        if node in cache:
            block = cache[node]
            break
        chain.append(node)
        block = _class_block(node.get("class"))
        if block is not None:
            break
        tag = node.tag
        if tag in _TITLED_TAGS:
            first = next((c for c in node if isinstance(c.tag, str)), None)
            if first is not None and first.tag in _TITLE_TAGS:
                title = text_of(first)
                if len(title) <= 30:
                    block = next((b for key, b in headings if key in title), None)
                    if block is not None:
                        break
        if tag in _TOP_TAGS:
            break
        node = node.getparent()
    for item in chain:
        cache[item] = block
    return block


def _rank(anchor: etree._Element) -> int | None:
    """The rank shown beside a link: the first run of digits that is a count in a sibling of
    class ``rank`` (``<span class="rank">1</span>``)."""
    parent = anchor.getparent()
    if parent is None:
        return None
    for child in parent:
        value = child.get("class")
        if value is None or "rank" not in value or "rank" not in value.split():
            continue
        text = text_of(child).strip()
        runs = (text,) if text.isdecimal() else (m.group() for m in _RANK.finditer(text))
        for run in runs:  # a bare number is its own only run
            rank = count_of(run)
            if rank is not None:
                return rank
    return None


@dataclass
class LinkScan:
    """What :func:`scan_links` returns."""

    links: list[LinkRef] = field(default_factory=list)
    capped: bool = False
    """True when a cap left links out (see :data:`MAX_LINKS_PER_PAGE`)."""


class _Guess:
    """Block names for links outside the known classes (article pages of an unknown
    theme): the nearest ancestor that is a link list (:func:`_link_list`) and has a
    heading of :data:`newscrawl.boilerplate.LINK_BLOCK_HEADINGS` (its first child, its
    leading text, or the heading just before it) gives the name; a link list without one is
    ``related``; links inside the body blocks (``inline_roots``) are ``inline``."""

    def __init__(self, site: Site, base_url: str, inline_roots: Iterable[etree._Element]):
        self.site = site
        self.base_url = base_url
        self.body_links = {a for root in inline_roots  # a known body class says it already
                           if not any(c in BLOCK_CLASSES for c in _classes(root))
                           for a in root.iter("a")}
        self.cache: dict[etree._Element, str | None] = {}
        self.lists: dict[etree._Element, bool] = {}

    def in_body(self, anchor: etree._Element) -> bool:
        """True when the link sits inside one of the body blocks."""
        return bool(self.body_links) and anchor in self.body_links

    def block(self, anchor: etree._Element) -> str | None:
        chain: list[etree._Element] = []
        node: etree._Element | None = anchor.getparent()
        block: str | None = None
        fallback: str | None = None
        while node is not None and node.tag not in ("body", "html"):
            if node in self.cache:
                block = self.cache[node]
                break
            chain.append(node)
            if node.tag in _LIST_TAGS and self._link_list(node):
                name = link_block_name(_heading(node))
                if name is not None:
                    block = name
                    break
                fallback = fallback or "related"
            node = node.getparent()
        block = block or fallback
        for item in chain:
            self.cache[item] = block
        return block

    def _link_list(self, node: etree._Element) -> bool:
        """At least :data:`_LIST_LINKS` links to the site's articles, and link text for most
        of its text (read up to :data:`_LIST_TEXT` characters)."""
        known = self.lists.get(node)
        if known is None:
            known = self.lists[node] = _is_link_list(node, self.site, self.base_url)
        return known


_LIST_TAGS = frozenset({"section", "aside", "div", "nav", "ul", "ol", "dl", "p", "td", "table"})
_LIST_LINKS = 3
_LIST_TEXT = 3000
_LIST_SHARE = 0.5
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "header", "dt", "strong",
                           "b", "span", "div"})
_HEADING_MAX = 40
"""Longest heading text of a link block (characters)."""
_BULLETS = "■□◆◇●○▼▽・★☆【】[]［］ 　"


def _is_link_list(node: etree._Element, site: Site, base_url: str) -> bool:
    text = text_up_to(node, _LIST_TEXT)
    if text is None:
        return False
    solid = len("".join(text.split()))
    linked = 0
    count = 0
    for anchor in node.iter("a"):
        href = anchor.get("href")
        if href and site.article_ref(href, base=base_url) is not None:
            count += 1
            linked += len("".join(text_of(anchor).split()))
    return count >= _LIST_LINKS and solid > 0 and linked / solid >= _LIST_SHARE


def _heading(node: etree._Element) -> str:
    """The heading of a link list: its own leading text, else the short text of its first
    child, else of the element just before it (a heading holds no link)."""
    if node.text and node.text.strip():
        return str(node.text).strip(_BULLETS)
    first = next((c for c in node if isinstance(c.tag, str)), None)
    for candidate in (first, node.getprevious()):
        if (candidate is not None and isinstance(candidate.tag, str)
                and candidate.tag in _HEADING_TAGS and next(candidate.iter("a"), None) is None):
            title = text_up_to(candidate, _HEADING_MAX)
            if title:
                return title.strip(_BULLETS)
    return ""


class _BlockFinder:
    """The block of a link: a known class or heading (:func:`_block_of`), else
    ``default_block``, else (``guess``) what :class:`_Guess` finds; ``inline`` for a link
    inside the body blocks when guessing."""

    def __init__(self, site: Site, base_url: str, default_block: str | None, guess: bool,
                 inline_roots: Iterable[etree._Element]) -> None:
        self.cache: dict[etree._Element, str | None] = {}
        self.default_block = default_block
        self.guesser = _Guess(site, base_url, inline_roots) if guess else None
        self.headings = _GUESS_HEADINGS if guess else _HEADING_BLOCKS

    def __call__(self, anchor: etree._Element) -> str | None:
        guesser = self.guesser
        if guesser is not None and guesser.in_body(anchor):
            return "inline"
        found = _block_of(anchor, self.cache, self.headings) or self.default_block
        if found is None and guesser is not None:
            found = guesser.block(anchor)
        return found


def scan_links(
    root: etree._Element,
    site: Site,
    base_url: str,
    *,
    default_block: str | None = None,
    per_page: int = MAX_LINKS_PER_PAGE,
    per_block: int = MAX_LINKS_PER_BLOCK,
    guess: bool = False,
    inline_roots: Iterable[etree._Element] = (),
) -> LinkScan:
    """Every link to an article of ``site`` inside a known block under ``root``, in page
    order, at most ``per_block`` per block and ``per_page`` in all (see
    :func:`article_links`). Once a link has been left out, the other links of a full block
    cost a cached lookup of their block; once the page is full the scan stops.

    ``guess`` (article pages): a link outside the known classes and headings gets the block
    :class:`_Guess` finds for it (``inline_roots``: the page's body blocks)."""
    scan = LinkScan()
    block_of = _BlockFinder(site, base_url, default_block, guess, inline_roots)
    seen: set[tuple[str, str]] = set()
    refs: dict[str, ArticleRef | None] = {}
    counters: dict[str, int] = {}
    full: set[str] = set()
    for anchor in root.iter("a"):
        href = anchor.get("href")
        if not href or href.startswith(("#", "mailto:", "javascript:")):
            continue
        block = None
        if full:  # a full block's links are skipped on their block alone, once one was cut
            block = block_of(anchor)
            if block is None or (block in full and scan.capped):
                continue
        if href in refs:  # a page links some articles from several blocks
            ref = refs[href]
        else:
            ref = refs[href] = site.article_ref(href, base=base_url)
        if ref is None:
            continue
        block = block or block_of(anchor)
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
        link: LinkRef = {"url": ref.url, "title": normalize_space(text_of(anchor)),
                         "block": block, "position": rank or count}  # a literal: no call
        scan.links.append(link)
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

"""The article body: its text lines, photos and credits, from the DOM.

The parser extracts *structure*: it walks the body container (or, on an unknown theme, hands
a pruned copy of the page to a generic main-text extractor), leaves out what is not body at
the element level (scripts, ads, share buttons, embeds, inline 関連記事 boxes, the reporter
block, captions) and keeps one block per line. It does not clean text: credit lines, the
reporter line, widget text and repeats that remain in the lines are removed by
:func:`newscrawl.text.clean_body` in the clean pipeline. Credits seen in the DOM (photos,
captions, credit paragraphs, ``【引用:X】`` openings) are recorded here with the text
recognisers of :mod:`newscrawl.text`.

Every walk uses an explicit stack: no recursion on the page's nesting.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator

from lxml import etree
from lxml.html import HtmlElement, HTMLParser

from newscrawl.items import ImageRef
from newscrawl.pages.tree import deeper_than, is_element, parse_html, plain_lines, text_of
from newscrawl.text import MAX_CREDIT_TEXT, normalize_space, parse_credit, split_inline_credit
from newscrawl.urls import Site

logger = logging.getLogger(__name__)

DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "iframe", "template", "form", "button", "svg",
        "textarea", "input", "select", "video", "audio", "object", "embed", "canvas",
        "figcaption", "amp-ad", "amp-iframe", "amp-youtube", "amp-twitter", "amp-social-share",
    }
)
"""Elements whose text is never body text."""
DROP_CLASSES = frozenset(
    {
        "ad", "ads", "advertisement", "adsbygoogle", "share-buttons", "share", "sharedaddy",
        "related-inline", "twitter-tweet", "instagram-media", "wp-block-embed", "reporter",
        "amp-wp-reporter",
    }
)
"""Classes of blocks that are not body text (ads, share buttons, embeds, related boxes)."""
_CAPTION_CLASSES = frozenset({"wp-caption-text", "amp-caption", "caption"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_IMAGE_TAGS = ("img", "amp-img")
_LISTS = frozenset({"ul", "ol"})
_NOT_INLINE = DROP_TAGS | {"img", "amp-img", "figure"}
_LONGEST_CREDIT_LINE = MAX_CREDIT_TEXT

MAX_TREE_DEPTH = 100
"""Deepest nesting (levels below ``<html>``) handed to the generic extractor. trafilatura
recurses on nested lists (about two frames a level) and returns nothing on very deep trees;
real pages nest 20 to 40 levels. A deeper page gets :func:`plain_lines` instead."""

_BLOCKS = frozenset(
    {"p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "ul", "ol",
     "li", "dl", "dt", "dd", "table", "tr", "td", "th", "blockquote", "pre", "figure",
     "address", "br", "hr", *_HEADINGS})
"""Elements that end a line in :func:`plain_lines`."""


def _flat(text: str) -> str:
    """Newlines and tabs as spaces (``str.replace``: ``str.translate`` is slow on non-ASCII)."""
    return text.replace("\n", " ").replace("\r", " ").replace("\t", " ")


def classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def _is_inline(element: etree._Element, skip: frozenset[str]) -> bool:
    """True for an element whose text belongs to the line it sits in."""
    return (element.tag not in _NOT_INLINE and element.tag not in skip
            and not (classes(element) & DROP_CLASSES))


def _inline_text(element: etree._Element, skip: frozenset[str]) -> Iterator[str]:
    """The text of a paragraph-like element: ``<br>`` as ``"\\n"``, newlines and tabs as
    spaces, without the subtrees that are not body text (see :func:`_is_inline`)."""
    if element.text:
        yield _flat(element.text)
    stack: list[tuple[Iterator[etree._Element], etree._Element | None]] = [(iter(element), None)]
    while stack:
        children, owner = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if owner is not None and owner.tail:
                yield _flat(owner.tail)
            continue
        if is_element(child):
            if child.tag == "br":
                yield "\n"
            elif _is_inline(child, skip):
                if child.text:
                    yield _flat(child.text)
                stack.append((iter(child), child))
                continue
        if child.tail:
            yield _flat(child.tail)


def lines_of(element: etree._Element, skip: frozenset[str] = frozenset()) -> list[str]:
    """The lines of a paragraph-like element (split at ``<br>``), trimmed, empty ones out."""
    if len(element) == 0:  # text only: the common paragraph
        text = _flat(element.text) if element.text else ""
    else:
        text = "".join(_inline_text(element, skip))
    return [line.strip(" ") for line in text.split("\n") if line.strip(" ")]


def _inside_amp_img(element: etree._Element) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag == "amp-img":
            return True
        if parent.tag in ("figure", "p", "div"):
            return False
        parent = parent.getparent()
    return False


def _src(element: etree._Element) -> str | None:
    for attr in ("src", "data-src", "data-lazy-src"):
        value = element.get(attr)
        if value and not value.startswith("data:"):
            return value
    return None


def image_source(element: etree._Element) -> tuple[str | None, str | None]:
    """(src, credit from alt/title) of an ``img``/``amp-img``/``picture``, preferring the
    ``<noscript><img>`` fallback of an AMP image."""
    candidates = [img for img in element.iter("img") if img is not element]
    fallback = [img for img in candidates if img.getparent() is not None
                and img.getparent().tag == "noscript"]
    ordered = [*fallback, *candidates, element] if element.tag != "img" else [element]
    url = next((src for node in ordered if (src := _src(node))), None)
    credit = None
    for node in ordered:
        for attr in ("alt", "title"):
            value = node.get(attr)
            if value and (credit := parse_credit(value)):
                return url, credit
    return url, credit


class BodyWalker:
    """Walks a body container once: text lines, photos and their credits."""

    def __init__(self, site: Site, base_url: str) -> None:
        self.site = site
        self.base_url = base_url
        self.lines: list[str] = []
        self.images: list[ImageRef] = []
        self._image_urls: set[str] = set()
        self._credits: dict[str, None] = {}
        self.pending: ImageRef | None = None
        """The last photo, while the next block may still be its caption."""

    @property
    def credits(self) -> list[str]:
        """Credit names in document order (photos, captions, 【引用:X】), without repeats."""
        return list(self._credits)

    def _credit(self, name: str | None) -> None:
        if name:
            self._credits.setdefault(name)

    def _add_lines(self, lines: list[str]) -> None:
        for line in lines:
            text = normalize_space(html.unescape(line))
            name = split_inline_credit(text)[0]
            if name is None and (len(text) <= _LONGEST_CREDIT_LINE or "&" in text):
                name = parse_credit(text)  # a longer line without entities is no credit
            self._credit(name)
        self.lines.extend(lines)

    def _text(self, text: str | None) -> None:
        if text and text.strip():
            self.pending = None
            self._add_lines([_flat(text).strip(" ")])

    def walk(self, container: etree._Element) -> None:
        """Read ``container``'s blocks in order; generic wrappers (``div``, ``section``, …)
        are walked into, with an explicit stack."""
        self._text(container.text)
        stack: list[tuple[Iterator[etree._Element], etree._Element | None]] = [
            (iter(container), None)]
        while stack:
            children, owner = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if owner is not None:
                    self._text(owner.tail)
                continue
            if is_element(child) and self._element(child):
                self._text(child.text)
                stack.append((iter(child), child))
                continue
            self._text(child.tail)

    def _element(self, element: etree._Element) -> bool:
        """Read one block; True when it is a wrapper to walk into."""
        tag = element.tag
        element_classes = classes(element)
        if tag in DROP_TAGS or element_classes & DROP_CLASSES:
            return False
        if tag == "figure":
            if "wp-block-embed" not in element_classes and next(
                    element.iter("iframe"), None) is None:
                self._figure(element)
        elif tag in _IMAGE_TAGS or tag == "picture":
            self._add_image(element, None)
        elif tag == "p" or tag in _HEADINGS:
            self._paragraph(element, element_classes)
        elif tag in _LISTS:
            self.pending = None
            self._list(element)
        elif tag == "table":
            self.pending = None
            self._table(element)
        elif tag not in ("hr", "br"):
            return True
        return False

    def _paragraph(self, element: etree._Element, element_classes: set[str]) -> None:
        images = [img for img in element.iter(*_IMAGE_TAGS) if not _inside_amp_img(img)]
        lines = lines_of(element)
        if self.pending is not None and not images and lines:
            names = [parse_credit(line) for line in lines]
            if all(names) or (element_classes & _CAPTION_CLASSES and any(names)):
                credits = [n for n in names if n]
                if self.pending["credit"] is None:
                    self.pending["credit"] = credits[0]
                for name in credits:
                    self._credit(name)
                self.pending = None
                return
        self.pending = None
        for image in images:
            self._add_image(image, None)
        self._add_lines(lines)

    def _list(self, element: etree._Element) -> None:
        """One line per item; an item's nested lists follow it, depth first (a stack)."""
        stack: list[Iterator[etree._Element]] = [_items(element)]
        while stack:
            item = next(stack[-1], None)
            if item is None:
                stack.pop()
                continue
            nested = [c for c in item if is_element(c) and c.tag in _LISTS]
            self._add_lines(lines_of(item, _LISTS))
            if nested:
                stack.append(li for sub in nested for li in _items(sub))

    def _table(self, element: etree._Element) -> None:
        for row in element.iter("tr"):
            cells = [normalize_space(text_of(cell)) for cell in row]
            line = " ".join(cell for cell in cells if cell)
            if line:
                self._add_lines([line])

    def _figure(self, figure: etree._Element) -> None:
        images = [img for img in figure.iter(*_IMAGE_TAGS) if not _inside_amp_img(img)]
        caption = figure.find(".//figcaption")
        credit = parse_credit(text_of(caption)) if caption is not None else None
        for image in images:
            self._add_image(image, credit)

    def _add_image(self, element: etree._Element, credit: str | None) -> None:
        url, alt_credit = image_source(element)
        self.pending = None
        if not url:
            return
        image = ImageRef(url=self.site.normalize(url, base=self.base_url),
                         credit=credit or alt_credit)
        if image["url"] in self._image_urls:
            return
        self._image_urls.add(image["url"])
        self.images.append(image)
        self._credit(image["credit"])
        self.pending = image


def _items(list_element: etree._Element) -> Iterator[etree._Element]:
    return (item for item in list_element if is_element(item) and item.tag == "li")


# --- generic fallback -----------------------------------------------------------------------

_GENERIC_DROP = etree.XPath(
    "//script|//style|//noscript|//nav|//footer|//aside|//form|//textarea|//iframe|//figure"
    "|//figcaption|//h1|//button|//*[self::section or self::div][textarea]"
)
_LINK_BLOCKS = etree.XPath(
    "//*[self::section or self::div][*[1][self::h2 or self::h3 or self::p]"
    "[contains(., 'こんな記事も読まれています') or contains(., 'おすすめ')"
    " or contains(., '話題') or contains(., 'ランキング') or contains(., '関連記事')]]"
)


def densest_container(root: etree._Element) -> etree._Element | None:
    """The element whose ``<p>`` children hold the most text."""
    scores: dict[etree._Element, int] = {}
    for paragraph in root.iter("p"):
        parent = paragraph.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(text_of(paragraph))
    return max(scores, key=lambda k: scores[k]) if scores else None


def _prune(tree: HtmlElement) -> None:
    """Drop menus, footers, forms, figures, the headline, the byline (the block around the
    アクセス link), drop-class blocks and titled link blocks from ``tree``, in place."""
    junk: list[HtmlElement] = list(_GENERIC_DROP(tree))
    for element in tree.iter("div", "section", "ul", "ol", "p", "blockquote", "a"):
        if classes(element) & DROP_CLASSES:
            junk.append(element)
        elif element.tag == "a" and normalize_space(text_of(element)) == "アクセス":
            parent = element.getparent()
            if parent is not None:
                junk.append(parent)
    junk.extend(_LINK_BLOCKS(tree))
    for element in junk:
        if element.getparent() is not None:
            element.drop_tree()


def _plain_text(tree: HtmlElement) -> str:
    """The text of the page's ``<body>``, one block per line (an iterative walk)."""
    body = tree.find("body")
    return "\n".join(plain_lines(tree if body is None else body, _BLOCKS, DROP_TAGS))


def _extract(tree: HtmlElement) -> tuple[str | None, str | None]:
    """(main text of a pruned tree, problem): trafilatura's text; :func:`plain_lines` when
    the tree is too deep for it (problem ``deep_tree``)."""
    if deeper_than(tree, MAX_TREE_DEPTH):
        return _plain_text(tree), "deep_tree"
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - depends on the environment
        logger.warning("trafilatura unavailable; using the densest block of paragraphs")
        container = densest_container(tree)
        if container is None:
            return None, None
        return "\n".join(line for p in container.iter("p") for line in lines_of(p)), None
    try:
        text = trafilatura.extract(
            tree,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            deduplicate=False,
            favor_recall=True,
            with_metadata=False,
        )
    except RecursionError:  # a shape deeper for trafilatura than MAX_TREE_DEPTH foresaw
        return _plain_text(tree), "deep_tree"
    return text, None


def generic_body(text: str, base_url: str, skip: set[str]) -> tuple[str | None, str | None]:
    """(main text, problem) of a page without a known body container: trafilatura's text of
    the page (``text``, parsed anew as lxml.html) without menus, link blocks, the headline,
    byline, summary and comment widget; list markers dropped, lines equal to one of ``skip``
    dropped. ``problem`` is ``deep_tree`` when the page nests deeper than
    :data:`MAX_TREE_DEPTH`."""
    tree = parse_html(text, base_url, HTMLParser)
    if not isinstance(tree, HtmlElement):  # pragma: no cover - lxml.html's parser gives one
        return None, None
    _prune(tree)
    extracted, problem = _extract(tree)
    if not extracted:
        return None, problem
    lines = []
    for line in extracted.split("\n"):
        line = line.strip()
        if line.startswith("- "):
            line = line[2:]
        if line and normalize_space(line) not in skip:
            lines.append(line)
    return "\n".join(lines) or None, problem

"""The article body: its text lines, photos and credits, from the DOM.

The parser extracts *structure*: it walks the body blocks that a layer found
(:mod:`newscrawl.pages.content`: the theme's container, structured data, the learned template
or the generic main container), leaves out what is not body at the element level (scripts,
ads, share buttons, embeds, inline 関連記事 boxes, the reporter block, captions; below the
theme's own container also blocks of links or boilerplate and link lines) and keeps one block
per line. It does not clean text: credit lines, the
reporter line, widget text and repeats that remain in the lines are removed by
:func:`newscrawl.text.clean_body` in the clean pipeline. Credits seen in the DOM (photos,
captions, credit paragraphs, ``【引用:X】`` openings) are recorded here with the text
recognisers of :mod:`newscrawl.text`.

Every walk uses an explicit stack: no recursion on the page's nesting.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from typing import cast

from lxml import etree

from newscrawl.boilerplate import cleanable, is_share_line, opens_link_line
from newscrawl.items import ImageRef
from newscrawl.pages.tree import (
    is_element,
    plain_lines,
    text_of,
    text_up_to,
)
from newscrawl.text import MAX_CREDIT_TEXT, normalize_space, parse_credit, split_inline_credit
from newscrawl.urls import Site

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
BLOCKS = frozenset(
    {"p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "ul", "ol",
     "li", "dl", "dt", "dd", "table", "tr", "td", "th", "blockquote", "pre", "figure",
     "address", "br", "hr", *_HEADINGS})
"""Elements that end a line in :func:`plain_lines`."""
_INLINE = frozenset(
    {"a", "span", "strong", "b", "i", "em", "u", "s", "font", "small", "big", "sub", "sup",
     "mark", "abbr", "time", "code", "q", "cite", "ruby", "rt", "rp", "label", "wbr", "del",
     "ins", "var", "kbd", "dfn", "bdi", "bdo", "data", "nobr", "tt", "strike"})
"""Elements whose text continues the line around them (a text run inside a wrapper)."""
_INLINE_SCAN = 200
"""Descendants of an inline element read to see whether it holds a block."""
_CHECKED = frozenset({"div", "section", "aside", "nav", "header", "footer", "ul", "ol", "dl",
                      "table", "center"})
"""Blocks of a body container that :func:`junk_block` checks."""
MAX_JUNK_TEXT = 2000
"""Longest block text :func:`junk_block` reads: related boxes and share bars are short."""
LINK_BLOCK_SHARE = 0.6
"""A block whose text is at least this share of link text is a block of links."""
LINK_LINE_SHARE = 0.5
"""A marked line (``・``, ``▶``, [PR]) at least this much link text is a link line."""

MAX_TREE_DEPTH = 100
"""Deepest nesting (levels below ``<html>``) handed to the generic extractor. trafilatura
recurses on nested lists (about two frames a level) and returns nothing on very deep trees;
real pages nest 20 to 40 levels. A deeper page gets :func:`plain_lines` instead."""


def _flat(text: str) -> str:
    """Newlines and tabs as spaces (``str.replace``: ``str.translate`` is slow on non-ASCII)."""
    return text.replace("\n", " ").replace("\r", " ").replace("\t", " ")


def classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def dropped_class(element: etree._Element) -> bool:
    """True when one of the element's classes is in :data:`DROP_CLASSES` (most elements have
    no class: one attribute read)."""
    value = element.get("class")
    return value is not None and not DROP_CLASSES.isdisjoint(value.split())


def _is_inline(element: etree._Element, skip: frozenset[str]) -> bool:
    """True for an element whose text belongs to the line it sits in."""
    return (element.tag not in _NOT_INLINE and element.tag not in skip
            and not dropped_class(element))


class _Line:
    """Text pieces of one block, split at ``<br>``, with how much of each line is link text."""

    __slots__ = ("links", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.links: list[int] = [0]
        """Characters of link text per line (the last is the open line)."""

    def add(self, text: str, in_link: bool) -> None:
        text = _flat(text)
        self.parts.append(text)
        if in_link:
            self.links[-1] += len(text.strip())

    def br(self) -> None:
        self.parts.append("\n")
        self.links.append(0)

    def lines(self) -> tuple[list[str], list[float]]:
        """(the non-empty lines, trimmed; the share of each that is link text)."""
        lines: list[str] = []
        shares: list[float] = []
        for line, link in zip("".join(self.parts).split("\n"), self.links, strict=True):
            line = line.strip(" ")
            if line:
                lines.append(line)
                shares.append(min(1.0, link / len(line.replace(" ", "") or "x")))
        return lines, shares


class _Run:
    """The open run of a wrapper being walked: a :class:`_Line` once text arrives."""

    __slots__ = ("line",)

    def __init__(self, text: str | None) -> None:
        self.line: _Line | None = None
        if text:
            self.add(text)

    def add(self, text: str) -> None:
        if self.line is not None:
            self.line.add(text, False)
        elif text.strip():
            self.line = _Line()
            self.line.add(text, False)

    def open(self) -> _Line:
        if self.line is None:
            self.line = _Line()
        return self.line

    def take(self) -> _Line | None:
        """The run so far (to emit), leaving a closed one."""
        line, self.line = self.line, None
        return line


def _inline_into(element: etree._Element, out: _Line, skip: frozenset[str],
                 in_link: bool = False) -> None:
    """The text under ``element`` (``<br>`` as a line break, newlines and tabs as spaces)
    into ``out``, without the subtrees that are not body text (see :func:`_is_inline`);
    text under ``<a href>`` counts as link text. An explicit stack: any depth."""
    if text := element.text:  # each read of .text or .tail makes a new string
        out.add(text, in_link)
    stack: list[tuple[Iterator[etree._Element], etree._Element | None, bool]] = [
        (iter(element), None, in_link)]
    while stack:
        children, owner, linked = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if owner is not None and (tail := owner.tail):
                out.add(tail, stack[-1][2] if stack else in_link)
            continue
        if is_element(child):
            if child.tag == "br":
                out.br()
            elif _is_inline(child, skip):
                child_linked = linked or (child.tag == "a" and child.get("href") is not None)
                if text := child.text:
                    out.add(text, child_linked)
                stack.append((iter(child), child, child_linked))
                continue
        if tail := child.tail:
            out.add(tail, linked)


def lines_and_links(element: etree._Element, skip: frozenset[str] = frozenset()
                     ) -> tuple[list[str], list[float]]:
    if len(element) == 0:  # text only: the common paragraph, one line (no <br>)
        text = element.text
        line = _flat(text).strip(" ") if text else ""
        return ([line] if line else []), []
    out = _Line()
    _inline_into(element, out, skip)
    return out.lines()


def lines_of(element: etree._Element, skip: frozenset[str] = frozenset()) -> list[str]:
    """The lines of a paragraph-like element (split at ``<br>``), trimmed, empty ones out."""
    return lines_and_links(element, skip)[0]


def without_link_lines(lines: list[str], shares: list[float]) -> list[str]:
    """``lines`` without the link lines: a line that opens with a list or ad marker
    (``・``, ``▶``, 【関連】, [PR]; :data:`newscrawl.boilerplate.LINK_LINES`) and is mostly the
    text of a link."""
    if not shares:
        return lines
    return [line for line, share in zip(lines, shares, strict=True)
            if share < LINK_LINE_SHARE or not opens_link_line(normalize_space(line))]


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
            return cast("str | None", value)
    return None


def image_source(element: etree._Element) -> tuple[str | None, str | None]:
    """(src, credit from alt/title) of an ``img``/``amp-img``/``picture``, preferring the
    ``<noscript><img>`` fallback of an AMP image."""
    if element.tag == "img":
        ordered = [element]
    else:
        candidates = [img for img in element.iter("img") if img is not element]
        fallback = [img for img in candidates if img.getparent() is not None
                    and img.getparent().tag == "noscript"]
        ordered = [*fallback, *candidates, element]
    url = next((src for node in ordered if (src := _src(node))), None)
    credit = None
    for node in ordered:
        for attr in ("alt", "title"):
            value = node.get(attr)
            if value and (credit := parse_credit(value)):
                return url, credit
    return url, credit


def _images_in(element: etree._Element) -> list[etree._Element]:
    return [img for img in element.iter(*_IMAGE_TAGS) if not _inside_amp_img(img)]


def junk_block(element: etree._Element) -> str | None:
    """Why a block (``div``, list, table, …) of a body container is not body text, or None:
    ``links`` when most of its text is link text (a related box, a share bar, a card),
    ``boilerplate`` when every line of it is a whole boilerplate line
    (:func:`newscrawl.boilerplate.cleanable`: an ad label, a share prompt, a 続きを読む line;
    a share bar; a credit). Only the first :data:`MAX_JUNK_TEXT` characters are read: a
    longer block is not junk, nor one that holds a photo (a caption is a credit line)."""
    text = text_up_to(element, MAX_JUNK_TEXT)
    if text is None:
        return None
    solid = len("".join(text.split()))
    if not solid:
        return None
    linked = sum(len("".join(text_of(a).split())) for a in element.iter("a")
                 if a.get("href") is not None)
    if linked / solid >= LINK_BLOCK_SHARE:
        return "links"
    if next(element.iter(*_IMAGE_TAGS), None) is not None:
        return None  # a photo and its caption
    lines = plain_lines(element, BLOCKS, DROP_TAGS)
    if lines and all(cleanable(line) or is_share_line(line) or parse_credit(line)
                     for line in lines):
        return "boilerplate"
    return None


class BodyWalker:
    """Walks a body container once: text lines, photos and their credits.

    Blocks (paragraphs, headings, lists, tables, figures) give their lines; text that sits
    directly in a wrapper (``<div>`` text runs, as old and blog-service themes write
    paragraphs, split at ``<br>``) gives its lines as a paragraph would. Left out: the
    :data:`DROP_TAGS` and :data:`DROP_CLASSES` blocks, blocks of links or of boilerplate
    (:func:`junk_block`, not on the theme's own container: ``check_blocks``), link lines
    (:func:`without_link_lines`), and the blocks ``skip_block`` names (a learned template's
    boilerplate). A block of credit lines right after a photo is that photo's credit."""

    def __init__(self, site: Site, base_url: str, *, check_blocks: bool = False,
                 skip_block: Callable[[etree._Element], bool] | None = None) -> None:
        self.site = site
        self.base_url = base_url
        self.check_blocks = check_blocks
        self.skip_block = skip_block
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

    def _caption(self, lines: list[str], caption_class: bool = False) -> bool:
        """Take ``lines`` as the credit of the pending photo when they are all credits (or,
        for a caption-classed block, some are); True when they were."""
        if self.pending is None or not lines:
            return False
        names = [parse_credit(line) for line in lines]
        if not (all(names) or (caption_class and any(names))):
            return False
        credits = [n for n in names if n]
        if self.pending["credit"] is None:
            self.pending["credit"] = credits[0]
        for name in credits:
            self._credit(name)
        self.pending = None
        return True

    def _run(self, run: _Line | None) -> None:
        """Emit a run of inline text (a paragraph written without ``<p>``)."""
        if run is None:
            return
        lines, shares = run.lines()
        if self.pending is not None:  # credit lines right after a photo are its caption
            lead = 0
            while lead < len(lines) and parse_credit(lines[lead]):
                lead += 1
            if lead and self._caption(lines[:lead]):
                lines, shares = lines[lead:], shares[lead:]
        if not lines:
            return
        self.pending = None
        self._add_lines(without_link_lines(lines, shares))

    def walk(self, container: etree._Element) -> None:
        """Read ``container``'s blocks in order; generic wrappers (``div``, ``section``, …)
        are walked into, with an explicit stack. The text between blocks gathers in a run
        (made on its first non-blank text) that ends at the next block."""
        frames: list[tuple[Iterator[etree._Element], etree._Element | None, _Run]] = []
        frames.append((iter(container), None, _Run(container.text)))
        while frames:
            children, owner, run = frames[-1]
            child = next(children, None)
            if child is None:
                frames.pop()
                self._run(run.line)
                if owner is not None and frames and (tail := owner.tail):
                    frames[-1][2].add(tail)
                continue
            if not is_element(child):
                if tail := child.tail:
                    run.add(tail)
                continue
            tag = child.tag
            if tag == "br":
                run.open().br()
            elif tag in _INLINE and _is_inline(child, frozenset()) and not _has_blocks(child):
                for image in _images_in(child):
                    self._run(run.take())
                    self._add_image(image, None)
                _inline_into(child, run.open(), frozenset(), child.tag == "a")
            else:
                self._run(run.take())
                if self._element(child):
                    frames.append((iter(child), child, _Run(child.text)))
                    continue
            if tail := child.tail:
                run.add(tail)

    def _element(self, element: etree._Element) -> bool:
        """Read one block; True when it is a wrapper to walk into."""
        tag = element.tag
        value = element.get("class")
        element_classes = value.split() if value else []
        if tag in DROP_TAGS or not DROP_CLASSES.isdisjoint(element_classes):
            return False
        if self.skip_block is not None and self.skip_block(element):
            return False
        if self.check_blocks and tag in _CHECKED and junk_block(element):
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
            if next(element.iter(*_IMAGE_TAGS), None) is not None:
                return True  # a layout table (a photo and its caption): walked into
            self.pending = None
            self._table(element)
        elif tag not in ("hr", "br"):
            return True
        return False

    def _paragraph(self, element: etree._Element, element_classes: list[str]) -> None:
        images = _images_in(element) if len(element) else []
        lines, shares = lines_and_links(element)
        if self.pending is not None and not images and self._caption(
                lines, not _CAPTION_CLASSES.isdisjoint(element_classes)):
            return
        self.pending = None
        if images:
            for image in images:
                self._add_image(image, None)
            if self._caption(lines):
                return
        self._add_lines(without_link_lines(lines, shares) if shares else lines)

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
        images = _images_in(figure)
        caption = next(figure.iter("figcaption"), None)
        credit = parse_credit(text_of(caption)) if caption is not None else None
        for image in images:
            self._add_image(image, credit)

    def _add_image(self, element: etree._Element, credit: str | None) -> None:
        source, alt_credit = image_source(element)
        url = self.site.normalize(source, base=self.base_url) if source else None
        if not url:
            self.pending = None
            return
        image = ImageRef(url=url, credit=credit or alt_credit)
        if image["url"] in self._image_urls:  # the same photo again (a <noscript> copy)
            return
        self._image_urls.add(image["url"])
        self.images.append(image)
        self._credit(image["credit"])
        self.pending = image


def _has_blocks(element: etree._Element) -> bool:
    """True when an inline element holds a block (read at most :data:`_INLINE_SCAN`
    descendants; a larger inline element is walked as a wrapper)."""
    for count, node in enumerate(element.iterdescendants()):
        if count >= _INLINE_SCAN or (is_element(node) and node.tag in BLOCKS):
            return True
    return False


def _items(list_element: etree._Element) -> Iterator[etree._Element]:
    return (item for item in list_element if is_element(item) and item.tag == "li")

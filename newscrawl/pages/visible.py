"""Fields read from what a reader sees: the ``text`` layer of pages whose markup no other
layer knows.

Pure functions of a page's tree, each bounded (a fixed number of elements, short texts only):

- :func:`summary_lines`: the short lines between the headline and the body (a ``<br>``
  list, ``<li>`` items, a run of ``<p>``), without labels (この記事のポイント), date lines,
  bylines and link lines;
- :func:`byline_authors`: names in a byline form of :data:`newscrawl.boilerplate.BYLINES`
  (（文・名前）, 記者：名前, ［名前，媒体名］, （名前記者 mail））, and
  :func:`labelled_authors`: the names in an author box (この記事を書いた人);
- :func:`machine_dates`: ``<time datetime>`` and ``<abbr title>`` dates, published or modified
  by their class (publish…, updat…/modif…, as hAtom names them) or by a 更新 before them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from newscrawl.boilerplate import (
    AUTHOR_LABELS,
    BYLINES,
    MODIFIED_WORDS,
    is_summary_label,
    marker_of,
)
from newscrawl.pages.body import BLOCKS, LINK_LINE_SHARE, lines_and_links
from newscrawl.pages.tree import is_element, text_of, text_up_to
from newscrawl.text import normalize_space, parse_jp_datetime, split_authors

SUMMARY_LINES = (2, 6)
"""Fewest and most lines of a summary."""
SUMMARY_LINE_MAX = 60
"""Longest summary line (characters)."""
_LEAVES_READ = 40
"""Blocks read after the headline, at most."""
_BULLETS = "・●◆■□▶▷►-–—*＊ 　"
_SENTENCE_ENDS = ("。", "．", "！", "？", ".", "!", "?")
"""Summary lines are headline-like: a line ending a sentence is body text."""
_LEAF_TAGS = frozenset({"p", "li", "dd", "dt", "div", "td", "th", "blockquote", "section",
                        "header", "span", "b", "strong", "font"})
_BYLINE_TAGS = ("p", "div", "span", "li", "dd", "td", "address", "small", "font")
_BYLINE_READ = 800
"""Elements read for a byline, at most."""
_BYLINE_MAX = 80
"""Longest text read as a byline."""
_ISO_DATE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}")
_DATES_READ = 60
_EMAIL = re.compile(r"\S+@\S+\.\S+")


def headline_element(root: etree._Element, headline: str | None) -> etree._Element | None:
    """The first heading (``<h1>``…``<h4>``) that prints ``headline``, else the first
    ``<h1>``."""
    if headline:
        for element in root.iter("h1", "h2", "h3", "h4"):
            if normalize_space(text_of(element)) == headline:
                return element
    return next(root.iter("h1"), None)


def _has_blocks(element: etree._Element) -> bool:
    return any(is_element(c) and c.tag in BLOCKS and c.tag != "br" for c in element)


def _leaves_after(root: etree._Element, start: etree._Element,
                  stop: etree._Element | None) -> Iterator[etree._Element]:
    """Blocks without block children after ``start`` (and its subtree), in document order,
    until ``stop``; at most :data:`_LEAVES_READ`."""
    inside = set(start.iter())
    started = False
    count = 0
    skip_under: etree._Element | None = None
    for element in root.iter():
        if element is start:
            started = True
            continue
        if not started or element in inside or not is_element(element):
            continue
        if element is stop:
            return
        if skip_under is not None and skip_under in element.iterancestors():
            continue
        if element.tag in _LEAF_TAGS and not _has_blocks(element):
            skip_under = element
            count += 1
            yield element
            if count >= _LEAVES_READ:
                return


def _summary_line(line: str) -> str | None:
    """A candidate line without its bullet, or None for furniture (labels, dates, bylines,
    prompts: any :mod:`newscrawl.boilerplate` marker)."""
    line = normalize_space(line).lstrip(_BULLETS)
    if not line or is_summary_label(line) or marker_of(line) is not None:
        return None
    if any(pattern.match(line) for pattern in BYLINES):
        return None
    return line


def summary_lines(root: etree._Element, headline: str | None,
                  stop: etree._Element | None) -> list[str]:
    """The first group of :data:`SUMMARY_LINES` short, headline-like lines (no sentence
    end) after the headline (blocks under one parent make a group; a block of ``<br>`` lines
    is one), before ``stop`` (the body block)."""
    start = headline_element(root, headline)
    if start is None:
        return []
    groups: list[list[str]] = []
    parent: etree._Element | None = None
    for leaf in _leaves_after(root, start, stop):
        lines, shares = lines_and_links(leaf)
        shares = shares or [0.0] * len(lines)
        kept = [line for line, share in zip(lines, shares, strict=True)
                if share < LINK_LINE_SHARE]
        if len(kept) > 1:  # a block of <br> lines is a group of its own
            groups.append(kept)
            parent = None
            continue
        if not groups or leaf.getparent() is not parent:
            groups.append([])
        parent = leaf.getparent()
        groups[-1].extend(kept)
    low, high = SUMMARY_LINES
    for group in groups:
        lines = [line for raw in group if (line := _summary_line(raw))]
        if low <= len(lines) <= high and all(
                len(line) <= SUMMARY_LINE_MAX and not line.endswith(_SENTENCE_ENDS)
                for line in lines):
            return lines
    return []


def _names(text: str, site_names: set[str]) -> list[str]:
    return [name for name in split_authors(text)
            if name.casefold() not in site_names and not _EMAIL.search(name)]


def byline_authors(root: etree._Element, site_names: set[str]) -> list[str]:
    """The names of the first short block in a byline form (:data:`BYLINES`); the site's own
    name (``site_names``, case-folded) is not an author."""
    for count, element in enumerate(root.iter(*_BYLINE_TAGS)):
        if count >= _BYLINE_READ:
            break
        names = _byline(element, site_names)
        if names:  # the innermost block in that form: the outer one may add a time, tags
            for inner in element.iterdescendants(*_BYLINE_TAGS):
                names = _byline(inner, site_names) or names
            return names
    return []


def _byline(element: etree._Element, site_names: set[str]) -> list[str]:
    text = text_up_to(element, _BYLINE_MAX)
    if not text:
        return []
    line = normalize_space(text)
    for pattern in BYLINES:
        match = pattern.match(line)
        if match and (names := _names(match["names"], site_names)):
            return names
    return []


def labelled_authors(root: etree._Element, site_names: set[str]) -> list[str]:
    """The names in an author box: the box of the first element reading an author label
    (:data:`AUTHOR_LABELS`); its links' texts, else its other lines, e-mail addresses out."""
    for count, element in enumerate(root.iter(*_BYLINE_TAGS, "dt", "h3", "h4")):
        if count >= _BYLINE_READ:
            break
        label = text_up_to(element, 20)
        if label is None or normalize_space(label).strip(":：") not in AUTHOR_LABELS:
            continue
        box = element.getparent()
        if box is None:
            continue
        links = [normalize_space(text_of(a)) for a in box.iter("a")
                 if not (a.get("href") or "").startswith("mailto:")]
        lines = links or [normalize_space(text_of(c)) for c in box
                          if is_element(c) and c is not element]
        names = [n for line in lines if line for n in _names(line, site_names)]
        if names:
            return list(dict.fromkeys(names))
    return []


def _date_kind(element: etree._Element) -> str | None:
    """``published``/``modified`` from the element's classes, else ``modified`` when the text
    right before it says 更新; None when nothing tells."""
    names = (element.get("class") or "").lower()
    if "modif" in names or "updat" in names:
        return "modified"
    if "publish" in names or "posted" in names or "created" in names:
        return "published"
    parent = element.getparent()
    if parent is not None:
        before = parent.text or ""
        for sibling in element.itersiblings(preceding=True):
            before = (sibling.tail or "") + before
            break
        if any(word in before[-12:] for word in MODIFIED_WORDS):
            return "modified"
    return None


def machine_dates(root: etree._Element) -> tuple[str | None, str | None]:
    """(published, modified) from the page's ``<time datetime>`` and ``<abbr title>`` ISO
    dates (the first :data:`_DATES_READ`): by kind (:func:`_date_kind`), else the first
    unmarked one is the publication."""
    published = modified = None
    for count, element in enumerate(root.iter("time", "abbr")):
        if count >= _DATES_READ:
            break
        value = element.get("datetime") if element.tag == "time" else element.get("title")
        if not value or not _ISO_DATE.match(value):
            continue
        moment = parse_jp_datetime(value)
        kind = _date_kind(element)
        if kind == "modified":
            modified = modified or moment
        elif published is None:
            published = moment
    return published, modified

"""Structured data on a page: the JSON-LD article and the ``<meta>`` tags.

JSON-LD is untrusted: a block that does not parse, or nests deeper than the JSON decoder
allows (it raises :class:`RecursionError`), is broken and skipped; the nodes of a block are
walked with an explicit stack, never by recursion.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any, cast

from lxml import etree
from lxml.html import HtmlElement

from newscrawl.pages.tree import text_of
from newscrawl.text import normalize_space

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNews", "BlogPosting", "AnalysisNewsArticle"})
"""The JSON-LD ``@type`` values read as the page's article."""


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Every object of a JSON-LD document, at the top level, in lists and in ``@graph``, in
    document order (depth first)."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            yield node
            if "@graph" in node:
                stack.append(node["@graph"])


def find_article(blocks: Iterable[str]) -> tuple[dict[str, Any], bool]:
    """(the first JSON-LD object typed as an article, or ``{}``; whether a block was broken).

    Blocks are read in order until the article is found. References by ``@id`` in its
    top-level values (Yoast's ``"author": [{"@id": "…#/schema/person/…"}]``) are replaced by
    the objects of the same document that carry that ``@id``."""
    broken = False
    for raw in blocks:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested too deep to decode
            logger.debug("Ignoring broken JSON-LD")
            broken = True
            continue
        node = article_node(data)
        if node is not None:
            return resolve_references(node, data), broken
    return {}, broken


def _is_reference(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"@id"} and isinstance(value["@id"], str)


def resolve_references(node: dict[str, Any], document: Any) -> dict[str, Any]:
    """``node`` with its top-level ``{"@id": …}`` values (alone or in lists) replaced by the
    objects of ``document`` that define that ``@id``; unknown references stay."""
    refs = [v for value in node.values()
            for v in (value if isinstance(value, list) else (value,))
            if isinstance(v, dict) and _is_reference(v)]  # a reference is an object
    if not refs:
        return node
    wanted = {ref["@id"] for ref in refs}
    defined = {n["@id"]: n for n in _nodes(document) if n is not node
               and n.get("@id") in wanted and not _is_reference(n)}
    if not defined:
        return node

    def swap(value: Any) -> Any:
        return defined.get(value["@id"], value) if _is_reference(value) else value

    return {key: [swap(v) for v in value] if isinstance(value, list) else swap(value)
            for key, value in node.items()}


def article_node(data: Any) -> dict[str, Any] | None:
    """The first object typed as an article in a decoded JSON-LD document, or None."""
    for node in _nodes(data):
        types = node.get("@type")
        for name in types if isinstance(types, list) else [types]:
            if isinstance(name, str) and name in ARTICLE_TYPES:
                return node
    return None


def collect_meta(elements: Iterable[HtmlElement]) -> dict[str, list[str]]:
    """``<meta>`` contents by lower-cased ``property`` or ``name``, in page order; a ``<meta>``
    without ``content`` is skipped."""
    meta: dict[str, list[str]] = {}
    for element in elements:
        content = element.get("content")
        if content is not None and (key := element.get("property") or element.get("name")):
            meta.setdefault(key.lower(), []).append(content)
    return meta


def ld_text(value: Any) -> str | None:
    """A JSON-LD value as one trimmed string: the first of a list, the ``name`` (or ``@id``,
    ``url``) of an object; None when empty."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id") or value.get("url")
    if value is None or isinstance(value, (dict, list)):
        return None
    text = normalize_space(str(value))
    return text or None


def ld_list(value: Any) -> list[str]:
    """A JSON-LD value as a list of strings (a string is split on commas)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [normalize_space(v) for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        value = [value]
    return [text for item in value if (text := ld_text(item))]


def ld_images(value: Any) -> list[str]:
    """Image URLs of a JSON-LD ``image`` (strings, or objects with ``url``/``contentUrl``)."""
    urls = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("url") or item.get("contentUrl") or item.get("@id")
        if isinstance(item, str) and item.strip():
            urls.append(item.strip())
    return urls


COUNT_DIGITS = 9
"""Most digits of a count read from a page (no page has a billion comments; ``int`` refuses a
string of over 4,300 digits)."""


def count_of(text: str) -> int | None:
    """A count written as decimal digits (ASCII or full-width) with space around them, else
    None: ``²`` is a digit to ``str.isdigit`` but not to ``int``, and more than
    :data:`COUNT_DIGITS` digits are no count."""
    text = text.strip()
    return int(text) if text.isdecimal() and len(text) <= COUNT_DIGITS else None


def ld_int(value: Any) -> int | None:
    """A JSON-LD count: an int from 0 to :data:`COUNT_DIGITS` digits, or a string of digits
    (:func:`count_of`); None otherwise (booleans, negative counts and a JSON number of
    thousands of digits too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10**COUNT_DIGITS else None
    if isinstance(value, str):
        return count_of(value)
    return None


# --- schema.org microdata -----------------------------------------------------------------------

_ITEMS = etree.XPath("//*[@itemscope][@itemtype]")


class Microdata:
    """The properties (``itemprop``) of the page's first schema.org article item; nested
    items (an author ``Person``, an ``ImageObject``) are one property each, their own
    properties read through :meth:`names`."""

    def __init__(self, item: etree._Element | None) -> None:
        self.item = item
        self.props: dict[str, list[etree._Element]] = {}
        if item is not None:
            self._collect(item)

    def _collect(self, item: etree._Element) -> None:
        stack = [iter(item)]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                continue
            if not isinstance(child.tag, str):
                continue
            for name in (child.get("itemprop") or "").split():
                self.props.setdefault(name, []).append(child)
            if child.get("itemscope") is None:
                stack.append(iter(child))

    def __bool__(self) -> bool:
        return self.item is not None

    def element(self, name: str) -> etree._Element | None:
        found = self.props.get(name)
        return found[0] if found else None

    def values(self, name: str) -> list[str]:
        """The values of a property: ``content``, ``datetime``, ``href``/``src`` or text."""
        return [text for element in self.props.get(name, []) if (text := item_value(element))]

    def value(self, name: str) -> str | None:
        return next(iter(self.values(name)), None)

    def names(self, name: str) -> list[str]:
        """Names of a property's items (an author ``Person``'s ``name``) or its text."""
        out = []
        for element in self.props.get(name, []):
            if element.get("itemscope") is not None:
                inner = Microdata(element)
                text = inner.value("name")
            else:
                text = item_value(element)
            if text:
                out.append(text)
        return out


def item_value(element: etree._Element) -> str | None:
    for attr in ("content", "datetime"):
        value = element.get(attr)
        if value is not None:
            return normalize_space(value) or None
    if element.tag in ("a", "link"):
        return cast("str | None", element.get("href"))
    if element.tag in ("img", "amp-img", "meta"):
        return cast("str | None", element.get("src"))
    return normalize_space(text_of(element)) or None


def find_microdata(root: etree._Element) -> Microdata:
    """The first element typed as an article (``itemtype`` ending ``/NewsArticle`` …)."""
    for element in _ITEMS(root):
        kinds = (element.get("itemtype") or "").split()
        if any(kind.rstrip("/").rsplit("/", 1)[-1] in ARTICLE_TYPES for kind in kinds):
            return Microdata(element)
    return Microdata(None)

"""Structured data on a page: the JSON-LD article and the ``<meta>`` tags.

JSON-LD is untrusted: a block that does not parse, or nests deeper than the JSON decoder
allows (it raises :class:`RecursionError`), is broken and skipped; the nodes of a block are
walked with an explicit stack, never by recursion.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from lxml.html import HtmlElement

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

    Blocks are read in order until the article is found."""
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
            return node, broken
    return {}, broken


def article_node(data: Any) -> dict[str, Any] | None:
    """The first object typed as an article in a decoded JSON-LD document, or None."""
    for node in _nodes(data):
        types = node.get("@type")
        for name in types if isinstance(types, list) else [types]:
            if isinstance(name, str) and name in ARTICLE_TYPES:
                return node
    return None


def collect_meta(elements: Iterable[HtmlElement]) -> dict[str, list[str]]:
    """``<meta>`` contents by lower-cased ``property`` or ``name``, in page order."""
    meta: dict[str, list[str]] = {}
    for element in elements:
        key = element.get("property") or element.get("name")
        if key:
            meta.setdefault(key.lower(), []).append(element.get("content"))
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


def ld_int(value: Any) -> int | None:
    """A JSON-LD count: an int, or a string of digits; None otherwise (booleans too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None

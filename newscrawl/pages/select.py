"""Class-based CSS queries over a page's class index, without an XPath scan per query.

libxml2 evaluates a CSS class test (``contains(concat(' ', normalize-space(@class), ' '),
' x ')``) on every element of the page, for every query: on a replica page the six such
queries of the article parser cost more than parsing the page. :class:`Query` answers the same
selectors from one pass over the page (:class:`ClassIndex`), in document order.

Grammar: comma-separated alternatives of one or two compounds (``tag``, ``.class``,
``tag.class``) joined by a space (descendant). A class compound is needed in each alternative.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

_XML_SPACE = re.compile("[ \t\r\n]+")
_COMPOUND = re.compile(r"^(?P<tag>[a-z][a-z0-9-]*)?(?:\.(?P<cls>[A-Za-z0-9_-]+))?$")


def _split_names(value: str) -> frozenset[str]:
    return frozenset(_XML_SPACE.split(value.strip(" \t\r\n")))


_SPLIT_CACHE_SIZE = 4096
_splits: dict[str, frozenset[str]] = {}
"""Short class values split, by value (a page repeats a few values many times); emptied when it
holds :data:`_SPLIT_CACHE_SIZE`."""


def _split(value: str) -> frozenset[str]:
    """Class names as XPath's ``normalize-space`` splits them (space, tab, CR, LF). ``value``
    may be an attribute result of an XPath: looked up as it is, kept as a plain copy (the
    result holds its element, and with it the page's tree)."""
    names = _splits.get(value)
    if names is None:
        names = _split_names(value)
        if len(value) <= 200:
            if len(_splits) >= _SPLIT_CACHE_SIZE:
                _splits.clear()
            _splits[str(value)] = names
    return names


_CLASS_ATTRIBUTES = etree.XPath("descendant-or-self::*/@class")


class ClassIndex:
    """The page's elements by class name, each list in document order."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.by_class: dict[str, list[etree._Element]] = {}
        for value in _CLASS_ATTRIBUTES(root):  # attributes in document order, found in C
            element = value.getparent()
            for name in _splits.get(value) or _split(value):  # a hit without the call
                self.by_class.setdefault(name, []).append(element)
        self._positions: dict[etree._Element, int] | None = None

    def position(self, element: etree._Element) -> int:
        """The element's place in document order (computed on first use)."""
        if self._positions is None:
            self._positions = {e: i for i, e in enumerate(self.root.iter())}
        return self._positions[element]


@dataclass(frozen=True)
class _Compound:
    tag: str | None
    cls: str | None

    def matches(self, element: etree._Element) -> bool:
        if self.tag is not None and element.tag != self.tag:
            return False
        if self.cls is None:
            return True
        value = element.get("class")
        return value is not None and self.cls in _split(value)


def _compound(text: str) -> _Compound:
    match = _COMPOUND.match(text)
    if match is None or not (match["tag"] or match["cls"]):
        raise ValueError(f"unsupported selector part {text!r}")
    return _Compound(match["tag"], match["cls"])


class Query:
    """A CSS query (see the module docs), compiled once, run on a :class:`ClassIndex`."""

    def __init__(self, css: str) -> None:
        self.css = css
        self.alternatives: list[tuple[_Compound | None, _Compound, tuple[str, ...]]] = []
        """Each alternative: its ancestor and target compounds, and their class names (one
        the page lacks rules the alternative out)."""
        for alternative in css.split(","):
            parts = [_compound(p) for p in alternative.split()]
            if not ((len(parts) == 1 and parts[0].cls is not None)
                    or (len(parts) == 2 and (parts[0].cls or parts[1].cls))):
                raise ValueError(f"unsupported selector {alternative!r}")
            ancestor, target = (None, parts[0]) if len(parts) == 1 else (parts[0], parts[1])
            names = tuple(c.cls for c in parts if c.cls is not None)
            self.alternatives.append((ancestor, target, names))

    def __call__(self, index: ClassIndex) -> list[etree._Element]:
        by_class = index.by_class
        hits = []
        for ancestor, target, needs in self.alternatives:
            for name in needs:
                if name not in by_class:
                    break
            else:
                elements = list(_select(index, ancestor, target))
                if elements:
                    hits.append(elements)
        if len(hits) <= 1:
            return hits[0] if hits else []
        unique = {element: None for elements in hits for element in elements}
        return sorted(unique, key=index.position)


def _select(index: ClassIndex, ancestor: _Compound | None, target: _Compound
            ) -> Iterator[etree._Element]:
    """The elements matching ``target`` (below an element matching ``ancestor``, when given),
    in document order, each once."""
    if target.cls is not None:
        for element in index.by_class.get(target.cls, ()):
            if (target.tag is None or element.tag == target.tag) and (
                    ancestor is None or _has_ancestor(element, ancestor)):
                yield element
        return
    assert ancestor is not None and ancestor.cls is not None
    seen: set[etree._Element] = set()
    for element in index.by_class.get(ancestor.cls, ()):
        if ancestor.tag is None or element.tag == ancestor.tag:
            for below in element.iterdescendants(target.tag):
                if below not in seen:
                    seen.add(below)
                    yield below


def _has_ancestor(element: etree._Element, ancestor: _Compound) -> bool:
    parent = element.getparent()
    while parent is not None:
        if ancestor.matches(parent):
            return True
        parent = parent.getparent()
    return False

"""Bounded helpers over an lxml tree: no recursion, no work beyond what the answer needs.

A page is untrusted input. Nothing in :mod:`newscrawl.pages` recurses on the page's structure
(libxml2 parses some 2,000 levels of nesting, more than Python's recursion limit allows), and
these helpers read text only as far as a question needs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import cast

from lxml import etree

#: C0 control characters but tab, LF and CR, and the two non-characters U+FFFE/U+FFFF: not
#: allowed in XML text, so lxml refuses them when a library (trafilatura) copies text into a
#: new element, and that library then returns nothing for the whole page.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROL_CODES = frozenset([*range(1, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF])
"""The same as code points, for character references (``&#8;``: the parser decodes them)."""
_AS_SPACE = frozenset({"\x0b", "\x0c", 11, 12})
"""Vertical tab and form feed are whitespace to HTML and to
:func:`~newscrawl.text.normalize_space`: they become a space; other controls are dropped."""
_CHAR_REF = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,6})(?![0-9a-fA-F])|0*([0-9]{1,7})(?![0-9]));?")
CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])
"""The bytes of :data:`_CONTROLS` below U+0080 (one byte each in UTF-8)."""
_XML_SPACE = re.compile("[ \t\r\n]+")


def _control_ref(match: re.Match[str]) -> str:
    code = int(match[1], 16) if match[1] else int(match[2])
    if code not in _CONTROL_CODES:
        return match[0]
    return " " if code in _AS_SPACE else ""


def strip_controls(text: str) -> str:
    """``text`` without control characters (see :data:`_CONTROLS`), written as themselves or
    as character references (``&#8;``, ``&#x1F;``); VT and FF become spaces.

    A page holds none as a rule: its UTF-8 form is checked first (C code: no control byte,
    no ``&#``, no U+FFFE/U+FFFF), which is three times faster than a regex over the text."""
    data = text.encode("utf-8", "surrogatepass")
    if (len(data.translate(None, CONTROL_BYTES)) == len(data) and b"&#" not in data
            and b"\xef\xbf\xbe" not in data and b"\xef\xbf\xbf" not in data):
        return text
    text = _CONTROLS.sub(lambda m: " " if m.group() in _AS_SPACE else "", text)
    return _CHAR_REF.sub(_control_ref, text) if "&#" in text else text


def parse_html(text: str, base_url: str,
               parser_class: type[etree.HTMLParser] = etree.HTMLParser) -> etree._Element:
    """The root element of an HTML page, parsed as :class:`parsel.Selector` parses it (the
    text trimmed and without NUL, ``recover``, ``huge_tree``; ``<html/>`` when empty), but
    for the ``id`` index (``collect_ids=False``: nothing here looks an element up by id).

    The default parser gives plain lxml elements: lxml.html's element classes are looked up
    in Python for every element object lxml creates, which costs more than the parse of a
    page once its links, blocks and class queries have touched most elements. Pass
    :class:`lxml.html.HTMLParser` for a tree that libraries such as trafilatura accept."""
    return parse_markup(text.strip().replace("\x00", "").encode("utf-8"), base_url, parser_class)


def parse_markup(data: bytes, base_url: str,
                 parser_class: type[etree.HTMLParser] = etree.HTMLParser) -> etree._Element:
    """The root element of trimmed UTF-8 markup without NUL (see :func:`parse_html`)."""
    parser = parser_class(recover=True, encoding="utf-8", huge_tree=True, collect_ids=False)
    root = etree.fromstring(data or b"<html/>", parser=parser, base_url=base_url)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser, base_url=base_url)
    return root


_STRING = etree.XPath("string()", smart_strings=False)


def text_of(element: etree._Element) -> str:
    """The text of ``element`` and its descendants (lxml.html's ``text_content()``). An element
    without children (a comment is one) holds its ``text`` only: read without XPath, a third of
    the time."""
    if len(element) == 0:
        text = element.text
        return text if text is not None else ""
    return str(_STRING(element))


_TEXT_NODES = etree.XPath("text()", smart_strings=False)


def own_texts(element: etree._Element) -> list[str]:
    """XPath's ``text()`` of ``element``: its own text nodes, in order. An element without
    children holds its ``text`` only: read without XPath (2.5 µs a call)."""
    if len(element) == 0:
        text = element.text
        return [text] if text else []
    return cast("list[str]", _TEXT_NODES(element))


def is_element(node: object) -> bool:
    """True for an element (not a comment or processing instruction)."""
    return isinstance(getattr(node, "tag", None), str)


def _levels(depth: int) -> etree.XPath:
    return etree.XPath(f"boolean({'/'.join(['*'] * depth)})")


_DEPTH_QUERIES: dict[int, etree.XPath] = {}


def deeper_than(root: etree._Element, depth: int) -> bool:
    """True when some element sits more than ``depth`` levels below ``root``.

    One XPath of ``depth`` steps (``*/*/…``): each step holds the elements of one level, so
    the tree is read once, in C, whatever its shape."""
    query = _DEPTH_QUERIES.get(depth)
    if query is None:
        query = _DEPTH_QUERIES[depth] = _levels(depth + 1)
    return bool(query(root))


def text_up_to(element: etree._Element, limit: int) -> str | None:
    """``element.text_content()`` when it is at most ``limit`` characters long, else None;
    the text is read only until it passes ``limit``."""
    parts: list[str] = []
    size = 0
    for piece in element.itertext():
        size += len(piece)
        if size > limit:
            return None
        parts.append(piece)
    return "".join(parts)


def xpath_normalized_below(element: etree._Element, limit: int) -> str | None:
    """The text of ``element`` when XPath's ``normalize-space(.)`` of it is shorter than
    ``limit`` characters, else None. Reading stops once ``limit`` non-space characters are
    seen (the normalised text is then at least that long)."""
    parts: list[str] = []
    solid = 0
    for piece in element.itertext():
        parts.append(piece)
        solid += len(piece) - sum(piece.count(c) for c in " \t\r\n")
        if solid >= limit:
            return None
    text = "".join(parts)
    return text if len(xpath_normalize(text)) < limit else None


def xpath_normalize(text: str) -> str:
    """XPath's ``normalize-space()``: XML spaces (space, tab, CR, LF) trimmed and collapsed."""
    return _XML_SPACE.sub(" ", text).strip(" ")


def walk_text(element: etree._Element, breaks: frozenset[str], skip: frozenset[str]
              ) -> Iterator[str]:
    """The text of ``element`` in document order, with a ``"\\n"`` around every element whose
    tag is in ``breaks``; subtrees whose tag is in ``skip`` are left out (their tail is kept).

    Iterative (an explicit stack), so any depth is walked."""
    if text := element.text:  # each read of .text or .tail makes a new string
        yield text
    stack: list[tuple[Iterator[etree._Element], etree._Element | None]] = [(iter(element), None)]
    while stack:
        children, owner = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if owner is not None:
                if owner.tag in breaks:
                    yield "\n"
                if tail := owner.tail:
                    yield tail
            continue
        if is_element(child) and child.tag not in skip:
            if child.tag in breaks:
                yield "\n"
            if text := child.text:
                yield text
            stack.append((iter(child), child))
            continue
        if tail := child.tail:
            yield tail


def plain_lines(element: etree._Element, breaks: frozenset[str], skip: frozenset[str]
                ) -> list[str]:
    """The non-empty lines of :func:`walk_text`, each with its spaces collapsed."""
    text = "".join(walk_text(element, breaks, skip))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return [line for line in lines if line]

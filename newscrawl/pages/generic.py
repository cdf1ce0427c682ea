"""The generic layer: the body of a page whose layout no other layer knows.

Two ways, the first that gives a body:

1. **The main container** (:func:`main_containers`): every run of text on the page is given to
   its nearest block; a block that is only a paragraph (text and inline elements: ``<p>``, a
   ``<div>`` per paragraph) counts for its parent, a block that mixes text runs with blocks
   (a bare ``<div>`` of ``<br><br>``-separated paragraphs) for itself. Link text, scripts,
   forms' inputs, menus, footers and sidebars do not count. The block with the most text is
   the container; its siblings of the same kind (a class in common, or the same classless
   tag) that hold text too are part of it (a body split around a 続きを読む button). The
   container is then walked like any body container (:class:`~newscrawl.pages.body.BodyWalker`,
   with its checks for link blocks, boilerplate blocks and link lines).
2. **trafilatura** on a pruned copy of the page when no block holds enough text (a page made
   of scattered short blocks, where its scoring does better), or a plain text walk when the
   page nests too deep for it (problem ``deep_tree``). The pruning never removes an element
   that holds most of the page's text (broken markup where a ``<form>`` or a share wrapper
   encloses the article).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from lxml import etree
from lxml.html import HtmlElement, HTMLParser

from newscrawl.pages.body import (
    BLOCKS,
    DROP_TAGS,
    MAX_TREE_DEPTH,
    classes,
    dropped_class,
    junk_block,
    lines_of,
)
from newscrawl.pages.tree import deeper_than, is_element, parse_html, plain_lines, text_of
from newscrawl.text import normalize_space

logger = logging.getLogger(__name__)

MIN_CONTAINER_TEXT = 100
"""Fewest characters of paragraph text (non-link, spaces out) for a main container; below
it, trafilatura reads the page."""
SIBLING_SHARE = 0.1
"""A sibling of the main container joins it when it holds at least this share of its text."""
_UNSCORED = (DROP_TAGS - {"form", "button"}) | {"nav", "footer", "aside", "h1", "select"}
"""Subtrees whose text never counts towards a container (forms and buttons do: broken markup
can wrap a whole article in one)."""
_SHORT_UNIT = 10
"""Text units shorter than this (labels, dates, bullets) do not count."""
_SENTENCE_ENDS = ("。", "！", "？", ". ", "! ", "? ")


def text_nodes(root: etree._Element) -> Iterator[tuple[etree._Element, str, bool]]:
    """(nearest block element, text, whether under a link) of every text node under ``root``
    outside unscored subtrees (:data:`_UNSCORED`), in document order. An explicit stack: any
    depth."""
    if text := root.text:  # each read of .text or .tail makes a new string
        yield root, text, False
    stack: list[tuple[Iterator[etree._Element], etree._Element, bool]] = [
        (iter(root), root, False)]
    while stack:
        children, block, linked = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag
        if isinstance(tag, str) and tag not in _UNSCORED and not dropped_class(child):
            child_block = child if tag in BLOCKS else block
            child_linked = linked or tag == "a"
            if text := child.text:
                yield child_block, text, child_linked
            stack.append((iter(child), child_block, child_linked))
        if tail := child.tail:
            yield block, tail, linked


def text_runs(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """(nearest block element, text) of the text nodes of :func:`text_nodes` outside links."""
    return ((block, text) for block, text, linked in text_nodes(root) if not linked)


def _holds_paragraphs(block: etree._Element) -> bool:
    """True when a block is more than one paragraph: it has block children, or (not a
    ``<p>``) two ``<br>`` in a row between its text runs."""
    previous_br = False
    for child in block:
        if not is_element(child):
            continue
        if child.tag == "br":
            if previous_br and block.tag != "p":
                return True
            previous_br = not (child.tail or "").strip()
            continue
        if child.tag in BLOCKS:
            return True
        previous_br = False
    return False


def unit_owner(block: etree._Element, root: etree._Element) -> etree._Element:
    """The container a text unit counts for: its parent when the block is only a paragraph,
    else the block itself (text runs among blocks, or paragraphs split by ``<br><br>``)."""
    parent = block.getparent()
    if parent is not None and block is not root and not _holds_paragraphs(block):
        return parent
    return block


def _scores(root: etree._Element) -> dict[etree._Element, float]:
    """Paragraph text per container (see the module docs): a block's characters outside
    links, when they outnumber its link text; half of them when it has no sentence end
    (labels, summary lines, dates weigh less than prose)."""
    plain: dict[etree._Element, list[str]] = {}
    linked: dict[etree._Element, int] = {}
    for block, text, in_link in text_nodes(root):
        if in_link:
            linked[block] = linked.get(block, 0) + len("".join(text.split()))
        else:
            plain.setdefault(block, []).append(text)
    scores: dict[etree._Element, float] = {}
    for block, texts in plain.items():
        text = "".join("".join(texts).split())
        size = len(text)
        if size < _SHORT_UNIT or size <= linked.get(block, 0):
            continue
        weight = size if any(end in text for end in _SENTENCE_ENDS) else size / 2
        owner = unit_owner(block, root)
        scores[owner] = scores.get(owner, 0) + weight
    return scores


def _kin(a: etree._Element, b: etree._Element) -> bool:
    """Siblings of one kind: a class in common, or the same tag with no class and the same
    ``itemprop`` (none)."""
    ca, cb = classes(a), classes(b)
    if ca or cb:
        return bool(ca & cb)
    return bool(a.tag == b.tag and a.get("itemprop") == b.get("itemprop"))


def main_containers(root: etree._Element) -> list[etree._Element]:
    """The page's main container and its kin siblings, in document order (see the module
    docs); ``[]`` when no block holds :data:`MIN_CONTAINER_TEXT` characters."""
    body = root.find("body")
    scores = _scores(root if body is None else body)
    if not scores:
        return []
    best = max(scores, key=lambda k: scores[k])
    parent = best.getparent()
    chosen, total = [best], scores[best]
    if parent is not None:
        chosen = []
        for sibling in parent:
            if sibling is best:
                chosen.append(best)
            elif is_element(sibling) and sibling.tag in BLOCKS and _kin(sibling, best):
                held = sum(scores.get(node, 0) for node in sibling.iter())
                if held >= SIBLING_SHARE * scores[best]:
                    chosen.append(sibling)
                    total += held
    return chosen if total >= MIN_CONTAINER_TEXT else []


def densest_container(root: etree._Element) -> etree._Element | None:
    """The element whose ``<p>`` children hold the most text."""
    scores: dict[etree._Element, int] = {}
    for paragraph in root.iter("p"):
        parent = paragraph.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(text_of(paragraph))
    return max(scores, key=lambda k: scores[k]) if scores else None


# --- trafilatura on a pruned page -------------------------------------------------------------

_GENERIC_DROP = etree.XPath(
    "//script|//style|//noscript|//nav|//footer|//aside|//form|//textarea|//iframe|//figure"
    "|//figcaption|//h1|//button|//*[self::section or self::div][textarea]"
)
_PRUNE_CHECKED = ("div", "section", "ul", "ol", "dl", "table", "p", "blockquote", "a")


def _text_sizes(root: etree._Element) -> dict[etree._Element, int]:
    """Characters of text under each element (spaces out), in one iterative pass."""
    sizes: dict[etree._Element, int] = {}
    stack: list[tuple[etree._Element, Iterator[etree._Element]]] = [(root, iter(root))]
    own = {root: len("".join((root.text or "").split()))}
    while stack:
        element, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            sizes[element] = own.pop(element)
            if stack:
                own[stack[-1][0]] += sizes[element]
            continue
        if child.tail:
            own[element] += len("".join(child.tail.split()))
        if is_element(child):
            own[child] = len("".join((child.text or "").split()))
            stack.append((child, iter(child)))
    return sizes


def prune(tree: etree._Element) -> None:
    """Drop menus, footers, forms, figures, the headline, the byline (the block around the
    アクセス link), drop-class blocks, blocks of links or boilerplate
    (:func:`~newscrawl.pages.body.junk_block`) from ``tree``, in place; never an element that
    holds more than half of the page's text."""
    sizes = _text_sizes(tree)
    most = sizes.get(tree, 0) / 2
    junk: list[etree._Element] = list(_GENERIC_DROP(tree))
    for element in tree.iter(*_PRUNE_CHECKED):
        if dropped_class(element):
            junk.append(element)
        elif element.tag == "a":
            if normalize_space(text_of(element)) == "アクセス":
                parent = element.getparent()
                if parent is not None:
                    junk.append(parent)
        elif element.tag not in ("p", "a") and junk_block(element):
            junk.append(element)
    for element in junk:
        if element.getparent() is not None and sizes.get(element, 0) <= most:
            element.drop_tree()


def _plain_text(tree: etree._Element) -> str:
    """The text of the page's ``<body>``, one block per line (an iterative walk)."""
    body = tree.find("body")
    return "\n".join(plain_lines(tree if body is None else body, BLOCKS, DROP_TAGS))


def plain_body(root: etree._Element, skip: set[str]) -> str | None:
    """The last resort: the plain text of the page's ``<body>`` without menus, footers,
    sidebars and the lines of ``skip``, else with them; None for a page with no text."""
    body = root.find("body")
    body = root if body is None else body
    for drop in (_UNSCORED, DROP_TAGS):
        lines = without_skipped(plain_lines(body, BLOCKS, drop), skip)
        if lines:
            return "\n".join(lines)
    return None


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


def without_skipped(lines: Iterator[str] | list[str], skip: set[str]) -> list[str]:
    """``lines`` trimmed, without list markers (``- ``), empty lines and lines equal to one of
    ``skip`` (the headline, summary lines, author names)."""
    out = []
    for line in lines:
        line = line.strip()
        if line.startswith("- "):
            line = line[2:]
        if line and normalize_space(line) not in skip:
            out.append(line)
    return out


def trafilatura_body(text: str, base_url: str, skip: set[str]
                     ) -> tuple[str | None, str | None]:
    """(main text, problem) of a page: trafilatura's text of the page (``text``, parsed anew
    as lxml.html) after :func:`prune`; lines equal to one of ``skip`` dropped. ``problem`` is
    ``deep_tree`` when the page nests deeper than :data:`MAX_TREE_DEPTH`."""
    tree = parse_html(text, base_url, HTMLParser)
    if not isinstance(tree, HtmlElement):  # pragma: no cover - lxml.html's parser gives one
        return None, None
    prune(tree)
    extracted, problem = _extract(tree)
    if not extracted:
        return None, problem
    return "\n".join(without_skipped(extracted.split("\n"), skip)) or None, problem

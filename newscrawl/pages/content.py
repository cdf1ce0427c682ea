"""Where a page's body is, layer by layer: the first layer that finds a body block wins.

1. ``markup``: the theme's own body container (``div.entry-content``, AMP's
   ``div.amp-wp-article-content``);
2. ``jsonld``: the block that prints the JSON-LD ``articleBody`` (its first and last words),
   or that text itself when no block does;
3. ``microdata``: the ``itemprop="articleBody"`` element of a schema.org article item;
4. ``template``: the body block of the page's layout, learned from the crawl's pages
   (:mod:`newscrawl.pages.template`);
5. ``generic``: the page's main container (:func:`newscrawl.pages.generic.main_containers`),
   else trafilatura on a pruned copy of the page (the body field does that).

The blocks are walked once (:class:`~newscrawl.pages.body.BodyWalker`), for the body's lines,
photos and credits. Below the ``markup`` layer the walk also leaves out blocks of links or of
boilerplate and link lines, and the template's furniture blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from newscrawl.pages.body import BodyWalker
from newscrawl.pages.generic import densest_container, main_containers, text_runs
from newscrawl.pages.page import Page, cached
from newscrawl.pages.structured import ld_text
from newscrawl.text import normalize_space

LD_BODY_MIN = 40
"""Shortest JSON-LD ``articleBody`` (characters) taken as a body."""
_LD_PROBE = 20
"""Characters of the JSON-LD body's start and end looked for in the page's blocks."""


@dataclass(frozen=True)
class BodyChoice:
    """The layer that found the body and the blocks it found (in document order); ``text``
    when the layer gives text rather than blocks (a JSON-LD ``articleBody`` no block prints)."""

    source: str | None
    containers: tuple[etree._Element, ...] = ()
    text: str | None = None


def _ld_container(root: etree._Element, text: str) -> etree._Element | None:
    """The smallest element holding the block that prints the start of ``text`` and the
    block that prints its end (one pass over the page's text runs)."""
    flat = normalize_space(text)
    head, tail = flat[:_LD_PROBE], flat[-_LD_PROBE:]
    pieces: dict[etree._Element, list[str]] = {}
    for block, run in text_runs(root):
        pieces.setdefault(block, []).append(run)
    first = last = None
    for block, runs in pieces.items():
        content = normalize_space("".join(runs))
        if first is None and head in content:
            first = block
        if tail in content:
            last = block
    if first is None or last is None:
        return None
    ancestors = {first, *first.iterancestors()}
    node: etree._Element | None = last
    while node is not None and node not in ancestors:
        node = node.getparent()
    return node


@cached
def body_choice(page: Page) -> BodyChoice:
    """The first layer of ``page.body_layers`` that finds the page's body (see the module
    docs); ``BodyChoice(None)`` when none does."""
    layers = page.body_layers
    if "markup" in layers and page.body_container is not None:
        return BodyChoice("markup", (page.body_container,))
    ld_body = ld_text(page.jsonld.get("articleBody")) if "jsonld" in layers else None
    if ld_body and len(ld_body) >= LD_BODY_MIN:
        found = _ld_container(page.root, ld_body)
        return BodyChoice("jsonld", (found,)) if found is not None else BodyChoice(
            "jsonld", (), str(page.jsonld.get("articleBody")))
    element = page.microdata.element("articleBody") if "microdata" in layers else None
    if element is not None:
        return BodyChoice("microdata", (element,))
    template = page.template if "template" in layers else None
    if template is not None:
        containers = template.body_containers(page.root)
        if containers:
            return BodyChoice("template", tuple(containers))
    if "generic" in layers:
        return BodyChoice("generic", tuple(main_containers(page.root)))
    return BodyChoice(None)


@cached
def body_walk(page: Page) -> BodyWalker:
    """The walk of the chosen blocks; on a page where no layer found a block, of the densest
    block of paragraphs (its photos and credits, for trafilatura's body)."""
    choice = body_choice(page)
    template = page.template if choice.source != "markup" else None
    walker = BodyWalker(page.site, page.url, check_blocks=choice.source != "markup",
                        skip_block=template.is_boilerplate if template is not None else None)
    containers = choice.containers
    if not containers and choice.text is None:
        dense = densest_container(page.root)
        containers = () if dense is None else (dense,)
    for container in containers:
        walker.walk(container)
    return walker

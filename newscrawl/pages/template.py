"""A site template learned from the crawl itself: which block of a layout is the body, which
blocks inside it are furniture, where the other fields sit.

A single-site crawler sees hundreds of pages built from one template. Text that repeats across
those pages (menus, headings of link blocks, share bars, ad labels, footers) is boilerplate; the
block whose text is new on every page is the article. :class:`TemplateLearner` is fed pages
(:meth:`~TemplateLearner.observe`) and gives, per layout, a :class:`SiteTemplate`:

- **layout**: a page's *skeleton* is the set of its element paths (tag, stable classes, id) a few
  levels below ``<body>``; its :func:`fingerprint` names it. Pages whose skeletons mostly agree
  (Jaccard ≥ :data:`SAME_LAYOUT`) share a layout, so AMP and canonical forms, or two themes of
  one site, get a template each;
- **body**: the path of the deepest block that holds at least :data:`BODY_SHARE` of the text
  that is new on a page (paragraph units longer than :data:`UNIT_FLOOR` characters count
  the characters past it: headlines, summary lines and dates weigh nothing), when most of
  the pages learned from agree on it (a variant of the layout whose body sits elsewhere
  then gets no body path: its pages go to the generic layer);
- **boilerplate**: keys (tag and stable classes) of blocks inside the body whose text is the same
  on every page that has them (an ad box, a share bar, a 続きを読む button); paragraphs and
  headings only when that text is a :mod:`newscrawl.boilerplate` line;
- **fields**: for headline, authors and category, the chain of element keys that prints the
  value a higher layer (JSON-LD, microdata, meta) gave on the learned pages, kept when reading
  it back gives that value on :data:`FIELD_AGREEMENT` of them; read on pages where those
  layers are missing (:mod:`newscrawl.pages.article`, source ``template``).

A layout is learned from its first :attr:`~TemplateLearner.learn_pages` pages and re-learned
when its body path stops resolving on the pages that follow (:data:`MISSES_TO_RELEARN` of the
last :data:`MISS_WINDOW`). Everything is plain data: :meth:`TemplateLearner.to_json` and
:meth:`TemplateLearner.from_json` carry it across runs (the state keeps it). Pure: no crawler,
no I/O.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from newscrawl.boilerplate import BYLINES, marker_of
from newscrawl.pages.body import BLOCKS
from newscrawl.pages.generic import text_runs, unit_owner
from newscrawl.pages.tree import is_element, text_of, text_up_to
from newscrawl.text import normalize_space, split_authors

if TYPE_CHECKING:
    from newscrawl.pages.page import Page

logger = logging.getLogger(__name__)

SKELETON_DEPTH = 3
"""Levels below ``<body>`` that make a page's skeleton."""
SAME_LAYOUT = 0.6
"""Skeletons at least this similar (Jaccard) are one layout."""
LEARN_PAGES = 8
"""Pages of a layout a template is learned from."""
MAX_LAYOUTS = 16
"""Layouts kept (the least recently seen is forgotten first)."""
BODY_SHARE = 0.9
"""Share of the learned pages' new text that the body block must hold."""
UNIT_FLOOR = 40
"""A text unit weighs its characters past this many (spaces out)."""
REPEATED_SHARE = 0.5
"""Text seen on at least this share of the learned pages (and on 3) is not new text."""
MISS_WINDOW = 10
MISSES_TO_RELEARN = 3
"""A template is dropped (and re-learned) when its body path fails on this many of the last
:data:`MISS_WINDOW` pages of its layout."""
_TEXT_READ = 400
"""Characters of a block read to compare its text across pages."""
_FIELD_TEXT = 300
"""Longest block text a field is looked for in."""
_BYLINE_TEXT = 80
"""Longest block text that may hold a field's value among other words (a byline)."""
LEARNED_FIELDS = ("headline", "authors", "category")
"""Fields whose place a template learns."""
FIELD_AGREEMENT = 0.9
"""Share of the learned pages on which a field's learned place must give the known value."""

Path = tuple[str, ...]


# --- keys and paths ---------------------------------------------------------------------------


def _stable(token: str) -> bool:
    return not any(c.isdigit() for c in token)


def step_key(element: etree._Element) -> str:
    """An element's key: tag, sorted classes and id (tokens with digits left out: post ids),
    and ``itemprop``."""
    key = str(element.tag)
    names = sorted(c for c in (element.get("class") or "").split() if _stable(c))
    if names:
        key += "." + ".".join(names)
    ident = element.get("id")
    if ident and _stable(ident):
        key += "#" + ident
    prop = element.get("itemprop")
    if prop:
        key += f"[{prop}]"
    return key


class _Paths:
    """Paths of a page's elements below ``<body>``: one step per level, ``key:n`` where ``n``
    counts the earlier siblings with the same key (cached per element)."""

    def __init__(self, body: etree._Element) -> None:
        self.body = body
        self._cache: dict[etree._Element, Path] = {body: ()}
        self._keys: dict[etree._Element, str] = {}

    def _key(self, element: etree._Element) -> str:
        key = self._keys.get(element)
        if key is None:
            key = self._keys[element] = step_key(element)
        return key

    def of(self, element: etree._Element) -> Path | None:
        chain: list[etree._Element] = []
        node: etree._Element | None = element
        while node is not None and node not in self._cache:
            chain.append(node)
            node = node.getparent()
        if node is None:
            return None
        path = self._cache[node]
        for item in reversed(chain):
            key = self._key(item)
            index = sum(1 for sib in item.itersiblings(preceding=True)
                        if is_element(sib) and self._key(sib) == key)
            path = (*path, f"{key}:{index}")
            self._cache[item] = path
        return path


def resolve(body: etree._Element, path: Path) -> etree._Element | None:
    """The element at ``path`` below ``body``; a step whose index is missing takes the first
    sibling with its key. None when a key is missing."""
    node = body
    for step in path:
        key, _, index = step.rpartition(":")
        matches = [c for c in node if is_element(c) and step_key(c) == key]
        if not matches:
            return None
        wanted = int(index) if index.isdigit() else 0
        node = matches[wanted] if wanted < len(matches) else matches[0]
    return node


def page_body(root: etree._Element) -> etree._Element:
    found = root.find("body")
    return root if found is None else found


def skeleton(root: etree._Element) -> frozenset[str]:
    """The keys paths (no indexes) of the elements up to :data:`SKELETON_DEPTH` levels below
    ``<body>``, and ``amp`` for an AMP page."""
    body = page_body(root)
    out: set[str] = {"amp"} if root.get("amp") is not None or root.get("⚡") is not None else set()
    stack: list[tuple[etree._Element, str, int]] = [(body, "", 0)]
    while stack:
        element, prefix, depth = stack.pop()
        if depth >= SKELETON_DEPTH:
            continue
        for child in element:
            if is_element(child) and child.tag not in ("script", "style", "noscript", "br"):
                path = f"{prefix}/{step_key(child)}"
                out.add(path)
                stack.append((child, path, depth + 1))
    return frozenset(out)


def fingerprint(keys: Iterable[str]) -> str:
    """A short name of a skeleton (12 hex digits of its BLAKE2b hash)."""
    digest = hashlib.blake2b("\n".join(sorted(keys)).encode("utf-8"), digest_size=6)
    return digest.hexdigest()


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


# --- the template -----------------------------------------------------------------------------


@dataclass
class SiteTemplate:
    """What was learned about one layout (see the module docs)."""

    fingerprint: str
    skeleton: frozenset[str]
    body: Path
    """Path of the body block below ``<body>``."""
    boilerplate: frozenset[str] = frozenset()
    """Keys of blocks inside the body that are furniture."""
    fields: dict[str, Path] = field(default_factory=dict)
    """Field name → key chain of the elements that print it."""
    pages: int = 0
    """Pages it was learned from."""

    def body_containers(self, root: etree._Element) -> list[etree._Element]:
        """The body block of a page of this layout, or ``[]`` when the path does not resolve."""
        found = resolve(page_body(root), self.body)
        return [] if found is None else [found]

    def is_boilerplate(self, element: etree._Element) -> bool:
        return bool(self.boilerplate) and step_key(element) in self.boilerplate

    def field(self, root: etree._Element, name: str) -> str | list[str] | None:
        """The value of a learned field on a page of this layout (see :func:`read_field`)."""
        chain = self.fields.get(name)
        return None if chain is None else read_field(page_body(root), chain, name)

    def template_for(self, page: Page) -> SiteTemplate | None:
        """Itself, for a page of its layout."""
        return self if similarity(page.skeleton, self.skeleton) >= SAME_LAYOUT else None

    def to_json(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "skeleton": sorted(self.skeleton),
                "body": list(self.body), "boilerplate": sorted(self.boilerplate),
                "fields": {k: list(v) for k, v in self.fields.items()}, "pages": self.pages}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SiteTemplate:
        return cls(str(data["fingerprint"]), frozenset(data["skeleton"]), tuple(data["body"]),
                   frozenset(data.get("boilerplate", ())),
                   {k: tuple(v) for k, v in data.get("fields", {}).items()},
                   int(data.get("pages", 0)))


@dataclass
class _Layout:
    skeleton: frozenset[str]
    template: SiteTemplate | None = None
    samples: list[tuple[etree._Element, dict[str, Any]]] = field(default_factory=list)
    """(root, values the higher layers gave) of pages not learned from yet."""
    seen: int = 0
    recent: list[bool] = field(default_factory=list)
    """Whether the template's body resolved, for the last pages."""
    learned: int = 0
    """How many times a template was learned for this layout."""


class TemplateLearner:
    """Learns a :class:`SiteTemplate` per layout from the pages it observes.

    ``observe(page)`` feeds a parsed :class:`~newscrawl.pages.page.Page` (call it for every
    article page, before or after parsing it); ``template_for(page)`` gives the template of the
    page's layout once :attr:`learn_pages` pages of it were seen (None before). Serialise
    with :meth:`to_json`, restore with :meth:`from_json`."""

    def __init__(self, learn_pages: int = LEARN_PAGES, max_layouts: int = MAX_LAYOUTS) -> None:
        if learn_pages < 2:
            raise ValueError(f"learn_pages must be at least 2, got {learn_pages}")
        self.learn_pages = learn_pages
        self.max_layouts = max_layouts
        self._layouts: OrderedDict[str, _Layout] = OrderedDict()
        self.counts: Counter[str] = Counter()
        """Events since the learner was made: ``observed`` pages, ``learned`` templates,
        ``relearned`` layouts (a template dropped because its body path stopped resolving:
        the layout changed), ``unlearnable`` layouts (no body block most pages agree on)."""

    @property
    def templates(self) -> list[SiteTemplate]:
        return [lay.template for lay in self._layouts.values() if lay.template is not None]

    def _layout(self, keys: frozenset[str], create: bool) -> tuple[str, _Layout] | None:
        name = fingerprint(keys)
        layout = self._layouts.get(name)
        if layout is None:
            best = max(self._layouts.items(), default=None,
                       key=lambda item: similarity(keys, item[1].skeleton))
            if best is not None and similarity(keys, best[1].skeleton) >= SAME_LAYOUT:
                name, layout = best
        if layout is None:
            if not create:
                return None
            layout = self._layouts[name] = _Layout(keys)
            while len(self._layouts) > self.max_layouts:
                self._layouts.popitem(last=False)
        self._layouts.move_to_end(name)
        return name, layout

    def template_for(self, page: Page) -> SiteTemplate | None:
        return self.template_of(page.skeleton)

    def template_of(self, skeleton: frozenset[str]) -> SiteTemplate | None:
        """The template of the layout with this skeleton (see :func:`skeleton`), if learned."""
        if not self._layouts:
            return None
        found = self._layout(skeleton, create=False)
        return None if found is None else found[1].template

    def observe(self, page: Page) -> str:
        """Learn from ``page``; returns its layout's fingerprint."""
        name, layout = self._layout(page.skeleton, create=True)  # type: ignore[misc]
        layout.seen += 1
        self.counts["observed"] += 1
        if layout.template is not None:
            resolved = bool(layout.template.body_containers(page.root))
            layout.recent = [*layout.recent[-(MISS_WINDOW - 1):], resolved]
            if layout.recent.count(False) >= MISSES_TO_RELEARN:
                logger.info("layout %s changed: its body path failed on %s of %s pages; "
                            "learning it again", name, layout.recent.count(False),
                            len(layout.recent))
                layout.template, layout.recent = None, []
                self.counts["relearned"] += 1
            return name
        layout.samples.append((page.root, known_values(page)))
        if len(layout.samples) >= self.learn_pages:
            layout.template = learn(name, layout.skeleton, layout.samples)
            layout.samples = []
            layout.learned += 1
            if layout.template is None:
                self.counts["unlearnable"] += 1
                logger.debug("layout %s: no body found in %s pages", name, self.learn_pages)
            else:
                self.counts["learned"] += 1
                logger.info("layout %s learned from %s pages: body %s", name,
                            self.learn_pages, "/".join(layout.template.body))
        return name

    def to_json(self) -> dict[str, Any]:
        """The learned templates (pages waiting to be learned from are not kept)."""
        return {"version": 1, "learn_pages": self.learn_pages,
                "templates": [t.to_json() for t in self.templates]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TemplateLearner:
        learner = cls(int(data.get("learn_pages", LEARN_PAGES)))
        for item in data.get("templates", []):
            template = SiteTemplate.from_json(item)
            learner._layouts[template.fingerprint] = _Layout(template.skeleton, template)
        return learner


def known_values(page: Page) -> dict[str, Any]:
    """Field values a layer above the template gave on ``page`` (to learn where the page
    prints them)."""
    from newscrawl.pages.article import structured_values  # the fields import this module

    return structured_values(page)


# --- learning ---------------------------------------------------------------------------------


def _units(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """(container, text) of the paragraph units of a page (see
    :func:`newscrawl.pages.generic.unit_owner`), the text with spaces collapsed."""
    body = page_body(root)
    pieces: dict[etree._Element, list[str]] = {}
    for block, text in text_runs(body):
        pieces.setdefault(block, []).append(text)
    for block, texts in pieces.items():
        text = normalize_space("".join(texts))
        if text:
            yield unit_owner(block, body), text


def learn(name: str, keys: frozenset[str], samples: list[tuple[etree._Element, dict[str, Any]]]
          ) -> SiteTemplate | None:
    """The template of one layout from its sample pages, or None when no block holds their
    new text."""
    pages = [(page_body(root), list(_units(root))) for root, _ in samples]
    seen: Counter[str] = Counter()
    for _, units in pages:
        seen.update({text for _, text in units})
    floor = max(3.0, REPEATED_SHARE * len(pages))
    votes: Counter[Path] = Counter()
    for body, units in pages:
        paths = _Paths(body)
        mass: Counter[Path] = Counter()
        total = 0
        for owner, text in units:
            weight = len(text.replace(" ", "")) - UNIT_FLOOR
            path = paths.of(owner)
            if weight <= 0 or seen[text] >= floor or path is None:
                continue
            total += weight
            for k in range(len(path) + 1):
                mass[path[:k]] += weight
        if total:
            votes[max((p for p, m in mass.items() if m >= BODY_SHARE * total), key=len)] += 1
    if not votes:
        return None
    body_path, count = votes.most_common(1)[0]
    if count * 2 <= len(pages):
        logger.debug("layout %s: no body block on most pages (%s)", name, votes)
        return None
    containers = [found for body, _ in pages
                  if (found := resolve(body, body_path)) is not None]
    template = SiteTemplate(name, keys, body_path, _furniture(containers), pages=len(samples))
    template.fields = _field_paths(samples, containers)
    return template


def _furniture(containers: list[etree._Element]) -> frozenset[str]:
    """Keys of blocks inside the body containers whose text is the same on every page that
    has them (at least three pages)."""
    texts: dict[str, set[str]] = {}
    pages: dict[str, set[int]] = {}
    for number, container in enumerate(containers):
        for element in container.iterdescendants():
            if not is_element(element) or element.tag not in BLOCKS or element.tag in (
                    "br", "hr"):
                continue
            key = step_key(element)
            text = text_up_to(element, _TEXT_READ)
            texts.setdefault(key, set()).add(normalize_space(text) if text is not None else "\0")
            pages.setdefault(key, set()).add(number)
    out = set()
    for key, values in texts.items():
        if len(values) != 1 or len(pages[key]) < 3:
            continue
        (text,) = values
        prose = key.split(".")[0].split("#")[0].split("[")[0] in ("p", "li", "dd", "dt") or (
            key[0] == "h" and key[1:2].isdigit())
        if text != "\0" and (not prose or not text or marker_of(text)):
            out.add(key)
    return frozenset(out)


def _candidates(body: etree._Element, wanted: set[str], inside: set[etree._Element]
                ) -> Iterator[etree._Element]:
    """The innermost elements outside the body containers whose whole text is one of
    ``wanted``, or (several values, or a short byline) holds all of them; texts read up to
    :data:`_FIELD_TEXT` characters."""
    stack = [body]
    while stack:
        element = stack.pop()
        if element in inside:
            continue
        children = [c for c in element if is_element(c)]
        text = text_up_to(element, _FIELD_TEXT)
        if text is not None:
            flat = normalize_space(text)
            if _holds(flat, wanted) and not any(
                    _holds(normalize_space(text_of(c)), wanted) for c in children):
                yield element
        stack.extend(reversed(children))


def _holds(text: str, wanted: set[str]) -> bool:
    return text in wanted or (len(text) <= _BYLINE_TEXT and all(w in text for w in wanted))


def _field_paths(samples: list[tuple[etree._Element, dict[str, Any]]],
                 containers: list[etree._Element]) -> dict[str, Path]:
    """Per field of :data:`LEARNED_FIELDS`, the key chain (element keys from ``<body>``, no
    indexes) of the elements that print the value a higher layer gave on the learned pages,
    when reading that chain back gives the right value on at least :data:`FIELD_AGREEMENT`
    of the pages that had one (a menu that lists every category gives one page's category
    only: it never gets there)."""
    inside = set(containers)
    chains: dict[str, Counter[Path]] = {}
    for root, values in samples:
        body = page_body(root)
        for name in LEARNED_FIELDS:
            wanted = set(_needles(values.get(name)))
            if not wanted:
                continue
            found = {_chain(body, element) for element in _candidates(body, wanted, inside)}
            chains.setdefault(name, Counter()).update(found)
    out: dict[str, Path] = {}
    for name, counter in chains.items():
        tries = [(values.get(name), page_body(root)) for root, values in samples
                 if _needles(values.get(name))]
        for chain, _ in counter.most_common(5):
            right = sum(read_field(body, chain, name) == _expected(value, name)
                        for value, body in tries)
            if right >= FIELD_AGREEMENT * len(tries):
                out[name] = chain
                break
    return out


def _chain(body: etree._Element, element: etree._Element) -> Path:
    keys: list[str] = []
    node: etree._Element | None = element
    while node is not None and node is not body:
        keys.append(step_key(node))
        node = node.getparent()
    return tuple(reversed(keys))


def select(body: etree._Element, chain: Path) -> list[etree._Element]:
    """The elements at the end of a key chain below ``body``, in document order."""
    level = [body]
    for key in chain:
        level = [c for node in level for c in node if is_element(c) and step_key(c) == key]
        if not level:
            return []
    return level


def read_field(body: etree._Element, chain: Path, name: str) -> str | list[str] | None:
    """A learned field's value on a page: the first non-empty text at the chain's end (all
    of them, names split, for ``authors``)."""
    texts = [normalize_space(t) for e in select(body, chain)
             if (t := text_up_to(e, _FIELD_TEXT)) and t.strip()]
    if name == "authors":
        return list(dict.fromkeys(n for t in texts for n in _author_names(t))) or None
    return texts[0] if texts else None


def _author_names(text: str) -> list[str]:
    """Names in a byline form (:data:`newscrawl.boilerplate.BYLINES`), else the text split."""
    for pattern in BYLINES:
        match = pattern.match(text)
        if match:
            return split_authors(match["names"])
    return split_authors(text)


def _expected(value: Any, name: str) -> str | list[str] | None:
    needles = _needles(value)
    if name == "authors":
        return needles or None
    return needles[0] if needles else None


def _needles(value: Any) -> list[str]:
    if isinstance(value, str):
        return [normalize_space(value)] if value.strip() else []
    if isinstance(value, list):
        return [normalize_space(v) for v in value if isinstance(v, str) and v.strip()]
    return []

"""One parsed page and the field machinery of the page parsers (the shape of web-poet).

A :class:`Page` holds the response, its lxml tree and the site, and computes once, lazily,
what several fields share: the JSON-LD article, the ``<meta>`` tags, the body container and
its walk. A field is a plain function of a page that returns a :class:`Found` (its value and
the source it came from); :func:`field` and :func:`cached` make a field computed at most
once per page, so fields can use each other freely and each can be called (and timed) alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, Protocol, TypeVar, cast

from lxml import etree
from scrapy.http import TextResponse

from newscrawl.pages.encoding import clean_markup, response_text
from newscrawl.pages.select import ClassIndex, Query
from newscrawl.pages.structured import Microdata, collect_meta, find_article, find_microdata
from newscrawl.pages.tree import own_texts, parse_html, parse_markup, strip_controls
from newscrawl.text import normalize_space
from newscrawl.urls import Site

if TYPE_CHECKING:
    from newscrawl.pages.template import SiteTemplate

T = TypeVar("T")


class TemplateSource(Protocol):
    """What gives a page its learned template: a
    :class:`~newscrawl.pages.template.TemplateLearner` or a
    :class:`~newscrawl.pages.template.SiteTemplate`."""

    def template_for(self, page: Page) -> SiteTemplate | None: ...

SOURCES = ("markup", "jsonld", "microdata", "meta", "template", "text", "generic", "url")
"""Where a value can come from, in the order fields usually try them (the layers):

- ``markup``: the page's own classes (canonical WordPress theme or the AMP plugin's), and
  ``<link rel=canonical>``/``<html lang>``;
- ``jsonld``: a JSON-LD ``NewsArticle`` (also inside ``@graph`` or a list; ``@id``
  references resolved), its ``articleBody`` for the body;
- ``microdata``: schema.org microdata of an article item (``itemprop="articleBody"`` …);
- ``meta``: OpenGraph and ``article:*`` meta tags;
- ``template``: the site template learned from the crawl's own pages
  (:mod:`newscrawl.pages.template`): the body block of the page's layout, where a field sits;
- ``text``: visible text (``<h1>``, ``<title>``, bylines, a date line, ``コメント3``, tag
  links, ``<link rel=shortlink>``, the short lines between headline and body);
- ``generic``: the body from the generic layer (:mod:`newscrawl.pages.generic`: the main
  container of the page, or trafilatura), and its photos;
- ``url``: the response URL (ids) or the category slug in it (category label).
"""

BODY_LAYERS = ("markup", "jsonld", "microdata", "template", "generic")
"""The layers that can find the body, in the order they are tried
(:mod:`newscrawl.pages.content`)."""

PROBLEMS = ("canonical_mismatch", "jsonld_broken", "links_capped", "deep_tree")
"""What :attr:`Page.problems` can hold:

- ``canonical_mismatch``: the canonical link, short link, JSON-LD url or ``og:url`` names
  another article id than the URL; the URL's id was kept;
- ``jsonld_broken``: a JSON-LD block did not parse (or nested too deep) and was skipped;
- ``links_capped``: the page had more article links than
  :data:`~newscrawl.pages.links.MAX_LINKS_PER_PAGE` or a block more than
  :data:`~newscrawl.pages.links.MAX_LINKS_PER_BLOCK`; the rest were not recorded;
- ``deep_tree``: the page nests deeper than :data:`~newscrawl.pages.body.MAX_TREE_DEPTH`
  and its body came from the generic layer: trafilatura is not used on it (the main
  container's walk, or a plain text walk, is).
"""

_HEAD_TAGS = ("link", "meta", "script")
"""The elements :attr:`Page.head_elements` gathers."""
_BODY_CONTAINERS = Query("div.entry-content, div.amp-wp-article-content")


class Found(NamedTuple, Generic[T]):
    """A field's value and where it came from (one of :data:`SOURCES`, None when absent).
    A named tuple: made some 25 times a page, twice as fast as a frozen dataclass."""

    value: T
    source: str | None = None


def _trimmed(markup: bytes) -> bytes | None:
    """``markup`` trimmed as :func:`~newscrawl.pages.tree.parse_html` trims its text, or None
    when it starts or ends with a non-ASCII byte (perhaps of Unicode whitespace, which only
    the text's ``strip()`` sees)."""
    trimmed = markup.strip()
    return None if trimmed[:1] >= b"\x80" or trimmed[-1:] >= b"\x80" else trimmed


class Page:
    """A page parsed once: ``response``, ``url``, ``site``, the lxml ``root``, and shared
    parts computed on first use. ``problems`` collects what fields found odd (see
    :data:`PROBLEMS`), each name once, in the order met."""

    def __init__(self, response: TextResponse, site: Site,
                 template: TemplateSource | None = None,
                 body_layers: Collection[str] = BODY_LAYERS) -> None:
        self.response = response
        self.body_layers = frozenset(body_layers)
        """The body layers to try (all of :data:`BODY_LAYERS`; a benchmark can keep some)."""
        self.template_source = template
        """Where the page's learned template comes from (a
        :class:`~newscrawl.pages.template.TemplateLearner` or one
        :class:`~newscrawl.pages.template.SiteTemplate`), or None."""
        self.url: str = response.url
        self.site = site
        self.problems: list[str] = []
        self.fields: dict[str, Any] = {}
        """Field results by field name (see :func:`field`)."""
        clean = clean_markup(response)
        markup = None if clean is None else _trimmed(clean)
        self.root: etree._Element = (parse_html(self.text, self.url) if markup is None
                                     else parse_markup(markup, self.url))
        """The page's root element (plain lxml elements: see
        :func:`~newscrawl.pages.tree.parse_html`); parsed from the body as it came, or from
        its text encoded once as UTF-8, when the text needs no mending (see
        :func:`~newscrawl.pages.encoding.clean_markup`)."""

    @cached_property
    def text(self) -> str:
        """The decoded page, without control characters (see
        :func:`~newscrawl.pages.tree.strip_controls`)."""
        return strip_controls(response_text(self.response))

    @property
    def is_html(self) -> bool:
        """False when the body gave no HTML element tree (a processing instruction or
        comment as the root)."""
        return isinstance(self.root.tag, str)

    def problem(self, name: str) -> None:
        """Record a problem (one of :data:`PROBLEMS`), once."""
        if name not in self.problems:
            self.problems.append(name)

    @cached_property
    def head_elements(self) -> dict[str, list[etree._Element]]:
        """The page's ``<link>``, ``<meta>`` and ``<script>`` elements (wherever they sit) by
        tag, in document order: one walk of the tree in C for the queries on them, where an
        XPath such as ``//meta[@content]`` walks it for each (7 to 10 µs a query on a replica
        page)."""
        found: dict[str, list[etree._Element]] = {tag: [] for tag in _HEAD_TAGS}
        for element in self.root.iter(*_HEAD_TAGS):
            found[element.tag].append(element)
        return found

    def link_href(self, rel: str) -> str | None:
        """The ``href`` of the first ``<link>`` whose ``rel`` is exactly ``rel`` and that has
        one (XPath's ``//link[@rel=…]/@href``)."""
        for link in self.head_elements["link"]:
            if link.get("rel") == rel:
                href = link.get("href")
                if href is not None:
                    return str(href)
        return None

    @cached_property
    def jsonld(self) -> dict[str, Any]:
        """The first JSON-LD object typed as an article (see
        :data:`~newscrawl.pages.structured.ARTICLE_TYPES`), or ``{}``."""
        texts = [text for script in self.head_elements["script"]
                 if script.get("type") == "application/ld+json"
                 for text in own_texts(script)]
        node, broken = find_article(texts)
        if broken:
            self.problem("jsonld_broken")
        return node

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """``<meta>`` contents by lower-cased ``property``/``name``, in page order."""
        return collect_meta(self.head_elements["meta"])

    def meta1(self, key: str) -> str | None:
        """The first ``<meta>`` content for ``key``, trimmed; None when absent or blank."""
        values = self.meta.get(key)
        return normalize_space(values[0]) if values and values[0].strip() else None

    @cached_property
    def classes(self) -> ClassIndex:
        """The elements with a ``class``, for :class:`~newscrawl.pages.select.Query`."""
        return ClassIndex(self.root)

    @cached_property
    def body_container(self) -> etree._Element | None:
        """The theme's body container (``div.entry-content``, AMP's
        ``div.amp-wp-article-content``), or None."""
        return next(iter(_BODY_CONTAINERS(self.classes)), None)

    @cached_property
    def microdata(self) -> Microdata:
        """The page's schema.org microdata article item (false when it has none)."""
        return find_microdata(self.root)

    @cached_property
    def skeleton(self) -> frozenset[str]:
        """The page's layout (see :func:`newscrawl.pages.template.skeleton`)."""
        from newscrawl.pages.template import skeleton

        return skeleton(self.root)

    @property
    def template_consulted(self) -> bool:
        """True once a field asked for :attr:`template` (the fields ask only when the layers
        above it found nothing)."""
        return "template" in self.__dict__

    @cached_property
    def template(self) -> SiteTemplate | None:
        """The learned template of the page's layout, if any."""
        source = self.template_source
        return None if source is None else source.template_for(self)


def first(candidates: Iterator[tuple[str, T]]) -> Found[T | None]:
    """The first candidate ``(source, value)`` with a value (not None, ``""`` or ``[]``);
    the candidates are computed lazily, so later sources cost nothing once one has a value."""
    for source, value in candidates:
        if value not in (None, "", []):
            return Found(value, source)
    return Found(None, None)


_UNSET = object()
"""No value computed yet (a field's value may be None)."""


def cached(compute: Callable[[Page], T]) -> Callable[[Page], T]:
    """Make ``compute(page)`` run at most once per page (its result kept in ``page.fields``)."""
    name = compute.__qualname__

    @functools.wraps(compute)
    def get(page: Page) -> T:
        value = page.fields.get(name, _UNSET)  # not KeyError: a raise per field and page
        if value is _UNSET:
            value = page.fields[name] = compute(page)
        return cast(T, value)

    return get


def field(candidates: Callable[[Page], Iterator[tuple[str, T]]]
          ) -> Callable[[Page], Found[T | None]]:
    """A field from a generator of ``(source, value)`` candidates in order of trust: the
    field's value is the :func:`first` one that has a value, computed once per page."""

    @functools.wraps(candidates)
    def pick(page: Page) -> Found[T | None]:
        return first(candidates(page))

    return cached(pick)

"""The article page parser: HtmlResponse in, :class:`~newscrawl.items.Article` out.

One function per field, over one :class:`~newscrawl.pages.page.Page` (web-poet's shape):
``headline(page)``, ``authors(page)``, ``date_published(page)``, ``body(page)``,
``images(page)``, ``related(page)``, … each returns a :class:`~newscrawl.pages.page.Found`,
the value and where it came from (``markup``, ``jsonld``, ``meta``, ``text``, ``generic`` or
``url``: see :data:`~newscrawl.pages.page.SOURCES`). A field is computed once per page, so
fields use each other freely; :func:`parse_article` composes them.

Most fields take the first source that has a value, in order of trust (a generator of
candidates under :func:`~newscrawl.pages.page.field`). The article id is the URL's own when
the URL names one: a canonical link, short link, JSON-LD url or ``og:url`` naming another id
is not trusted (problem ``canonical_mismatch``).

The body keeps one block per line, as the DOM gives it (see :mod:`newscrawl.pages.body`);
the clean pipeline cleans its text (:func:`newscrawl.text.clean_body`) and adds the credits
that cleaning finds to ``credits``, which here holds every credit seen in the DOM in document
order (photos, captions after photos, ``【引用:X】`` paragraph openings).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from parsel.csstranslator import css2xpath
from scrapy.http import TextResponse

from newscrawl.boilerplate import COMMENT_COUNT
from newscrawl.items import Article, ImageRef, LinkRef
from newscrawl.pages.body import MAX_TREE_DEPTH, lines_of
from newscrawl.pages.content import body_choice, body_walk
from newscrawl.pages.generic import plain_body, trafilatura_body, without_skipped
from newscrawl.pages.links import scan_links
from newscrawl.pages.page import BODY_LAYERS, Found, Page, TemplateSource, cached, field
from newscrawl.pages.select import Query
from newscrawl.pages.structured import count_of, ld_images, ld_int, ld_list, ld_text
from newscrawl.pages.tree import (
    deeper_than,
    own_texts,
    text_of,
    text_up_to,
    xpath_normalized_below,
)
from newscrawl.pages.visible import (
    byline_authors,
    labelled_authors,
    machine_dates,
    summary_lines,
)
from newscrawl.text import normalize_space, parse_jp_datetime, parse_jp_datetimes, split_authors
from newscrawl.urls import ArticleRef, Site

logger = logging.getLogger(__name__)

CATEGORY_LABELS = {
    "report": "ニュース",
    "trending": "トレンド",
    "entertainment": "エンタメ",
    "mobility": "モビリティー",
    "photonews": "フォトニュース",
    "economy": "経済",
    "life": "ライフ",
}
"""Category slug → label, the last resort for ``category`` (source ``url``)."""

#: The site name after a title. ``(?<!\s)``: tried from the start of a space run only.
_TITLE_SUFFIX = re.compile(r"(?<!\s)\s*[|｜\-–—]\s*KANGNAM\s*TIMES\s*$", re.IGNORECASE)


def _xpath(query: str) -> etree.XPath:
    return etree.XPath(query, smart_strings=False)


def _css(query: str) -> etree.XPath:
    """A CSS query (with parsel's ``::text`` and ``::attr()``) compiled once, as XPath."""
    return _xpath(css2xpath(query))


# The page's fixed queries, compiled once. Those with a class are
# :class:`~newscrawl.pages.select.Query` objects, answered from the page's class index: an
# XPath ``//…`` walks the whole page, 7 to 10 µs a query on a replica page even when led by a
# tag name (``<link>``s are read from ``Page.head_elements`` for the same reason).
_HEADLINE = Query("h1.entry-title, h1.amp-wp-title")
_H1 = _css("h1")
_TITLE = _css("title")
_SUMMARY = Query("ul.entry-summary li, ul.amp-wp-summary li")
_TAG_LINKS = _css("a[href*='/tag/']")
_MARKUP_H1 = _xpath(
    "boolean(//h1[contains(@class, 'entry-title') or contains(@class, 'amp-wp-title')])")
_CATEGORY_LINK = Query("a.entry-category, .amp-wp-tax-category a")
_AUTHORS = Query("div.byline .author, .amp-wp-byline .amp-wp-author")
_DATETIME = Query(".entry-header time, .amp-wp-posted-on time")
"""Their ``datetime`` attribute is the date."""
_DATE_TEXT = Query("p.post-date, .post-date, .entry-date, .amp-wp-posted-on")
_TAGS = Query("ul.tags a, .amp-wp-tax-tag a")
_COMMENT_COUNT = Query("section.comments .count, .comment-count")
"""Their text nodes hold the count."""
_COMMENT_COUNT_TEXT = _css("section.comments .count::text, .comment-count::text")
_COMMENT_TAGS = ("h2", "h3", "p", "span", "div", "a")
_COMMENT_WORD = etree.XPath("//text()[contains(., 'コメント')]")
_DATE_LINE_MAX = 80
"""Longest text block read as a visible date line."""
_MODIFIED_AHEAD = 8
"""Elements after the publication line read for a modified line of its own."""
_COMMENT_LINE_MAX = 24
"""A visible comment count (``コメント3``, ``この記事へのコメント（3件）``) is shorter than
this, spaces collapsed."""


@dataclass
class ParsedArticle:
    """What :func:`parse_article` returns."""

    article: Article
    sources: dict[str, str] = dataclasses.field(default_factory=dict)
    """Field name → where its value came from: ``markup``, ``jsonld``, ``meta``, ``text``,
    ``generic`` or ``url``. Fields left empty are absent."""
    is_article: bool = True
    """False for a page that is not an article (home, listing, error page)."""
    problems: list[str] = dataclasses.field(default_factory=list)
    """What was odd about the page, by name (see :data:`~newscrawl.pages.page.PROBLEMS`):
    ``canonical_mismatch``, ``jsonld_broken``, ``links_capped``, ``deep_tree``."""
    page: Page | None = dataclasses.field(default=None, repr=False, compare=False)
    """The parsed page (for :meth:`newscrawl.pages.template.TemplateLearner.observe`); drop
    it once used: it holds the page's tree."""


class PageFailed(Exception):
    """A page the parser gave up on; ``reason`` is its reject reason: ``parser_failed`` (the
    parser raised on it: a bug its markup found, see :func:`parser_failure`),
    ``parser_timeout`` (past the time limit, here or in a worker: see
    :mod:`newscrawl.pages.deadline`) and with parse workers ``parser_crashed`` (see
    :mod:`newscrawl.pages.workers`)."""

    def __init__(self, reason: str, detail: str, traceback: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        """One line for the rejects file and the log."""
        self.traceback = traceback
        """The parser's traceback, when it raised (for the debug log)."""


MAX_FAILURE_TEXT = 300
"""Longest exception message kept in a ``parser_failed`` reject's detail (characters)."""


def parser_failure(error: Exception) -> PageFailed:
    """``parser_failed`` for an exception raised on a page (by the parser, or the code around
    it): its type and message (cut at :data:`MAX_FAILURE_TEXT`) and the line that raised it,
    with the whole traceback."""
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    message = " ".join(str(error).split())[:MAX_FAILURE_TEXT]
    detail = f"{type(error).__name__}{': ' if message else ''}{message}{where}"
    return PageFailed("parser_failed", detail,
                      "".join(traceback.format_exception(error)))


def _unique(values: Iterable[str]) -> list[str]:
    """Non-empty values in order, without repeats."""
    return list(dict.fromkeys(value for value in values if value))


def _first_text(elements: Iterable[etree._Element]) -> str | None:
    for element in elements:
        text = normalize_space(text_of(element))
        if text:
            return text
    return None


def _all_texts(elements: Iterable[etree._Element]) -> list[str]:
    return _unique(normalize_space(text_of(element)) for element in elements)


def _slug_of(url: str | None) -> str | None:
    """The category slug of an article URL (the segment before ``article``), or the last
    path segment of another URL."""
    if not url:
        return None
    try:
        parts = [p for p in urlsplit(url).path.split("/") if p]
    except ValueError:  # a URL urllib cannot read (``http://[::1``)
        return None
    if "article" in parts:
        index = parts.index("article")
        return parts[index - 1] if index > 0 else None
    return parts[-1] if parts else None


# --- identity -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    article_id: Found[str | None]
    canonical_url: Found[str | None]


@cached
def _category_links(page: Page) -> list[etree._Element]:
    return _CATEGORY_LINK(page.classes)


def _id_candidates(page: Page) -> Iterator[tuple[str, ArticleRef]]:
    """The article links a page gives for itself, in order of trust, then its own URL."""
    ld = page.jsonld
    main_entity = ld.get("mainEntityOfPage")
    candidates = (
        ("markup", page.link_href("canonical")),
        ("text", page.link_href("shortlink")),
        ("jsonld", ld_text(main_entity) if main_entity else ld.get("url")),
        ("meta", page.meta1("og:url")),
        ("url", page.url),
    )
    for source, candidate in candidates:
        if candidate and isinstance(candidate, str):
            ref = page.site.article_ref(candidate, base=page.url)
            if ref is not None:
                yield source, ref


@cached
def identity(page: Page) -> Identity:
    """The article id and canonical URL.

    The id is the URL's own when it has one, else the first link's (canonical, short link,
    JSON-LD, ``og:url``); a link naming another id than the URL's is ignored and recorded as
    ``canonical_mismatch``. The canonical URL is the first canonical-form link with that id,
    else it is built from the category link's slug."""
    refs = list(_id_candidates(page))
    if not refs:
        return Identity(Found(None), Found(None))
    own = refs[-1][1].article_id if refs[-1][0] == "url" else None
    wanted = own or refs[0][1].article_id
    others = sorted({ref.article_id for _, ref in refs} - {wanted})
    if own is not None and others:
        page.problem("canonical_mismatch")
        logger.debug("%s is article %s but its links name %s: the URL's id is kept",
                     page.url, own, ", ".join(others))
    id_source = next(source for source, ref in refs if ref.article_id == wanted)
    for source, ref in refs:
        if ref.canonical and ref.article_id == wanted:
            return Identity(Found(wanted, id_source), Found(ref.url, source))
    links = _category_links(page)
    slug = _slug_of(links[0].get("href")) if links else None
    if slug:
        canonical = page.site.canonical_article_url(slug, wanted)
        return Identity(Found(wanted, id_source), Found(canonical, "markup"))
    return Identity(Found(wanted, id_source), Found(None))


def article_id(page: Page) -> Found[str | None]:
    return identity(page).article_id


def canonical_url(page: Page) -> Found[str | None]:
    return identity(page).canonical_url


# --- header fields --------------------------------------------------------------------------


def _clean_headline(value: str | None) -> str | None:
    if not value:
        return None
    return _TITLE_SUFFIX.sub("", normalize_space(value)) or None


@field
def headline(page: Page) -> Iterator[tuple[str, str | None]]:
    yield "markup", _clean_headline(_first_text(_HEADLINE(page.classes)))
    yield "jsonld", _clean_headline(ld_text(page.jsonld.get("headline")))
    yield "microdata", _clean_headline(page.microdata.value("headline"))
    yield "meta", _clean_headline(page.meta1("og:title"))
    yield "template", _clean_headline(_learned_text(page, "headline"))
    title = _title_text(page)
    yield "text", _heading_like(page.root, title)
    yield "text", _clean_headline(_first_text(_H1(page.root)))
    yield "text", title


_SEPARATORS = "|｜-–—:：・/"


def _title_text(page: Page) -> str | None:
    """``<title>`` without the site's name after a separator (KANGNAM TIMES, or the
    ``og:site_name``)."""
    title = _clean_headline(_first_text(_TITLE(page.root)))
    if not title:
        return None
    for name in page.meta.get("og:site_name", []):
        name = normalize_space(name or "")
        if name and title.endswith(name) and len(title) > len(name):
            rest = title[: -len(name)].rstrip()
            if rest and rest[-1] in _SEPARATORS:
                title = rest[:-1].rstrip() or title
    return title


def _heading_like(root: etree._Element, title: str | None) -> str | None:
    """The first ``<h1>``–``<h3>`` that prints the title (or its start): the headline on a
    page whose ``<h1>`` is the site's name."""
    if not title:
        return None
    for element in root.iter("h1", "h2", "h3"):
        text = normalize_space(text_of(element))
        if text and (text == title or (len(text) >= 8 and title.startswith(text))):
            return text
    return None


def _visible_summary(root: etree._Element) -> list[str]:
    """Two to five short list items within four siblings after the first ``<h1>``."""
    heading = next(root.iter("h1"), None)
    sibling = heading.getnext() if heading is not None else None
    for _ in range(4):
        if sibling is None:
            return []
        if sibling.tag in ("ul", "ol"):
            items = [normalize_space(text_of(li)) for li in sibling if li.tag == "li"]
            if 1 < len(items) <= 5 and all(0 < len(i) <= 80 for i in items):
                return items
            return []
        sibling = sibling.getnext()
    return []


def _learned_text(page: Page, name: str) -> str | None:
    """A field's value where the page's learned template says it is printed."""
    value = page.template.field(page.root, name) if page.template is not None else None
    return value if isinstance(value, str) else None


def _learned_list(page: Page, name: str) -> list[str]:
    value = page.template.field(page.root, name) if page.template is not None else None
    return value if isinstance(value, list) else []


def _body_start(page: Page) -> etree._Element | None:
    containers = body_choice(page).containers
    return containers[0] if containers else None


@field
def summary(page: Page) -> Iterator[tuple[str, list[str]]]:
    yield "markup", _all_texts(_SUMMARY(page.classes))
    element = page.microdata.element("description")
    yield "microdata", [normalize_space(line) for line in lines_of(element)] if (
        element is not None) else []
    yield "text", _visible_summary(page.root)
    yield "text", summary_lines(page.root, headline(page).value, _body_start(page))


def _visible_authors(root: etree._Element) -> list[str]:
    """The names in the block around the first アクセス link."""
    for anchor in root.iter("a"):
        if normalize_space(text_of(anchor)) == "アクセス":
            parent = anchor.getparent()
            if parent is not None:
                return split_authors(text_of(parent))
    return []


def _site_names(page: Page) -> set[str]:
    """The site's own names (``og:site_name``), case-folded: never an author."""
    return {name.casefold() for name in page.meta.get("og:site_name", []) if name}


@field
def authors(page: Page) -> Iterator[tuple[str, list[str]]]:
    yield "markup", split_authors(" ・ ".join(_all_texts(_AUTHORS(page.classes))))
    yield "jsonld", _unique(n for name in ld_list(page.jsonld.get("author"))
                            for n in split_authors(name))
    yield "microdata", _unique(n for name in page.microdata.names("author")
                               for n in split_authors(name))
    yield "meta", split_authors(page.meta1("article:author") or page.meta1("author") or "")
    yield "template", [name for name in _learned_list(page, "authors")
                       if name.casefold() not in _site_names(page)]
    yield "text", _visible_authors(page.root)
    yield "text", byline_authors(page.root, _site_names(page))
    yield "text", labelled_authors(page.root, _site_names(page))


# --- dates --------------------------------------------------------------------------------


def _dates_from_text(text: str | None) -> tuple[str | None, str | None]:
    """(published, modified) of a date line: the date before 更新, the date after it (or,
    written ``（… 更新）``, the second date before it)."""
    if not text:
        return None, None
    published, word, modified = text.partition("更新")
    when = parse_jp_datetime(modified) if modified else None
    if word and when is None:
        before = parse_jp_datetimes(published)
        when = before[-1] if len(before) > 1 else None
    return parse_jp_datetime(published), when


@cached
def _markup_dates(page: Page) -> tuple[str | None, str | None]:
    stamp = next((value for element in _DATETIME(page.classes)
                  if (value := element.get("datetime")) is not None), None)
    return _dates_from_text(stamp or _first_text(_DATE_TEXT(page.classes)))


@cached
def _machine_dates(page: Page) -> tuple[str | None, str | None]:
    return machine_dates(page.root)


@cached
def _visible_dates(page: Page) -> tuple[str | None, str | None]:
    """The first short text block (of the first 400) holding a date with a time, and the
    modified time: after 更新 in that block, or in one of the next :data:`_MODIFIED_AHEAD`
    blocks that says 更新."""
    found: str | None = None
    ahead = 0
    for count, element in enumerate(page.root.iter("p", "time", "span", "div", "li")):
        if count > 400 or (found is not None and count > ahead):
            break
        text = text_up_to(element, _DATE_LINE_MAX)
        if text is None or not any(c.isdigit() for c in text):
            continue
        published, modified = _dates_from_text(text)
        if found is not None:  # a later line of its own for the modified time (» … 更新)
            if "更新" in text and (modified or published):
                return found, modified or published
            continue
        if published and parse_jp_datetime(text.partition("更新")[0], require_time=True):
            if modified is not None or "更新" in text:
                return published, modified
            found, ahead = published, count + _MODIFIED_AHEAD
    return found, None


@field
def date_published(page: Page) -> Iterator[tuple[str, str | None]]:
    yield "markup", _markup_dates(page)[0]
    yield "jsonld", parse_jp_datetime(ld_text(page.jsonld.get("datePublished")) or "")
    yield "microdata", parse_jp_datetime(page.microdata.value("datePublished") or "")
    yield "meta", parse_jp_datetime(page.meta1("article:published_time") or "")
    yield "text", _machine_dates(page)[0]
    yield "text", _visible_dates(page)[0]


@field
def date_modified(page: Page) -> Iterator[tuple[str, str | None]]:
    yield "markup", _markup_dates(page)[1]
    yield "jsonld", parse_jp_datetime(ld_text(page.jsonld.get("dateModified")) or "")
    yield "microdata", parse_jp_datetime(page.microdata.value("dateModified") or "")
    yield "meta", parse_jp_datetime(page.meta1("article:modified_time") or "")
    yield "text", _machine_dates(page)[1]
    yield "text", _visible_dates(page)[1]


# --- other page fields ----------------------------------------------------------------------


@field
def category(page: Page) -> Iterator[tuple[str, str | None]]:
    yield "markup", _first_text(_category_links(page))
    yield "jsonld", ld_text(page.jsonld.get("articleSection"))
    yield "microdata", page.microdata.value("articleSection")
    yield "meta", page.meta1("article:section")
    yield "template", _learned_text(page, "category")
    yield "url", CATEGORY_LABELS.get(_slug_of(canonical_url(page).value) or "")


@field
def tags(page: Page) -> Iterator[tuple[str, list[str]]]:
    yield "markup", _all_texts(_TAGS(page.classes))
    yield "jsonld", _unique(ld_list(page.jsonld.get("keywords")))
    yield "microdata", _unique(ld_list(page.microdata.value("keywords")))
    yield "meta", _unique(normalize_space(t) for t in page.meta.get("article:tag", []))
    yield "text", _unique(t.lstrip("#＃") for t in _all_texts(_TAG_LINKS(page.root)))


@field
def language(page: Page) -> Iterator[tuple[str, str | None]]:
    root = page.root  # /html/@lang
    yield "markup", normalize_space((root.get("lang") or "") if root.tag == "html" else "")
    yield "jsonld", ld_text(page.jsonld.get("inLanguage"))
    yield "meta", (page.meta1("og:locale") or "").replace("_", "-")


def _markup_comment_count(page: Page) -> int | None:
    """The first all-digit text node of a count element, in document order."""
    elements = _COMMENT_COUNT(page.classes)
    matched = set(elements)
    if len(elements) > 1 and any(below in matched for element in elements if len(element)
                                 for below in element.iterdescendants()):
        texts = _COMMENT_COUNT_TEXT(page.root)  # nested counts: their text nodes interleave
    else:
        texts = [text for element in elements for text in own_texts(element)]
    for text in texts:
        count = count_of(text)
        if count is not None:
            return count
    return None


def _visible_comment_count(root: etree._Element) -> int | None:
    """The count of the first short heading, paragraph, span, div or link reading
    ``コメント3`` (``コメント(3)``, ``この記事へのコメント（3件）``): only the blocks around a
    text node that says コメント (found in C) are read, each only as far as needed to rule it
    out."""
    seen: set[etree._Element] = set()
    for text_node in _COMMENT_WORD(root):
        holder = text_node.getparent()
        if holder is not None and text_node.is_tail:
            holder = holder.getparent()
        chain = [] if holder is None else [holder, *itertools.islice(holder.iterancestors(), 2)]
        for element in reversed(chain):  # the outer block first, as in document order
            if element in seen or element.tag not in _COMMENT_TAGS:
                continue
            seen.add(element)
            text = xpath_normalized_below(element, _COMMENT_LINE_MAX)
            if text is None:
                continue
            match = COMMENT_COUNT.match(normalize_space(text))
            count = count_of(match["count"]) if match else None
            if count is not None:
                return count
    return None


@field
def comment_count(page: Page) -> Iterator[tuple[str, int | None]]:
    yield "markup", _markup_comment_count(page)
    yield "jsonld", ld_int(page.jsonld.get("commentCount"))
    yield "microdata", ld_int(page.microdata.value("commentCount"))
    yield "text", _visible_comment_count(page.root)


# --- body, photos, credits, links -----------------------------------------------------------


def _skip_lines(page: Page) -> set[str]:
    """Lines a body below the ``markup`` layer leaves out: the headline, summary lines and
    author names printed again inside the body block."""
    return {headline(page).value or "", *(summary(page).value or []),
            *(authors(page).value or [])}


@cached
def body(page: Page) -> Found[str | None]:
    """The lines of the body block the first layer found (:func:`body_choice`: ``markup``,
    ``jsonld``, ``microdata``, ``template`` or ``generic``); below ``markup``, without the
    lines that repeat the headline, summary or authors. When no layer found a block, or its
    walk gave no line: trafilatura's text of the pruned page, else the page's plain text
    (``generic``): a page with nothing recognisable still gets a body."""
    choice = body_choice(page)
    if choice.source == "markup":
        text = "\n".join(body_walk(page).lines) or None
        if text:
            return Found(text, "markup")
    skip = _skip_lines(page)
    if choice.text is not None:
        lines = without_skipped(choice.text.splitlines(), skip)
        if lines:
            return Found("\n".join(lines), choice.source)
    if choice.source != "markup" and choice.containers:
        lines = [line for line in body_walk(page).lines if normalize_space(line) not in skip]
        if lines:
            if choice.source == "generic" and deeper_than(page.root, MAX_TREE_DEPTH):
                page.problem("deep_tree")
            return Found("\n".join(lines), choice.source)
    if choice.source == "markup" or "generic" not in page.body_layers:
        return Found(None)  # an empty container: the page says it has no body
    text, problem = trafilatura_body(page.text, page.url, skip)
    if problem:
        page.problem(problem)
    return Found(text, "generic") if text else Found(plain_body(page.root, skip), "generic")


@cached
def images(page: Page) -> Found[list[ImageRef]]:
    """The photos of the walked body blocks (the body's source), or of the densest block of
    paragraphs when no layer found one (``generic``); below ``markup``, JSON-LD's ``image``
    list when the walk found none (``jsonld``). ``og:image`` is no fallback: it is often the
    site logo or a social card."""
    choice = body_choice(page)
    walked = body_walk(page).images
    if walked:
        return Found(walked, choice.source if choice.containers else "generic")
    if choice.source != "markup":
        urls = [url for u in _unique(ld_images(page.jsonld.get("image")))
                if (url := page.site.normalize(u, base=page.url))]
        if urls:
            return Found([ImageRef(url=url, credit=None) for url in urls], "jsonld")
    return Found([])


@cached
def credits(page: Page) -> Found[list[str]]:
    """Every credit seen in the DOM, in document order: photos, captions, credit paragraphs
    and ``【引用:X】`` openings of the walked body, then photo credits. Credit lines left in a
    generic extractor's text are the clean pipeline's to find."""
    photos = images(page)
    names = _unique([*body_walk(page).credits, *(i["credit"] or "" for i in photos.value)])
    return Found(names, photos.source or "markup") if names else Found([])


@cached
def related(page: Page) -> Found[list[LinkRef]]:
    """Links to the site's articles in known blocks, and in the lists of article links of
    an unknown theme (see :mod:`newscrawl.pages.links`; the body blocks' links are
    ``inline``), capped per block and per page (problem ``links_capped`` when the caps cut
    some)."""
    scan = scan_links(page.root, page.site, page.url, guess=True,
                      inline_roots=body_choice(page).containers)
    if scan.capped:
        page.problem("links_capped")
    return Found(scan.links, "markup" if scan.links else None)


def is_article(page: Page) -> bool:
    """True when the page has an article id and looks like an article: theme markup,
    JSON-LD, ``og:type=article``, a canonical URL, or (id from the URL only) a headline and a
    body; never for ``og:type`` ``website``/``profile``."""
    og_type = page.meta1("og:type")
    if og_type in ("website", "profile") or not article_id(page).value:
        return False
    has_markup = page.body_container is not None or bool(_MARKUP_H1(page.root))
    return bool(
        has_markup or page.jsonld or og_type == "article" or canonical_url(page).value
        or (article_id(page).source == "url" and headline(page).value and body(page).value))


FIELDS: dict[str, Callable[[Page], Found[Any]]] = {
    "canonical_url": canonical_url,
    "article_id": article_id,
    "headline": headline,
    "summary": summary,
    "authors": authors,
    "date_published": date_published,
    "date_modified": date_modified,
    "category": category,
    "tags": tags,
    "images": images,
    "credits": credits,
    "body": body,
    "language": language,
    "comment_count": comment_count,
    "related": related,
}
"""The :class:`~newscrawl.items.Article` fields the parser fills, and their functions."""


def structured_values(page: Page) -> dict[str, Any]:
    """The values the layers above the template give for the fields a template learns the
    place of (:data:`newscrawl.pages.template.LEARNED_FIELDS`): JSON-LD, microdata, meta."""
    ld, md = page.jsonld, page.microdata
    return {
        "headline": _clean_headline(ld_text(ld.get("headline")) or md.value("headline")
                                    or page.meta1("og:title")),
        "authors": _unique(n for name in ld_list(ld.get("author")) for n in split_authors(name))
        or _unique(n for name in md.names("author") for n in split_authors(name)),
        "category": ld_text(ld.get("articleSection")) or md.value("articleSection")
        or page.meta1("article:section"),
    }


def parse_article(response: TextResponse, site: Site,
                  template: TemplateSource | None = None, *,
                  body_layers: Collection[str] = BODY_LAYERS) -> ParsedArticle:
    """Parse an article page (canonical or AMP markup, or a theme without known classes).

    ``template``: a :class:`~newscrawl.pages.template.TemplateLearner` (or one
    :class:`~newscrawl.pages.template.SiteTemplate`) whose template of the page's layout is
    the ``template`` layer; without it that layer is skipped. ``body_layers``: the layers
    the body may come from (all; the extraction benchmark measures them one by one).
    ``ParsedArticle.page`` is the parsed page, for ``TemplateLearner.observe``."""
    page = Page(response, site, template, body_layers)
    if not page.is_html:
        return ParsedArticle(Article(url=response.url), {}, False, page=page)
    found = {name: get(page) for name, get in FIELDS.items()}
    article = Article(url=page.url, **{name: f.value for name, f in found.items()
                                       if f.value is not None})
    sources = {name: f.source for name, f in found.items() if f.source}
    return ParsedArticle(article, sources, is_article(page), list(page.problems), page)

"""The article page parser: HtmlResponse in, :class:`~newscrawl.items.Article` out.

Every field is read from the first source that has it, in this order:

- ``markup``: the page's own classes (canonical WordPress theme or the AMP plugin's), and
  ``<link rel=canonical>``/``<html lang>``;
- ``jsonld``: a JSON-LD ``NewsArticle`` (also inside ``@graph`` or a list; broken JSON is
  ignored);
- ``meta``: OpenGraph and ``article:*`` meta tags;
- ``text``: visible text (``<h1>``, ``<title>``, the name before アクセス, a date line,
  ``コメント3``, tag links, ``<link rel=shortlink>``);
- ``generic``: the body from a generic main-text extractor (trafilatura) and the photos of
  the densest block of paragraphs, when the page has no known body container;
- ``url``: the response URL (ids) or the category slug in it (category label).

The body keeps one block per line and leaves the text cleaning to
:func:`newscrawl.text.clean_body` (the CleanPipeline); ``credits`` already holds every credit
in document order (photos, captions after photos, ``【引用:X】`` paragraph openings), then any
that only ``clean_body`` finds in a generic-extractor body).
"""

from __future__ import annotations

import copy
import html
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement
from parsel import Selector
from parsel.csstranslator import css2xpath
from scrapy.http import TextResponse

from newscrawl.items import Article, ImageRef
from newscrawl.pages.encoding import response_text
from newscrawl.pages.links import article_links
from newscrawl.text import (
    clean_body,
    normalize_space,
    parse_credit,
    parse_jp_datetime,
    split_authors,
    split_inline_credit,
)
from newscrawl.urls import Site

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

_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNews", "BlogPosting", "AnalysisNewsArticle"}
_TITLE_SUFFIX = re.compile(r"\s*[|｜\-–—]\s*KANGNAM\s*TIMES\s*$", re.IGNORECASE)
_COMMENT_TEXT = re.compile(r"^コメント\s*(\d+)\s*件?$")
_DIGITS = re.compile(r"\d+")


def _flat(text: str) -> str:
    """Newlines and tabs as spaces (``str.replace``: ``str.translate`` is slow on non-ASCII)."""
    return text.replace("\n", " ").replace("\r", " ").replace("\t", " ")


_DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "iframe", "template", "form", "button", "svg",
        "textarea", "input", "select", "video", "audio", "object", "embed", "canvas",
        "figcaption", "amp-ad", "amp-iframe", "amp-youtube", "amp-twitter", "amp-social-share",
    }
)
_DROP_CLASSES = frozenset(
    {
        "ad", "ads", "advertisement", "adsbygoogle", "share-buttons", "share", "sharedaddy",
        "related-inline", "twitter-tweet", "instagram-media", "wp-block-embed", "reporter",
        "amp-wp-reporter",
    }
)
_CAPTION_CLASSES = frozenset({"wp-caption-text", "amp-caption", "caption"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_IMAGE_TAGS = ("img", "amp-img")
_LISTS = frozenset({"ul", "ol"})


def _xpath(query: str) -> etree.XPath:
    return etree.XPath(query, smart_strings=False)


def _css(query: str) -> etree.XPath:
    """A CSS query (with parsel's ``::text`` and ``::attr()``) compiled once, as XPath."""
    return _xpath(css2xpath(query))


# The page's fixed queries, compiled once (run on the lxml root of the page).
_JSONLD = _xpath("//script[@type='application/ld+json']/text()")
_META = _xpath("//meta[@content]")
_CANONICAL = _xpath("//link[@rel='canonical']/@href")
_SHORTLINK = _xpath("//link[@rel='shortlink']/@href")
_LANG = _xpath("/html/@lang")
_CATEGORY_LINK = _css("a.entry-category, .amp-wp-tax-category a")
_HEADLINE = _css("h1.entry-title, h1.amp-wp-title")
_H1 = _css("h1")
_TITLE = _css("title")
_SUMMARY = _css("ul.entry-summary li, ul.amp-wp-summary li")
_AUTHORS = _css("div.byline .author, .amp-wp-byline .amp-wp-author")
_DATETIME = _css(".entry-header time::attr(datetime), .amp-wp-posted-on time::attr(datetime)")
_DATE_TEXT = _css("p.post-date, .post-date, .entry-date, .amp-wp-posted-on")
_TAGS = _css("ul.tags a, .amp-wp-tax-tag a")
_TAG_LINKS = _css("a[href*='/tag/']")
_COMMENT_COUNT = _css("section.comments .count::text, .comment-count::text")
_BODY_CONTAINERS = _xpath(
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' amp-wp-article-content ')]"
)
_MARKUP_H1 = _xpath(
    "boolean(//h1[contains(@class, 'entry-title') or contains(@class, 'amp-wp-title')])")
_COMMENT_LINES = _xpath(
    "//*[self::h2 or self::h3 or self::p or self::span or self::div or self::a]"
    "[starts-with(normalize-space(.), 'コメント')][string-length(normalize-space(.)) < 12]"
)
_HAS_IFRAME = _xpath("boolean(.//iframe)")
_STRING = _xpath("string()")


@dataclass
class ParsedArticle:
    """What :func:`parse_article` returns."""

    article: Article
    sources: dict[str, str] = field(default_factory=dict)
    """Field name → where its value came from: ``markup``, ``jsonld``, ``meta``, ``text``,
    ``generic`` or ``url``. Fields left empty are absent."""
    is_article: bool = True
    """False for a page that is not an article (home, listing, error page)."""


def _classes(element: HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def _is_element(node: Any) -> bool:
    return isinstance(node.tag, str)


def _unique(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return seen


# --- JSON-LD and meta ---------------------------------------------------------------------


def _iter_ld(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _iter_ld(item)
    elif isinstance(node, dict):
        yield node
        if "@graph" in node:
            yield from _iter_ld(node["@graph"])


def _find_jsonld(root: HtmlElement) -> dict[str, Any]:
    for raw in _JSONLD(root):
        try:
            data = json.loads(raw)
        except ValueError:
            logger.debug("Ignoring broken JSON-LD")
            continue
        for node in _iter_ld(data):
            types = node.get("@type")
            type_set = set(types) if isinstance(types, list) else {types}
            if type_set & _ARTICLE_TYPES:
                return node
    return {}


def _collect_meta(root: HtmlElement) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for element in _META(root):
        key = element.get("property") or element.get("name")
        if key:
            meta.setdefault(key.lower(), []).append(element.get("content"))
    return meta


def _ld_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id") or value.get("url")
    if value is None or isinstance(value, (dict, list)):
        return None
    text = normalize_space(str(value))
    return text or None


def _ld_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [normalize_space(v) for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        value = [value]
    return [text for item in value if (text := _ld_text(item))]


def _ld_images(value: Any) -> list[str]:
    urls = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("url") or item.get("contentUrl") or item.get("@id")
        if isinstance(item, str) and item.strip():
            urls.append(item.strip())
    return urls


# --- the body -----------------------------------------------------------------------------


def _inline_text(element: HtmlElement, parts: list[str], skip: frozenset[str] = frozenset()
                 ) -> None:
    if element.text:
        parts.append(_flat(element.text))
    for child in element:
        if _is_element(child):
            tag = child.tag
            if tag == "br":
                parts.append("\n")
            elif (
                tag not in _DROP_TAGS
                and tag not in _IMAGE_TAGS
                and tag != "figure"
                and tag not in skip
                and not (_classes(child) & _DROP_CLASSES)
            ):
                _inline_text(child, parts, skip)
        if child.tail:
            parts.append(_flat(child.tail))


def _lines_of(element: HtmlElement, skip: frozenset[str] = frozenset()) -> list[str]:
    parts: list[str] = []
    _inline_text(element, parts, skip)
    return [line.strip(" ") for line in "".join(parts).split("\n") if line.strip(" ")]


class _BodyWalker:
    """Walks a body container once: text lines, photos and their credits."""

    def __init__(self, site: Site, base_url: str) -> None:
        self.site = site
        self.base_url = base_url
        self.lines: list[str] = []
        self.images: list[ImageRef] = []
        self.credits: list[str] = []
        """Credit names in document order (photos, captions, 【引用:X】), without repeats."""
        self.pending: ImageRef | None = None

    def _credit(self, name: str | None) -> None:
        if name and name not in self.credits:
            self.credits.append(name)

    def _add_lines(self, lines: list[str]) -> None:
        for line in lines:
            text = normalize_space(html.unescape(line))
            self._credit(split_inline_credit(text)[0] or parse_credit(text))
        self.lines.extend(lines)

    def walk(self, container: HtmlElement) -> None:
        if container.text and container.text.strip():
            self._text(container.text)
        for child in container:
            if _is_element(child):
                self._element(child)
            if child.tail and child.tail.strip():
                self._text(child.tail)

    def _text(self, text: str) -> None:
        self.pending = None
        self._add_lines([_flat(text).strip(" ")])

    def _element(self, element: HtmlElement) -> None:
        tag = element.tag
        classes = _classes(element)
        if tag in _DROP_TAGS or classes & _DROP_CLASSES:
            return
        if tag == "figure":
            if "wp-block-embed" not in classes and not _HAS_IFRAME(element):
                self._figure(element)
            return
        if tag in _IMAGE_TAGS or tag == "picture":
            self._add_image(element, None)
            return
        if tag == "p" or tag in _HEADINGS:
            self._paragraph(element, classes)
        elif tag in ("ul", "ol"):
            self.pending = None
            self._list(element)
        elif tag == "table":
            self.pending = None
            for row in element.iter("tr"):
                cells = [normalize_space(cell.text_content()) for cell in row]
                line = " ".join(cell for cell in cells if cell)
                if line:
                    self._add_lines([line])
        elif tag in ("hr", "br"):
            return
        else:
            self.walk(element)

    def _paragraph(self, element: HtmlElement, classes: set[str]) -> None:
        images = [img for img in element.iter(*_IMAGE_TAGS) if not _inside_amp_img(img)]
        lines = _lines_of(element)
        if self.pending is not None and not images and lines:
            names = [parse_credit(line) for line in lines]
            if all(names) or (classes & _CAPTION_CLASSES and any(names)):
                credits = [n for n in names if n]
                if self.pending["credit"] is None:
                    self.pending["credit"] = credits[0]
                for name in credits:
                    self._credit(name)
                self.pending = None
                return
        self.pending = None
        for image in images:
            self._add_image(image, None)
        self._add_lines(lines)

    def _list(self, element: HtmlElement) -> None:
        for item in element:
            if not _is_element(item) or item.tag != "li":
                continue
            nested = [c for c in item if _is_element(c) and c.tag in ("ul", "ol")]
            self._add_lines(_lines_of(item, _LISTS))
            for sub in nested:
                self._list(sub)

    def _figure(self, figure: HtmlElement) -> None:
        images = [img for img in figure.iter(*_IMAGE_TAGS) if not _inside_amp_img(img)]
        caption = figure.find(".//figcaption")
        credit = parse_credit(caption.text_content()) if caption is not None else None
        if not images:
            return
        for image in images:
            self._add_image(image, credit)

    def _add_image(self, element: HtmlElement, credit: str | None) -> None:
        url, alt_credit = _image_source(element)
        self.pending = None
        if not url:
            return
        image = ImageRef(url=self.site.normalize(url, base=self.base_url),
                         credit=credit or alt_credit)
        if any(existing["url"] == image["url"] for existing in self.images):
            return
        self.images.append(image)
        self._credit(image["credit"])
        self.pending = image


def _inside_amp_img(element: HtmlElement) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag == "amp-img":
            return True
        if parent.tag in ("figure", "p", "div"):
            return False
        parent = parent.getparent()
    return False


def _src(element: HtmlElement) -> str | None:
    for attr in ("src", "data-src", "data-lazy-src"):
        value = element.get(attr)
        if value and not value.startswith("data:"):
            return value
    return None


def _image_source(element: HtmlElement) -> tuple[str | None, str | None]:
    """(src, credit from alt/title) of an ``img``/``amp-img``/``picture``, preferring the
    ``<noscript><img>`` fallback of an AMP image."""
    candidates = [img for img in element.iter("img") if img is not element]
    fallback = [img for img in candidates if img.getparent() is not None
                and img.getparent().tag == "noscript"]
    ordered = [*fallback, *candidates, element] if element.tag != "img" else [element]
    url = next((src for node in ordered if (src := _src(node))), None)
    credit = None
    for node in ordered:
        for attr in ("alt", "title"):
            value = node.get(attr)
            if value and (credit := parse_credit(value)):
                return url, credit
    return url, credit


# --- generic fallback -----------------------------------------------------------------------

_GENERIC_DROP = (
    "//script|//style|//noscript|//nav|//footer|//aside|//form|//textarea|//iframe|//figure"
    "|//figcaption|//h1|//button|//*[self::section or self::div][textarea]"
)


def _densest_container(root: HtmlElement) -> HtmlElement | None:
    scores: dict[HtmlElement, int] = {}
    for paragraph in root.iter("p"):
        parent = paragraph.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(paragraph.text_content())
    return max(scores, key=lambda k: scores[k]) if scores else None


def _generic_body(root: HtmlElement, skip: set[str]) -> str | None:
    """Main text by trafilatura, on a copy of the page without menus, link blocks, the
    headline, byline, summary and comment widget; lines equal to one of ``skip`` dropped."""
    tree = copy.deepcopy(root)
    junk: list[HtmlElement] = list(tree.xpath(_GENERIC_DROP))
    for element in tree.iter("div", "section", "ul", "ol", "p", "blockquote", "a"):
        classes = _classes(element)
        if classes & _DROP_CLASSES:
            junk.append(element)
        elif element.tag == "a" and normalize_space(element.text_content()) == "アクセス":
            parent = element.getparent()
            if parent is not None:
                junk.append(parent)
    for link_block in tree.xpath(
        "//*[self::section or self::div][*[1][self::h2 or self::h3 or self::p]"
        "[contains(., 'こんな記事も読まれています') or contains(., 'おすすめ')"
        " or contains(., '話題') or contains(., 'ランキング') or contains(., '関連記事')]]"
    ):
        junk.append(link_block)
    for element in junk:
        if element.getparent() is not None:
            element.drop_tree()
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - depends on the environment
        logger.warning("trafilatura unavailable; using the densest block of paragraphs")
        container = _densest_container(tree)
        if container is None:
            return None
        return "\n".join(line for p in container.iter("p") for line in _lines_of(p))
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
    if not text:
        return None
    lines = []
    for line in text.split("\n"):
        line = line.strip()
        if line.startswith("- "):
            line = line[2:]
        if line and normalize_space(line) not in skip:
            lines.append(line)
    return "\n".join(lines) or None


# --- the parser -----------------------------------------------------------------------------


class _Fields:
    """Records the first value found per field and where it came from."""

    def __init__(self) -> None:
        self.sources: dict[str, str] = {}

    def pick(self, name: str, *candidates: tuple[str, Callable[[], Any]]) -> Any:
        for source, getter in candidates:
            value = getter()
            if value not in (None, "", []):
                self.sources[name] = source
                return value
        return None


def _first_text(elements: Iterable[HtmlElement]) -> str | None:
    for element in elements:
        text = normalize_space(_STRING(element))
        if text:
            return text
    return None


def _all_texts(root: HtmlElement, query: etree.XPath) -> list[str]:
    return _unique(normalize_space(_STRING(element)) for element in query(root))


def _headline(value: str | None) -> str | None:
    if not value:
        return None
    return _TITLE_SUFFIX.sub("", normalize_space(value)) or None


def _dates_from_text(text: str | None) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    published, _, modified = text.partition("更新")
    return parse_jp_datetime(published), parse_jp_datetime(modified) if modified else None


def _visible_dates(root: HtmlElement) -> tuple[str | None, str | None]:
    """The first short text block holding a date with a time (and a later one after 更新)."""
    for count, element in enumerate(root.iter("p", "time", "span", "div", "li")):
        if count > 400:
            break
        text = element.text_content()
        if len(text) > 80 or not any(c.isdigit() for c in text):
            continue
        published, modified = _dates_from_text(text)
        if published and parse_jp_datetime(text.partition("更新")[0], require_time=True):
            return published, modified
    return None, None


def _visible_authors(root: HtmlElement) -> list[str]:
    for anchor in root.iter("a"):
        if normalize_space(anchor.text_content()) == "アクセス":
            parent = anchor.getparent()
            if parent is not None:
                return split_authors(parent.text_content())
    return []


def _visible_summary(root: HtmlElement) -> list[str]:
    headings = list(root.iter("h1"))
    if not headings:
        return []
    sibling = headings[0].getnext()
    for _ in range(4):
        if sibling is None:
            return []
        if sibling.tag in ("ul", "ol"):
            items = [normalize_space(li.text_content()) for li in sibling if li.tag == "li"]
            if 1 < len(items) <= 5 and all(0 < len(i) <= 80 for i in items):
                return items
            return []
        sibling = sibling.getnext()
    return []


def _visible_comment_count(root: HtmlElement) -> int | None:
    for element in _COMMENT_LINES(root):
        match = _COMMENT_TEXT.match(normalize_space(element.text_content()))
        if match:
            return int(match.group(1))
    return None


def _markup_comment_count(root: HtmlElement) -> int | None:
    for text in _COMMENT_COUNT(root):
        if text.strip().isdigit():
            return int(text.strip())
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _slug_of(url: str | None) -> str | None:
    if not url:
        return None
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if "article" in parts:
        index = parts.index("article")
        return parts[index - 1] if index > 0 else None
    return parts[-1] if parts else None


def parse_article(response: TextResponse, site: Site) -> ParsedArticle:
    """Parse an article page (canonical or AMP markup, or a theme without known classes)."""
    text = response_text(response)
    selector = Selector(text=text, type="html", base_url=response.url)
    root = selector.root
    if not isinstance(root, HtmlElement):
        return ParsedArticle(Article(url=response.url), {}, False)
    url = response.url
    meta = _collect_meta(root)
    ld = _find_jsonld(root)
    fields = _Fields()

    def meta1(key: str) -> str | None:
        values = meta.get(key)
        return normalize_space(values[0]) if values and values[0].strip() else None

    # identity
    canonical_href = next(iter(_CANONICAL(root)), None)
    shortlink = next(iter(_SHORTLINK(root)), None)
    main_entity = ld.get("mainEntityOfPage")
    id_candidates = [
        ("markup", canonical_href),
        ("text", shortlink),
        ("jsonld", _ld_text(main_entity) if main_entity else ld.get("url")),
        ("meta", meta1("og:url")),
        ("url", url),
    ]
    canonical_url = article_id = None
    for source, candidate in id_candidates:
        if not candidate or not isinstance(candidate, str):
            continue
        ref = site.article_ref(candidate, base=url)
        if ref is None:
            continue
        if article_id is None:
            article_id = ref.article_id
            fields.sources["article_id"] = source
        if ref.canonical and ref.article_id == article_id:
            canonical_url = ref.url
            fields.sources["canonical_url"] = source
            break

    category_links = _CATEGORY_LINK(root)
    category_slug = _slug_of(category_links[0].get("href")) if category_links else None
    if canonical_url is None and article_id and category_slug:
        canonical_url = site.canonical_article_url(category_slug, article_id)
        fields.sources["canonical_url"] = "markup"

    headline = fields.pick(
        "headline",
        ("markup", lambda: _headline(_first_text(_HEADLINE(root)))),
        ("jsonld", lambda: _headline(_ld_text(ld.get("headline")))),
        ("meta", lambda: _headline(meta1("og:title"))),
        ("text", lambda: _headline(_first_text(_H1(root)))),
        ("text", lambda: _headline(_first_text(_TITLE(root)))),
    )
    summary = fields.pick(
        "summary",
        ("markup", lambda: _all_texts(root, _SUMMARY)),
        ("text", lambda: _visible_summary(root)),
    ) or []
    authors = fields.pick(
        "authors",
        ("markup", lambda: split_authors(" ・ ".join(_all_texts(root, _AUTHORS)))),
        ("jsonld", lambda: _unique(n for name in _ld_list(ld.get("author"))
                                   for n in split_authors(name))),
        ("meta", lambda: split_authors(meta1("article:author") or meta1("author") or "")),
        ("text", lambda: _visible_authors(root)),
    ) or []

    markup_dates = _dates_from_text(
        next(iter(_DATETIME(root)), None) or _first_text(_DATE_TEXT(root)))
    visible: list[tuple[str | None, str | None]] = []

    def visible_dates() -> tuple[str | None, str | None]:
        if not visible:
            visible.append(_visible_dates(root))
        return visible[0]

    date_published = fields.pick(
        "date_published",
        ("markup", lambda: markup_dates[0]),
        ("jsonld", lambda: parse_jp_datetime(_ld_text(ld.get("datePublished")) or "")),
        ("meta", lambda: parse_jp_datetime(meta1("article:published_time") or "")),
        ("text", lambda: visible_dates()[0]),
    )
    date_modified = fields.pick(
        "date_modified",
        ("markup", lambda: markup_dates[1]),
        ("jsonld", lambda: parse_jp_datetime(_ld_text(ld.get("dateModified")) or "")),
        ("meta", lambda: parse_jp_datetime(meta1("article:modified_time") or "")),
        ("text", lambda: visible_dates()[1]),
    )
    category = fields.pick(
        "category",
        ("markup", lambda: _first_text(category_links)),
        ("jsonld", lambda: _ld_text(ld.get("articleSection"))),
        ("meta", lambda: meta1("article:section")),
        ("url", lambda: CATEGORY_LABELS.get(_slug_of(canonical_url) or "")),
    )
    tags = fields.pick(
        "tags",
        ("markup", lambda: _all_texts(root, _TAGS)),
        ("jsonld", lambda: _unique(_ld_list(ld.get("keywords")))),
        ("meta", lambda: _unique(normalize_space(t) for t in meta.get("article:tag", []))),
        ("text", lambda: _all_texts(root, _TAG_LINKS)),
    ) or []
    language = fields.pick(
        "language",
        ("markup", lambda: normalize_space(next(iter(_LANG(root)), ""))),
        ("jsonld", lambda: _ld_text(ld.get("inLanguage"))),
        ("meta", lambda: (meta1("og:locale") or "").replace("_", "-")),
    )
    comment_count = fields.pick(
        "comment_count",
        ("markup", lambda: _markup_comment_count(root)),
        ("jsonld", lambda: _int(ld.get("commentCount"))),
        ("text", lambda: _visible_comment_count(root)),
    )

    # body and photos
    containers = _BODY_CONTAINERS(root)
    walker = _BodyWalker(site, url)
    body: str | None = None
    if containers:
        walker.walk(containers[0])
        body = "\n".join(walker.lines) or None
        if body:
            fields.sources["body"] = "markup"
        if walker.images:
            fields.sources["images"] = "markup"
    else:
        skip = {headline or "", *summary, *authors}
        body = _generic_body(root, skip)
        if body:
            fields.sources["body"] = "generic"
        guessed = _densest_container(root)
        if guessed is not None:
            walker.walk(guessed)
        if walker.images:
            fields.sources["images"] = "generic"
    images = walker.images
    if not images and not containers:
        # JSON-LD lists the article's photos; og:image is not a fallback: it is often the
        # site logo or a social card, not a photo of the story.
        ld_images = _ld_images(ld.get("image"))
        if ld_images:
            images = [ImageRef(url=site.normalize(u, base=url), credit=None)
                      for u in _unique(ld_images)]
            fields.sources["images"] = "jsonld"

    # The walker saw every credit of a markup body; a generic extractor's body may still hold
    # credit lines, which only the text cleaner recognises.
    text_credits = clean_body(body).credits if body and not containers else []
    credits = _unique([*walker.credits, *(i["credit"] or "" for i in images), *text_credits])
    if credits:
        fields.sources["credits"] = fields.sources.get("images", "markup")

    related = article_links(selector, site, url)
    if related:
        fields.sources["related"] = "markup"

    has_markup = bool(containers) or bool(_MARKUP_H1(root))
    og_type = meta1("og:type")
    is_article = bool(
        article_id
        and (has_markup or ld or og_type == "article" or canonical_url
             or (fields.sources.get("article_id") == "url" and headline and body))
    ) and og_type not in ("website", "profile")

    article = Article(
        url=url,
        canonical_url=canonical_url,
        article_id=article_id,
        headline=headline,
        summary=summary,
        authors=authors,
        date_published=date_published,
        date_modified=date_modified,
        category=category,
        tags=tags,
        images=images,
        credits=credits,
        body=body,
        language=language,
        comment_count=comment_count,
        related=related,
    )
    return ParsedArticle(article=article, sources=fields.sources, is_article=is_article)

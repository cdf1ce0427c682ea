"""Pages built to break a parser, shared by the tests (``tests/pages/test_hostile.py``, which
asserts what each must parse to) and the benchmark (section ``hostile``, which times each
through the whole per-article path and measures its extra memory).

Every page is built from original text, on demand (the big ones take tens of MB to hold):
:data:`PAGES` maps a short name to a function returning a :class:`HostilePage`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass

BASE = "http://127.0.0.1:8765/ja/"
URL = f"{BASE}report/article/700001"
HEADLINE = "川沿いの桜並木、今年は例年より早く満開に"
PARAGRAPH = "市内を流れる川の両岸で桜が咲きそろい、朝から散策する人の姿が見られた。"
DEEP = 500
"""Nesting depth of the deep pages: libxml2 builds it, Python's recursion limit would not
survive a walk that recursed on it."""
JSONLD_DEPTH = 1000
"""Nesting of the deep JSON-LD block: past what ``json.loads`` survives."""
FLOOD_LINKS = 100_000
BIG_PAGE_BYTES = 9_000_000
"""Size the big page exceeds (under ``DOWNLOAD_MAXSIZE``)."""
BIG_DEEP_PARAGRAPHS = 20_000
BIG_DEEP_LEVELS = 400
PAGE_CAP_BLOCKS = ("latest", "ranking", "related", "recommend", "topics", "category-list")
"""The classes of the blocks of :func:`links_over_page_cap`, in page order."""


@dataclass(frozen=True)
class HostilePage:
    url: str
    html: str


# --- parts ---------------------------------------------------------------------------------


def page(body: str, head: str = "", *, headline: str = HEADLINE) -> str:
    """An article of the modelled theme: the headline in ``h1.entry-title``, then ``body``."""
    return (
        '<html lang="ja"><head><meta charset="utf-8">'
        f"<title>{headline} | KANGNAM TIMES</title>{head}</head><body>"
        f'<main><article><h1 class="entry-title">{headline}</h1>{body}</article></main>'
        "</body></html>"
    )


def generic_page(body: str, head: str = "") -> str:
    """A theme the parser does not know: no entry-* classes, only a canonical link."""
    return (
        '<html lang="ja"><head><meta charset="utf-8">'
        f'<title>{HEADLINE} | KANGNAM TIMES</title><link rel="canonical" href="{URL}">{head}'
        f'</head><body><div class="wrap"><h1>{HEADLINE}</h1>{body}</div></body></html>'
    )


def entry_content(inner: str) -> str:
    return f'<div class="entry-content">{inner}</div>'


def related_block(items: str) -> str:
    return f'<section class="related"><h2>こんな記事も読まれています</h2><ul>{items}</ul></section>'


def topics_block(items: str) -> str:
    return f'<section class="topics"><h2>話題</h2><ol>{items}</ol></section>'


def link_items(count: int, start: int) -> str:
    """``count`` list items, each a link to article ``start + n``."""
    return "".join(f'<li><a href="/ja/report/article/{start + n}">関連記事その{n}</a></li>'
                   for n in range(count))


def head_naming(article_id: str) -> str:
    """A head whose canonical link, og:url, short link and JSON-LD all name ``article_id``."""
    other = f"{BASE}report/article/{article_id}"
    ld = {"@type": "NewsArticle", "headline": HEADLINE, "url": other,
          "mainEntityOfPage": {"@id": other}}
    return (f'<link rel="canonical" href="{other}"><meta property="og:url" content="{other}">'
            f'<link rel="shortlink" href="{BASE}?p={article_id}">'
            f'<script type="application/ld+json">{json.dumps(ld)}</script>')


def numbered_paragraphs(count: int) -> str:
    return "".join(f"<p>{PARAGRAPH}{n}番目。</p>" for n in range(count))


# --- the pages -----------------------------------------------------------------------------


def deep_body(shape: str) -> str:
    """A body with one paragraph nested :data:`DEEP` deep in ``divs``, ``spans`` or
    ``blockquotes``, between a first and a last paragraph."""
    inner = {
        "divs": "<div>" * DEEP + f"<p>{PARAGRAPH}</p>" + "</div>" * DEEP,
        "spans": "<p>" + "<span>" * DEEP + PARAGRAPH + "</span>" * DEEP + "</p>",
        "blockquotes": "<blockquote>" * DEEP + f"<p>{PARAGRAPH}</p>" + "</blockquote>" * DEEP,
    }[shape]
    return page(entry_content(f"<p>最初の段落。</p>{inner}<p>最後の段落。</p>"))


DEEP_LIST_LEVELS = DEEP // 2
"""Each level of :func:`deep_lists` is a ``<ul>`` and an ``<li>``."""


def deep_lists() -> str:
    items = "".join(f"<ul><li>項目{n}" for n in range(DEEP_LIST_LEVELS))
    return page(entry_content(items + "</li></ul>" * DEEP_LIST_LEVELS))


def deep_generic() -> str:
    """Three paragraphs nested :data:`DEEP` deep on a theme the parser does not know."""
    return generic_page("<div>" * DEEP + numbered_paragraphs(3) + "</div>" * DEEP)


def deep_jsonld() -> str:
    """A JSON-LD block nested :data:`JSONLD_DEPTH` deep, with a false headline."""
    deep = "[" * JSONLD_DEPTH + "]" * JSONLD_DEPTH
    ld = '{"@type": "NewsArticle", "headline": "偽の見出し", "about": ' + deep + "}"
    head = f'<script type="application/ld+json">{ld}</script>'
    return page(entry_content(f"<p>{PARAGRAPH}</p>"), head)


def link_flood() -> str:
    """:data:`FLOOD_LINKS` related links (to articles 800000…), then five topics (900000…)."""
    return page(entry_content(f"<p>{PARAGRAPH}</p>")
                + related_block(link_items(FLOOD_LINKS, 800_000))
                + topics_block(link_items(5, 900_000)))


def links_over_page_cap() -> str:
    """60 inline links (900000…) then 60 in each block of :data:`PAGE_CAP_BLOCKS`."""
    sections = "".join(f'<section class="{name}"><ul>{link_items(60, 100_000 * (i + 1))}</ul>'
                       "</section>" for i, name in enumerate(PAGE_CAP_BLOCKS))
    return page(entry_content(f"<ul>{link_items(60, 900_000)}</ul>") + sections)


def canonical_elsewhere(article_id: str = "123456") -> str:
    """Every link of the head names ``article_id`` (the URL names 700001)."""
    return page(entry_content(f"<p>{PARAGRAPH}</p>"), head_naming(article_id))


def control_characters(control: str = "\x08") -> str:
    """A generic page with ``control`` (raw or as a reference) inside four paragraphs."""
    paragraphs = "".join(f"<p>{PARAGRAPH[:10]}{control}{PARAGRAPH[10:]}{n}番目。</p>"
                         for n in range(4))
    return generic_page(f"<div><div>{paragraphs}</div></div>")


def big_page_count() -> int:
    """Paragraphs in the body of :func:`nine_megabytes` (about 6 MB of them)."""
    return 6_000_000 // len(f"<p>{PARAGRAPH}</p>\n".encode())


def nine_megabytes() -> str:
    """About 6 MB of paragraphs in the body, then 40,000 related and 40,000 topics links."""
    links = link_items(40_000, 800_000)  # about 3 MB more
    return page(entry_content(f"<p>{PARAGRAPH}</p>\n" * big_page_count())
                + related_block(links) + topics_block(links))


DISTINCT_PARAGRAPHS = 30_000
DISTINCT_CHARS = 100
"""Characters per paragraph of :func:`nine_megabytes_distinct` (3 bytes each in UTF-8)."""


def distinct_paragraphs(count: int = DISTINCT_PARAGRAPHS, seed: int = 12) -> list[str]:
    """``count`` paragraphs of seeded random kana and kanji, each ending in 。: almost every
    5-character shingle is new, the worst case for near-duplicate detection."""
    rng = random.Random(seed)
    letters = [chr(c) for c in range(0x3041, 0x3097)] + [chr(c) for c in range(0x4E00, 0x5E00)]
    return ["".join(rng.choices(letters, k=DISTINCT_CHARS - 1)) + "。" for _ in range(count)]


def nine_megabytes_distinct() -> str:
    """About 9 MB of body where no paragraph repeats (the cleaner cannot fold it): what the
    dedupe step meets at its worst."""
    return page(entry_content("".join(f"<p>{p}</p>\n" for p in distinct_paragraphs())))


def big_deep_generic() -> str:
    """About 2 MB of paragraphs nested :data:`BIG_DEEP_LEVELS` deep, without metadata."""
    text = "".join(f"<p>{PARAGRAPH}{n}</p>" for n in range(BIG_DEEP_PARAGRAPHS))
    return generic_page("<div>" * BIG_DEEP_LEVELS + text + "</div>" * BIG_DEEP_LEVELS)


def _at(html: Callable[[], str], url: str = URL) -> Callable[[], HostilePage]:
    return lambda: HostilePage(url, html())


PAGES: dict[str, Callable[[], HostilePage]] = {
    "deep_divs": _at(lambda: deep_body("divs")),
    "deep_spans": _at(lambda: deep_body("spans")),
    "deep_blockquotes": _at(lambda: deep_body("blockquotes")),
    "deep_lists": _at(deep_lists),
    "deep_generic": _at(deep_generic),
    "deep_jsonld": _at(deep_jsonld),
    "link_flood": _at(link_flood),
    "links_over_page_cap": _at(links_over_page_cap),
    "canonical_elsewhere": _at(canonical_elsewhere),
    "control_characters": _at(control_characters),
    "nine_megabytes": _at(nine_megabytes),
    "nine_megabytes_distinct": _at(nine_megabytes_distinct),
    "big_deep_generic": _at(big_deep_generic),
}
"""Every hostile page of the tests, by name (one of each kind: the tests also vary some)."""

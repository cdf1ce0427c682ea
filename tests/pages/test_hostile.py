"""Pages built to break a parser: deep nesting, deep JSON-LD, link floods, a canonical link
naming another article, control characters, a 9 MB page. Each must parse, bounded, into a
result of the usual shape, and say what was odd in ``problems``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from scrapy.http import HtmlResponse

from newscrawl.pages.article import ParsedArticle, parse_article
from newscrawl.pages.links import MAX_LINKS_PER_BLOCK, MAX_LINKS_PER_PAGE
from newscrawl.pages.structured import article_node
from newscrawl.text import clean_body
from newscrawl.urls import Site

BASE = "http://127.0.0.1:8765/ja/"
URL = f"{BASE}report/article/700001"
HEADLINE = "川沿いの桜並木、今年は例年より早く満開に"
PARAGRAPH = "市内を流れる川の両岸で桜が咲きそろい、朝から散策する人の姿が見られた。"
DEEP = 500
"""Nesting depth of the deep pages: libxml2 builds it, Python's recursion limit would not
survive a walk that recursed on it (see :func:`shallow_stack`)."""


def page(body: str, head: str = "", *, headline: str = HEADLINE) -> str:
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


def parse(html: str, url: str = URL) -> ParsedArticle:
    response = HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")
    return parse_article(response, Site(BASE))


@contextmanager
def shallow_stack(frames: int = 150) -> Iterator[None]:
    """Allow only ``frames`` more Python frames than the caller has: plenty for the parser,
    too few for any walk that recurses once per level of a page nested :data:`DEEP` deep."""
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def body_lines(parsed: ParsedArticle) -> list[str]:
    return clean_body(parsed.article.body or "").body.split("\n")


# --- deep nesting ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["divs", "spans", "blockquotes"])
def test_a_body_nested_deep_gives_its_text(shape: str) -> None:
    inner = {
        "divs": "<div>" * DEEP + f"<p>{PARAGRAPH}</p>" + "</div>" * DEEP,
        "spans": "<p>" + "<span>" * DEEP + PARAGRAPH + "</span>" * DEEP + "</p>",
        "blockquotes": "<blockquote>" * DEEP + f"<p>{PARAGRAPH}</p>" + "</blockquote>" * DEEP,
    }[shape]
    html = page(f'<div class="entry-content"><p>最初の段落。</p>{inner}<p>最後の段落。</p></div>')
    with shallow_stack():
        parsed = parse(html)
    assert parsed.is_article
    assert body_lines(parsed) == ["最初の段落。", PARAGRAPH, "最後の段落。"]
    assert parsed.sources["body"] == "markup"


def test_lists_nested_deep_give_every_item_in_order() -> None:
    levels = DEEP // 2  # each level is a <ul> and an <li>
    items = "".join(f"<ul><li>項目{n}" for n in range(levels)) + "</li></ul>" * levels
    with shallow_stack():
        parsed = parse(page(f'<div class="entry-content">{items}</div>'))
    assert body_lines(parsed) == [f"項目{n}" for n in range(levels)]


def test_a_deep_page_of_an_unknown_theme_gets_a_plain_text_body() -> None:
    """The generic extractor (trafilatura) recurses on nesting and returns nothing on very
    deep trees: past the depth cap the body is a plain iterative text walk."""
    paragraphs = "".join(f"<p>{PARAGRAPH}{n}番目。</p>" for n in range(3))
    html = generic_page("<div>" * DEEP + paragraphs + "</div>" * DEEP)
    with shallow_stack():
        parsed = parse(html)
    assert parsed.is_article
    assert [f"{PARAGRAPH}{n}番目。" for n in range(3)] == [
        line for line in body_lines(parsed) if line.startswith(PARAGRAPH)]
    assert parsed.sources["body"] == "generic"
    assert "deep_tree" in parsed.problems


def test_a_shallow_page_of_an_unknown_theme_still_goes_to_the_generic_extractor() -> None:
    paragraphs = "".join(f"<p>{PARAGRAPH}{n}番目。</p>" for n in range(3))
    parsed = parse(generic_page("<div><div>" + paragraphs + "</div></div>"))
    assert parsed.sources["body"] == "generic"
    assert "deep_tree" not in parsed.problems
    assert f"{PARAGRAPH}2番目。" in body_lines(parsed)


# --- JSON-LD --------------------------------------------------------------------------------


def test_json_ld_nested_a_thousand_deep_is_a_broken_block() -> None:
    deep = "[" * 1000 + "]" * 1000
    ld = '{"@type": "NewsArticle", "headline": "偽の見出し", "about": ' + deep + "}"
    head = f'<script type="application/ld+json">{ld}</script>'
    parsed = parse(page(f'<div class="entry-content"><p>{PARAGRAPH}</p></div>', head))
    assert parsed.is_article
    assert parsed.article.headline == HEADLINE
    assert body_lines(parsed) == [PARAGRAPH]
    assert "jsonld_broken" in parsed.problems


def test_the_article_is_found_however_deep_the_json_ld_nests_it() -> None:
    node: object = {"@type": "NewsArticle", "headline": "深い場所の記事"}
    for level in range(5000):  # deeper than any recursive walk survives
        node = [node] if level % 2 else {"@graph": node}
    found = article_node(node)
    assert found is not None and found["headline"] == "深い場所の記事"


def test_a_json_ld_type_that_is_not_a_string_is_ignored() -> None:
    ld = json.dumps([{"@type": {"bad": 1}}, {"@type": [["x"], "NewsArticle"], "headline": "型"}])
    head = f'<script type="application/ld+json">{ld}</script>'
    parsed = parse(page(f'<div class="entry-content"><p>{PARAGRAPH}</p></div>', head))
    assert parsed.is_article and parsed.problems == []


# --- links ----------------------------------------------------------------------------------


def related_block(items: str) -> str:
    return f'<section class="related"><h2>こんな記事も読まれています</h2><ul>{items}</ul></section>'


def link_items(count: int, start: int) -> str:
    return "".join(f'<li><a href="/ja/report/article/{start + n}">関連記事その{n}</a></li>'
                   for n in range(count))


def test_a_hundred_thousand_links_give_a_bounded_related_list() -> None:
    flood = link_items(100_000, 800_000)
    html = page(f'<div class="entry-content"><p>{PARAGRAPH}</p></div>'
                f"{related_block(flood)}"
                f'<section class="topics"><h2>話題</h2><ol>{link_items(5, 900_000)}</ol></section>')
    parsed = parse(html)
    related = parsed.article.related
    assert [link["block"] for link in related] == ["related"] * MAX_LINKS_PER_BLOCK + ["topics"] * 5
    assert [link["position"] for link in related[:MAX_LINKS_PER_BLOCK]] == list(
        range(1, MAX_LINKS_PER_BLOCK + 1))
    assert related[0]["url"] == f"{BASE}report/article/800000"
    assert related[-1]["url"] == f"{BASE}report/article/900004"
    assert "links_capped" in parsed.problems


def test_links_are_capped_per_page() -> None:
    blocks = ["latest", "ranking", "related", "recommend", "topics", "category-list"]
    sections = "".join(f'<section class="{name}"><ul>{link_items(60, 100_000 * (i + 1))}</ul>'
                       "</section>" for i, name in enumerate(blocks))
    inline = link_items(60, 900_000)
    html = page(f'<div class="entry-content"><ul>{inline}</ul></div>{sections}')
    parsed = parse(html)
    assert len(parsed.article.related) == MAX_LINKS_PER_PAGE
    # 7 blocks of 50 would be 350: the page cap keeps the first 300 in page order
    assert [link["block"] for link in parsed.article.related][::MAX_LINKS_PER_BLOCK] == [
        "inline", "latest", "ranking", "related", "recommend", "topics"]
    assert "links_capped" in parsed.problems


def test_a_full_block_printed_twice_is_not_capped() -> None:
    block = related_block(link_items(MAX_LINKS_PER_BLOCK, 800_000))
    parsed = parse(page(f'<div class="entry-content"><p>{PARAGRAPH}</p></div>{block}{block}'))
    assert len(parsed.article.related) == MAX_LINKS_PER_BLOCK
    assert parsed.problems == []


# --- canonical links ------------------------------------------------------------------------


def head_naming(article_id: str) -> str:
    other = f"{BASE}report/article/{article_id}"
    ld = {"@type": "NewsArticle", "headline": HEADLINE, "url": other,
          "mainEntityOfPage": {"@id": other}}
    return (f'<link rel="canonical" href="{other}"><meta property="og:url" content="{other}">'
            f'<link rel="shortlink" href="{BASE}?p={article_id}">'
            f'<script type="application/ld+json">{json.dumps(ld)}</script>')


@pytest.mark.parametrize("url", [URL, f"{URL}/amp/?noamp=mobile", f"{BASE}?p=700001"])
def test_a_canonical_link_naming_another_article_is_not_trusted(url: str) -> None:
    body = f'<div class="entry-content"><p>{PARAGRAPH}</p></div>'
    parsed = parse(page(body, head_naming("123456")), url=url)
    assert parsed.article.article_id == "700001"
    assert parsed.article.canonical_url in (URL, None)
    assert "canonical_mismatch" in parsed.problems
    assert parsed.sources["article_id"] == "url"


def test_a_canonical_link_that_agrees_is_used() -> None:
    body = f'<div class="entry-content"><p>{PARAGRAPH}</p></div>'
    parsed = parse(page(body, head_naming("700001")), url=f"{URL}/amp/")
    assert parsed.article.article_id == "700001"
    assert parsed.article.canonical_url == URL
    assert parsed.sources["article_id"] == "markup"
    assert parsed.problems == []


def test_on_a_url_without_an_id_the_canonical_link_names_the_article() -> None:
    body = f'<div class="entry-content"><p>{PARAGRAPH}</p></div>'
    parsed = parse(page(body, head_naming("123456")), url=f"{BASE}some/landing/page")
    assert parsed.article.article_id == "123456"
    assert parsed.problems == []


# --- control characters ---------------------------------------------------------------------


@pytest.mark.parametrize("control", ["\x08", "&#8;", "&#x1B;", "\x0c"])
def test_control_characters_do_not_empty_a_generic_body(control: str) -> None:
    """trafilatura returns nothing for a whole page when one text node holds a character
    that XML forbids."""
    paragraphs = "".join(f"<p>{PARAGRAPH[:10]}{control}{PARAGRAPH[10:]}{n}番目。</p>"
                         for n in range(4))
    parsed = parse(generic_page(f"<div><div>{paragraphs}</div></div>"))
    lines = body_lines(parsed)
    assert parsed.sources["body"] == "generic"
    assert len([line for line in lines if "番目。" in line]) == 4
    assert not any(c in (parsed.article.body or "") for c in "\x08\x1b")


def test_control_characters_leave_markup_fields_clean() -> None:
    html = page('<div class="entry-content"><p>本文\x01の段落&#x7;。</p></div>',
                headline="見出し\x08です")
    parsed = parse(html)
    assert parsed.article.headline == "見出しです"
    assert body_lines(parsed) == ["本文の段落。"]


# --- size -----------------------------------------------------------------------------------


def test_a_nine_megabyte_page_parses_to_a_bounded_article() -> None:
    paragraph = f"<p>{PARAGRAPH}</p>\n"
    count = 6_000_000 // len(paragraph.encode())
    links = link_items(40_000, 800_000)  # about 3 MB more
    html = page(f'<div class="entry-content">{paragraph * count}</div>'
                f"{related_block(links)}"
                f'<section class="topics"><h2>話題</h2><ol>{links}</ol></section>')
    assert len(html.encode()) > 9_000_000
    parsed = parse(html)
    assert parsed.is_article
    assert parsed.article.headline == HEADLINE
    assert (parsed.article.body or "").split("\n") == [PARAGRAPH] * count
    assert len(parsed.article.related) == 2 * MAX_LINKS_PER_BLOCK
    assert "links_capped" in parsed.problems


def test_a_big_deep_page_without_metadata_parses() -> None:
    """Visible-text fallbacks (date line, comment count) read a block only as far as needed:
    on 400 nested blocks around 2 MB of text, reading each block whole is 800 MB of text."""
    text = "".join(f"<p>{PARAGRAPH}{n}</p>" for n in range(20_000))
    html = generic_page("<div>" * 400 + text + "</div>" * 400)
    parsed = parse(html)
    assert parsed.is_article
    assert parsed.article.comment_count is None and parsed.article.date_published is None
    assert body_lines(parsed) == [f"{PARAGRAPH}{n}" for n in range(20_000)]

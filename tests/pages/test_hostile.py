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

from newscrawl.bench import hostile
from newscrawl.bench.hostile import (
    BASE,
    DEEP_LIST_LEVELS,
    HEADLINE,
    PARAGRAPH,
    URL,
    entry_content,
    link_items,
    page,
    related_block,
)
from newscrawl.pages.article import ParsedArticle, parse_article
from newscrawl.pages.links import MAX_LINKS_PER_BLOCK, MAX_LINKS_PER_PAGE
from newscrawl.pages.structured import article_node
from newscrawl.text import clean_body
from newscrawl.urls import Site


def parse(html: str, url: str = URL) -> ParsedArticle:
    response = HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")
    return parse_article(response, Site(BASE))


@contextmanager
def shallow_stack(frames: int = 150) -> Iterator[None]:
    """Allow only ``frames`` more Python frames than the caller has: plenty for the parser,
    too few for any walk that recurses once per level of a page nested
    :data:`~newscrawl.bench.hostile.DEEP` deep."""
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
    html = hostile.deep_body(shape)
    with shallow_stack():
        parsed = parse(html)
    assert parsed.is_article
    assert body_lines(parsed) == ["最初の段落。", PARAGRAPH, "最後の段落。"]
    assert parsed.sources["body"] == "markup"


def test_lists_nested_deep_give_every_item_in_order() -> None:
    with shallow_stack():
        parsed = parse(hostile.deep_lists())
    assert body_lines(parsed) == [f"項目{n}" for n in range(DEEP_LIST_LEVELS)]


def test_a_deep_page_of_an_unknown_theme_gets_a_plain_text_body() -> None:
    """The generic extractor (trafilatura) recurses on nesting and returns nothing on very
    deep trees: past the depth cap the body is a plain iterative text walk."""
    with shallow_stack():
        parsed = parse(hostile.deep_generic())
    assert parsed.is_article
    assert [f"{PARAGRAPH}{n}番目。" for n in range(3)] == [
        line for line in body_lines(parsed) if line.startswith(PARAGRAPH)]
    assert parsed.sources["body"] == "generic"
    assert "deep_tree" in parsed.problems


def test_a_shallow_page_of_an_unknown_theme_still_goes_to_the_generic_extractor() -> None:
    paragraphs = hostile.numbered_paragraphs(3)
    parsed = parse(hostile.generic_page("<div><div>" + paragraphs + "</div></div>"))
    assert parsed.sources["body"] == "generic"
    assert "deep_tree" not in parsed.problems
    assert f"{PARAGRAPH}2番目。" in body_lines(parsed)


# --- JSON-LD --------------------------------------------------------------------------------


def test_json_ld_nested_a_thousand_deep_is_a_broken_block() -> None:
    parsed = parse(hostile.deep_jsonld())
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


def test_a_hundred_thousand_links_give_a_bounded_related_list() -> None:
    parsed = parse(hostile.link_flood())
    related = parsed.article.related
    assert [link["block"] for link in related] == ["related"] * MAX_LINKS_PER_BLOCK + ["topics"] * 5
    assert [link["position"] for link in related[:MAX_LINKS_PER_BLOCK]] == list(
        range(1, MAX_LINKS_PER_BLOCK + 1))
    assert related[0]["url"] == f"{BASE}report/article/800000"
    assert related[-1]["url"] == f"{BASE}report/article/900004"
    assert "links_capped" in parsed.problems


def test_links_are_capped_per_page() -> None:
    parsed = parse(hostile.links_over_page_cap())
    assert len(parsed.article.related) == MAX_LINKS_PER_PAGE
    # 7 blocks of 50 would be 350: the page cap keeps the first 300 in page order
    assert [link["block"] for link in parsed.article.related][::MAX_LINKS_PER_BLOCK] == [
        "inline", "latest", "ranking", "related", "recommend", "topics"]
    assert "links_capped" in parsed.problems


def test_a_full_block_printed_twice_is_not_capped() -> None:
    block = related_block(link_items(MAX_LINKS_PER_BLOCK, 800_000))
    parsed = parse(page(entry_content(f"<p>{PARAGRAPH}</p>") + block + block))
    assert len(parsed.article.related) == MAX_LINKS_PER_BLOCK
    assert parsed.problems == []


# --- canonical links ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [URL, f"{URL}/amp/?noamp=mobile", f"{BASE}?p=700001"])
def test_a_canonical_link_naming_another_article_is_not_trusted(url: str) -> None:
    parsed = parse(hostile.canonical_elsewhere("123456"), url=url)
    assert parsed.article.article_id == "700001"
    assert parsed.article.canonical_url in (URL, None)
    assert "canonical_mismatch" in parsed.problems
    assert parsed.sources["article_id"] == "url"


def test_a_canonical_link_that_agrees_is_used() -> None:
    parsed = parse(hostile.canonical_elsewhere("700001"), url=f"{URL}/amp/")
    assert parsed.article.article_id == "700001"
    assert parsed.article.canonical_url == URL
    assert parsed.sources["article_id"] == "markup"
    assert parsed.problems == []


def test_on_a_url_without_an_id_the_canonical_link_names_the_article() -> None:
    parsed = parse(hostile.canonical_elsewhere("123456"), url=f"{BASE}some/landing/page")
    assert parsed.article.article_id == "123456"
    assert parsed.problems == []


# --- control characters ---------------------------------------------------------------------


@pytest.mark.parametrize("control", ["\x08", "&#8;", "&#x1B;", "\x0c"])
def test_control_characters_do_not_empty_a_generic_body(control: str) -> None:
    """trafilatura returns nothing for a whole page when one text node holds a character
    that XML forbids."""
    parsed = parse(hostile.control_characters(control))
    lines = body_lines(parsed)
    assert parsed.sources["body"] == "generic"
    assert len([line for line in lines if "番目。" in line]) == 4
    assert not any(c in (parsed.article.body or "") for c in "\x08\x1b")


def test_control_characters_leave_markup_fields_clean() -> None:
    html = page(entry_content("<p>本文\x01の段落&#x7;。</p>"), headline="見出し\x08です")
    parsed = parse(html)
    assert parsed.article.headline == "見出しです"
    assert body_lines(parsed) == ["本文の段落。"]


# --- size -----------------------------------------------------------------------------------


def test_a_nine_megabyte_page_parses_to_a_bounded_article() -> None:
    html = hostile.nine_megabytes()
    count = hostile.big_page_count()
    assert len(html.encode()) > hostile.BIG_PAGE_BYTES
    parsed = parse(html)
    assert parsed.is_article
    assert parsed.article.headline == HEADLINE
    assert (parsed.article.body or "").split("\n") == [PARAGRAPH] * count
    assert len(parsed.article.related) == 2 * MAX_LINKS_PER_BLOCK
    assert "links_capped" in parsed.problems


def test_nine_megabytes_of_distinct_paragraphs_keep_every_line() -> None:
    parsed = parse(hostile.nine_megabytes_distinct())
    assert body_lines(parsed) == hostile.distinct_paragraphs()


def test_a_big_deep_page_without_metadata_parses() -> None:
    """Visible-text fallbacks (date line, comment count) read a block only as far as needed:
    on 400 nested blocks around 2 MB of text, reading each block whole is 800 MB of text."""
    parsed = parse(hostile.big_deep_generic())
    assert parsed.is_article
    assert parsed.article.comment_count is None and parsed.article.date_published is None
    assert body_lines(parsed) == [f"{PARAGRAPH}{n}" for n in range(hostile.BIG_DEEP_PARAGRAPHS)]

"""Each field function alone, on a fresh page: value and source, against the fixtures' truth."""

from __future__ import annotations

import pytest
from fixture_io import FIXTURES, load_case

from newscrawl.pages import article as fields
from newscrawl.pages.page import Found, Page
from newscrawl.urls import Site


def fresh_page(case: str) -> tuple[Page, dict[str, object]]:
    response, meta, expected = load_case(FIXTURES / "article" / case)
    return Page(response, Site(meta["site"])), expected


@pytest.mark.parametrize("name", ["headline", "summary", "authors", "date_published",
                                  "date_modified", "category", "tags", "images", "credits",
                                  "language", "comment_count", "related", "canonical_url",
                                  "article_id"])
def test_each_field_alone_gives_the_expected_value(name: str) -> None:
    page, expected = fresh_page("canonical_full")
    found = fields.FIELDS[name](page)  # the only field computed on this page
    assert isinstance(found, Found)
    assert found.value == expected[name]
    assert found.source is not None


def test_fields_say_where_their_value_came_from() -> None:
    page, _ = fresh_page("canonical_full")
    assert fields.headline(page).source == "markup"
    assert fields.date_published(page).source == "jsonld"
    page, _ = fresh_page("text_variations")
    assert fields.date_published(page) == Found("2025-12-01T08:05:00+09:00", "markup")
    assert fields.authors(page) == Found(["梶原圭介", "織田昌大"], "markup")
    assert fields.comment_count(page) == Found(None, None)
    page, _ = fresh_page("theme_b")
    assert fields.body(page).source == "generic"
    assert fields.summary(page).source == "text"


def test_a_field_is_computed_once_per_page() -> None:
    page, _ = fresh_page("canonical_full")
    first = fields.related(page)
    assert fields.related(page) is first


def test_nested_comment_counts_are_read_in_document_order() -> None:
    from scrapy.http import HtmlResponse

    html = ('<html><body><section class="comments"><h2>コメント<span class="count">件数'
            '<span class="count">7</span>3</span></h2></section></body></html>')
    url = "http://127.0.0.1:8765/ja/report/article/5"
    page = Page(HtmlResponse(url=url, body=html.encode(), encoding="utf-8"),
                Site("http://127.0.0.1:8765/ja/"))
    assert fields.comment_count(page) == Found(7, "markup")

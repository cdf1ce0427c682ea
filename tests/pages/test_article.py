"""The article parser against hand-written fixture pages, field by field."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fixture_io import fixture_cases, load_case

from newscrawl.pages.article import parse_article
from newscrawl.text import clean_body
from newscrawl.urls import Site

CASES = fixture_cases("article")
SPECIAL = {"body_must_not_contain", "sources", "is_article"}
ALWAYS_OUT = ("メインメニューへスキップ", "メインコンテンツへスキップ", "コメント", "0 / 300",
              "@fastviewkorea", "関連記事")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_article_fields(case: Path) -> None:
    response, meta, expected = load_case(case)
    parsed = parse_article(response, Site(meta["site"]))
    fields = dataclasses.asdict(parsed.article)
    fields["body"] = clean_body(fields["body"] or "").body
    assert parsed.is_article is expected.get("is_article", True)
    for name, value in expected.items():
        if name in SPECIAL:
            continue
        assert fields[name] == value, name
    for name, source in expected.get("sources", {}).items():
        assert parsed.sources.get(name) == source, name
    for text in (*ALWAYS_OUT, *expected.get("body_must_not_contain", [])):
        assert text not in fields["body"], text


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_clean_body_is_idempotent_on_parsed_body(case: Path) -> None:
    response, meta, _ = load_case(case)
    body = parse_article(response, Site(meta["site"])).article.body or ""
    once = clean_body(body).body
    assert clean_body(once).body == once


def test_inline_credits_are_in_article_credits() -> None:
    response, meta, _ = load_case(next(c for c in CASES if c.name == "credit_forms"))
    parsed = parse_article(response, Site(meta["site"]))
    cleaned = clean_body(parsed.article.body or "")
    assert set(cleaned.credits) <= set(parsed.article.credits)


def test_undeclared_encodings_decode() -> None:
    for case in CASES:
        response, meta, expected = load_case(case)
        if "encoding" not in meta:
            continue
        parsed = parse_article(response, Site(meta["site"]))
        assert parsed.article.headline == expected["headline"], case.name


def test_page_without_article_markup_is_not_an_article() -> None:
    from scrapy.http import HtmlResponse

    html = (
        '<html lang="ja"><head><meta property="og:type" content="website">'
        '<link rel="canonical" href="http://127.0.0.1:8765/ja/"></head>'
        '<body><section class="latest"><ul><li><a href="/ja/report/article/5">見出し</a></li>'
        "</ul></section></body></html>"
    )
    response = HtmlResponse(url="http://127.0.0.1:8765/ja/", body=html.encode(),
                            encoding="utf-8")
    parsed = parse_article(response, Site("http://127.0.0.1:8765/ja/"))
    assert parsed.is_article is False
    assert parsed.article.related[0]["block"] == "latest"

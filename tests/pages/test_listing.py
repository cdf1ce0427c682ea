"""Listing parsers: home, category and the rendered ranking page."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_io import fixture_cases, load_case
from scrapy.http import HtmlResponse

from newscrawl.pages.listing import page_kind, parse_listing
from newscrawl.urls import Site

SITE = Site("http://127.0.0.1:8765/ja/")
LISTINGS = fixture_cases("listing")


@pytest.mark.parametrize("case", LISTINGS, ids=[c.name for c in LISTINGS])
def test_listing_fixture(case: Path) -> None:
    response, meta, expected = load_case(case)
    site = Site(meta["site"])
    assert page_kind(response.url, site) == expected["page_kind"]
    assert parse_listing(response, site) == expected["links"]


def test_rendered_ranking_page() -> None:
    html = (
        '<html><body><section class="ranking" data-range="weekly"><h2>ランキング</h2><ol>'
        '<li><span class="rank">1</span><a href="/ja/report/article/7/amp/">一位の記事</a></li>'
        '<li><span class="rank">2</span><a href="/ja/?p=8">二位の記事</a></li>'
        "</ol></section></body></html>"
    )
    response = HtmlResponse(url="http://127.0.0.1:8765/ja/ranking/", body=html.encode(),
                            encoding="utf-8")
    links = parse_listing(response, SITE)
    assert [(link["url"], link["block"], link["position"]) for link in links] == [
        ("http://127.0.0.1:8765/ja/report/article/7", "ranking", 1),
        ("http://127.0.0.1:8765/ja/?p=8", "ranking", 2),
    ]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:8765/ja/", "home"),
        ("http://localhost:8765/ja/", "home"),
        ("http://127.0.0.1:8765/ja/report/article/12", "article"),
        ("http://127.0.0.1:8765/ja/?p=12", "article"),
        ("http://127.0.0.1:8765/ja/report/", "category"),
        ("http://127.0.0.1:8765/ja/report/page/4/", "category"),
        ("http://127.0.0.1:8765/ja/ranking/", "ranking"),
        ("http://127.0.0.1:8765/ja/tag/abc/", "other"),
        ("http://127.0.0.1:8765/ja/?s=x", "other"),
        ("https://example.org/ja/report/", "other"),
    ],
)
def test_page_kind(url: str, kind: str) -> None:
    assert page_kind(url, SITE) == kind


@pytest.mark.parametrize("shown", ["9" * 5000, "²", "12345678901"])
def test_a_rank_that_is_no_number_leaves_the_place_in_the_list(shown: str) -> None:
    """A rank too long for ``int`` (over 4,300 digits), a superscript two, or more than nine
    digits: the link keeps its place in the list as its position, and the page still parses."""
    html = (
        '<html><body><section class="ranking"><h2>ランキング</h2><ol>'
        f'<li><span class="rank">{shown}</span><a href="/ja/report/article/7">一位の記事</a></li>'
        '<li><span class="rank">2</span><a href="/ja/report/article/8">二位の記事</a></li>'
        "</ol></section></body></html>"
    )
    response = HtmlResponse(url="http://127.0.0.1:8765/ja/ranking/", body=html.encode(),
                            encoding="utf-8")
    assert [(link["url"], link["position"]) for link in parse_listing(response, SITE)] == [
        ("http://127.0.0.1:8765/ja/report/article/7", 1),
        ("http://127.0.0.1:8765/ja/report/article/8", 2),
    ]


@pytest.mark.parametrize(("shown", "rank"), [
    ('<span class="rank">3</span>', 3),
    ('<span class="rank"> 3 </span>', 3),
    ('<span class="rank">第3位</span>', 3),
    ('<span class="rank">No.12345678901 / 4</span>', 4),
    ('<span class="rank">12345678901</span><span class="top rank">5</span>', 5),
    ('<span class="ranking">3</span>', 1),
])
def test_the_shown_rank_is_the_first_number_that_is_a_count(shown: str, rank: int) -> None:
    """The rank is read from a sibling of class ``rank``: its first run of digits that is a
    count, else the next such sibling's; without one the link keeps its place in the list."""
    html = (
        '<html><body><section class="ranking"><h2>ランキング</h2><ol>'
        f'<li>{shown}<a href="/ja/report/article/7">記事</a></li></ol></section></body></html>'
    )
    response = HtmlResponse(url="http://127.0.0.1:8765/ja/ranking/", body=html.encode(),
                            encoding="utf-8")
    assert [link["position"] for link in parse_listing(response, SITE)] == [rank]

"""Class-index queries give what the same CSS gives through XPath (parsel's translation)."""

from __future__ import annotations

import pytest
from fixture_io import fixture_cases, load_case
from lxml import etree
from parsel.csstranslator import css2xpath

from newscrawl.pages.select import ClassIndex, Query
from newscrawl.pages.tree import parse_html

QUERIES = [
    "a.entry-category, .amp-wp-tax-category a",
    "div.byline .author, .amp-wp-byline .amp-wp-author",
    ".entry-header time, .amp-wp-posted-on time",
    "p.post-date, .post-date, .entry-date, .amp-wp-posted-on",
    "ul.tags a, .amp-wp-tax-tag a",
    "section.comments .count, .comment-count",
    ".x", "p.x", ".x .y", ".x p", "div.y .x, .x span, p.y",
]

#: Classes nested in each other and repeated, alternatives matching out of document order.
TANGLED = """<html><body>
<div class="x y"><p class="y x">1<span class="x">2</span></p>
  <div class="x"><p>3</p><span class="y">4</span></div></div>
<p class=" x\tamp-wp-posted-on "><time datetime="t">5</time></p>
<section class="comments"><span class="count">6<span class="count">7</span></span></section>
<div class="entry-header"><div class="entry-header"><time>8</time></div></div>
<ul class="tags"><li><a class="y">9</a></li></ul><span class="comment-count x">10</span>
<div class="byline"><span class="author">11</span><div class="amp-wp-byline">
<b class="amp-wp-author author">12</b></div></div><p class="post-date entry-date">13</p>
<a class="entry-category">14</a><div class="amp-wp-tax-category"><a>15</a></div>
</body></html>"""


def pages() -> list[tuple[str, etree._Element]]:
    roots = [("tangled", parse_html(TANGLED, "http://example.com/"))]
    for case in fixture_cases("article"):
        response, _, _ = load_case(case)
        roots.append((case.name, parse_html(response.text, response.url)))
    return roots


@pytest.mark.parametrize("css", QUERIES)
def test_a_query_selects_what_xpath_selects(css: str) -> None:
    query, xpath = Query(css), etree.XPath(css2xpath(css))
    for name, root in pages():
        assert query(ClassIndex(root)) == xpath(root), name


@pytest.mark.parametrize("css", ["p", "div > p", ".x + .y", "[href]", ".x:first-child"])
def test_an_unsupported_selector_is_refused(css: str) -> None:
    with pytest.raises(ValueError):
        Query(css)

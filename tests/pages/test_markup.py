"""A page is parsed from its body as it came (or, in another encoding, from its text encoded
once as UTF-8) only when mojibake repair and control stripping would change nothing: the fast
path and the careful one give the same tree."""

from __future__ import annotations

import random

import pytest
from lxml import etree
from scrapy.http import HtmlResponse

from newscrawl.pages.encoding import clean_markup, response_text
from newscrawl.pages.page import Page
from newscrawl.pages.tree import parse_html, strip_controls, text_of
from newscrawl.urls import Site

BASE = "https://www.kangnamtimes.com/ja/news/articleView.html?idxno=101"
SITE = Site("https://www.kangnamtimes.com/ja/")
JA = "冬の港町で開かれた市場に、朝から多くの人が集まった。"
UTF8 = {"Content-Type": "text/html; charset=utf-8"}
SJIS = {"Content-Type": "text/html; charset=Shift_JIS"}


def page(inner: str) -> str:
    return f"<html><head><title>t</title></head><body><p>{inner}</p></body></html>"


CASES: dict[str, tuple[bytes, dict[str, str], bool]] = {
    # name: (body, headers, whether the fast path (clean_markup) takes the page)
    "clean": (page(JA).encode(), UTF8, True),
    "a copyright sign": (page(f"{JA}©写真").encode(), UTF8, True),
    "a photo credit on every photo": (page(f"{JA}©写真" * 8).encode(), UTF8, True),
    "UTF-8 labelled Latin-9": (page(JA).encode(),
                               {"Content-Type": "text/html; charset=iso-8859-15"}, False),
    "surrounding blank lines": (f"\n\n {page(JA)} \n".encode(), UTF8, True),
    "a control character": (page(f"{JA}\x08{JA}").encode(), UTF8, False),
    "a character reference": (page(f"{JA}&#8;{JA}").encode(), UTF8, False),
    "a replacement character": (page(f"{JA}\ufffd").encode(), UTF8, False),
    # mojibake no other encoding reads better: kept as it is, both ways
    "mojibake": (page(JA).encode().decode("latin-1").encode(), UTF8, True),
    "a byte-order mark": (b"\xef\xbb\xbf" + page(JA).encode(), UTF8, False),
    "Shift_JIS labelled UTF-8": (page(JA).encode("cp932"), UTF8, False),
    "Shift_JIS, labelled": (page(JA).encode("cp932"), SJIS, True),
    "Shift_JIS, labelled in a meta tag": (f'<meta charset="Shift_JIS">{page(JA)}'.encode("cp932"),
                                          {"Content-Type": "text/html"}, True),
    "EUC-JP, no label": (page(JA).encode("euc_jp"), {"Content-Type": "text/html"}, True),
    "EUC-JP labelled Shift_JIS": (page(JA).encode("euc_jp"), SJIS, False),
    "Shift_JIS with a control character": (page(f"{JA}\x08{JA}").encode("cp932"), SJIS, False),
    "Shift_JIS with a character reference": (page(f"{JA}&#8;").encode("cp932"), SJIS, False),
    "Shift_JIS, cut in a character": (page(JA).encode("cp932")[:-20] + "港".encode("cp932")[:1],
                                      SJIS, False),
    "Shift_JIS with half-width katakana": (page(f"{JA}ｶﾀｶﾅ").encode("cp932"), SJIS, True),
    "Shift_JIS between ideographic spaces": (f"\u3000{page(JA)}\u3000".encode("cp932"), SJIS,
                                             True),
    "an unknown label": (page(JA).encode(), {"Content-Type": "text/html; charset=x-unknown"},
                         True),
    "an ideographic space at the end": (f"{page(JA)}\u3000".encode(), UTF8, True),
    "a fragment between ideographic spaces": (f"\u3000{JA}<p>{JA}</p>\u3000".encode(), UTF8,
                                              True),
    "empty": (b"", UTF8, True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_body_is_parsed_as_it_came_only_when_that_changes_nothing(name: str) -> None:
    body, headers, clean = CASES[name]
    response = HtmlResponse(BASE, body=body, headers=headers)
    assert (clean_markup(response) is not None) == clean
    careful = parse_html(strip_controls(response_text(response)), BASE)
    parsed = Page(response, Site("https://www.kangnamtimes.com/ja/"))
    assert etree.tostring(parsed.root, encoding="unicode") == etree.tostring(careful,
                                                                            encoding="unicode")
    assert parsed.text == strip_controls(response_text(response))
    if name not in ("empty", "mojibake"):  # double-encoded text cannot be read back
        assert "冬の港町" in etree.tostring(parsed.root, encoding="unicode")


@pytest.mark.parametrize("markup", [
    "<p>本文</p>", "<p></p>", "<p>本文<b>太字</b>後</p>", "<p><!-- 注釈 --></p>",
    "<p>前<!-- 注釈 -->後</p>", "<p>前<br/>後</p>", "<p>&amp;と&lt;</p>",
])
def test_text_of_an_element_is_xpaths_string_value(markup: str) -> None:
    """Childless elements are read from their ``text``, the others by XPath: the same text."""
    element = parse_html(f"<html><body>{markup}</body></html>", BASE).find(".//p")
    assert element is not None
    assert text_of(element) == element.xpath("string()")
    for comment in element.iter(etree.Comment):
        assert text_of(comment) == comment.xpath("string()")


def test_the_byte_check_finds_exactly_the_suspect_characters() -> None:
    """clean_markup looks for suspects in the UTF-8 bytes; every character of the BMP (and a few
    beyond it) is a suspect there exactly when the character class over the text says so."""
    from newscrawl.pages.encoding import _SUSPECT, _has_suspects

    code_points = [*range(0xD800), *range(0xE000, 0x10000), 0x10000, 0x1F600, 0x10FFFF]
    wrong = [hex(c) for c in code_points
             if _has_suspects(f"あ{chr(c)}い".encode()) != bool(_SUSPECT.search(chr(c)))]
    assert wrong == []


HEAD_CASES = {
    "plain": '<html lang="ja"><head><link rel="canonical" href="/ja/a/article/1">'
             '<meta property="og:title" content="題"><script type="application/ld+json">'
             '{"@type": "NewsArticle", "headline": "題"}</script></head><body></body></html>',
    "in the body, twice": '<html><head><link rel="canonical"><link rel="shortlink" href="?p=2">'
                          '</head><body><link rel="canonical" href="/ja/b/article/3">'
                          '<link rel="canonical" href="/ja/b/article/4"><meta name="author" '
                          'content=""><meta name="x"><script type="application/ld+json">{"@type":'
                          ' "WebPage"}</script><script type="application/ld+json">{"@type": '
                          '"NewsArticle", "name": "二"}</script></body></html>',
    "near misses": '<html LANG="ja"><head><link rel="Canonical" href="/x"><link rel="canonical '
                   'shortlink" href="/y"><script type="application/ld+json; charset=utf-8">'
                   '{"@type": "NewsArticle"}</script><script type="application/ld+json">'
                   '</script></head><body lang="ko"><h1 class="x entry-title">見出し</h1>'
                   '<ul class="entry-summary"><li>要点</li><li>二</li></ul>'
                   '<div class="entry-contents"></div><div class="a\tentry-content">本文</div>'
                   '</body></html>',
    "nothing": '<!-- only a comment -->',
    "fragment": '<p lang="ja">本文</p><meta content="c" property="og:type">',
}


@pytest.mark.parametrize("name", list(HEAD_CASES))
def test_head_elements_answer_as_the_xpath_queries_do(name: str) -> None:
    """Page reads <link>, <meta>, <script> from one walk and class-led queries from its class
    index; each answer is the one the XPath query over the whole page gives."""
    from newscrawl.pages.article import headline, language, summary
    from newscrawl.pages.structured import collect_meta, find_article

    response = HtmlResponse(BASE, body=HEAD_CASES[name].encode(), headers=UTF8)
    parsed = Page(response, Site("https://www.kangnamtimes.com/ja/"))
    root = parsed.root

    def xpath(query: str) -> list[etree._Element]:
        return list(etree.XPath(query, smart_strings=False)(root))

    for rel in ("canonical", "shortlink"):
        assert parsed.link_href(rel) == next(iter(xpath(f"//link[@rel='{rel}']/@href")), None)
    assert parsed.meta == collect_meta(xpath("//meta[@content]"))
    assert parsed.jsonld == find_article(
        xpath("//script[@type='application/ld+json']/text()"))[0]
    body = xpath("//div[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]")
    assert parsed.body_container is next(iter(body), None)
    lang = next(iter(xpath("/html/@lang")), None)
    assert language(parsed).value == (lang or None)
    h1 = xpath("//h1[contains(concat(' ', normalize-space(@class), ' '), ' entry-title ')]")
    if h1:
        assert headline(parsed).value == text_of(h1[0])
    items = xpath("//ul[contains(concat(' ', normalize-space(@class), ' '), ' entry-summary ')]"
                  "//li")
    if items:
        assert summary(parsed).value == [text_of(li) for li in items]


def test_the_fast_path_gives_the_careful_trees_on_generated_pages() -> None:
    """2,000 pages of Japanese text with photo credits, controls, character references,
    half-width kana, private use, BOMs and Unicode spaces, in five encodings under eight
    labels (none, right, wrong, unknown): wherever the fast path takes a page, its tree is
    the careful path's."""
    rng = random.Random(11)
    bits = [JA, "©写真", "\x08", "&#8;", "&amp;", "ｶﾀｶﾅ", "\ufffd", "é", "\u3000", "\ue000",
            "（）！", " ", "\n", "abc", "<b>x</b>", "\ufeff"]
    labels = [None, "utf-8", "Shift_JIS", "EUC-JP", "iso-8859-15", "x-unknown", "windows-1252",
              "utf-16"]
    taken = 0
    for _ in range(2000):
        inner = "".join(rng.choice(bits) for _ in range(rng.randint(1, 30)))
        html = (rng.choice(["", "\n ", "\u3000", "\ufeff"]) + page(inner)
                + rng.choice(["", " \n", "\u3000"]))
        body = html.encode(rng.choice(["utf-8", "cp932", "euc_jp", "latin-1", "utf-16"]),
                           errors="replace")
        label = rng.choice(labels)
        headers = {"Content-Type": "text/html" + (f"; charset={label}" if label else "")}
        careful = parse_html(strip_controls(response_text(HtmlResponse(BASE, body=body,
                                                                        headers=headers))), BASE)
        response = HtmlResponse(BASE, body=body, headers=headers)
        taken += clean_markup(response) is not None
        parsed = Page(HtmlResponse(BASE, body=body, headers=headers), SITE)
        assert etree.tostring(parsed.root, encoding="unicode") == etree.tostring(
            careful, encoding="unicode"), (body[:120], headers)
    assert taken > 200  # the fast path took a share of them

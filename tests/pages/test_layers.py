"""The layers below the theme's own markup, each on a hand-made page of a theme the parser
was not written for: structured data (JSON-LD ``articleBody``, microdata), the generic main
container, trafilatura and the last resort, the visible-text fields and the link lists."""

from __future__ import annotations

import json

import pytest
from lxml.html import HTMLParser
from scrapy.http import HtmlResponse

from newscrawl.pages.article import ParsedArticle, parse_article
from newscrawl.pages.generic import main_containers, prune
from newscrawl.pages.page import Page
from newscrawl.pages.tree import parse_html, text_of
from newscrawl.text import clean_body
from newscrawl.urls import Site

BASE = "http://127.0.0.1:8765/ja/"
URL = f"{BASE}life/article/700100"
SITE = Site(BASE)
HEADLINE = "港町の朝市、冬も毎週日曜に"
PARAGRAPHS = [
    "川沿いの古い倉庫で開かれてきた朝市が、今年は冬の間も休まず続くことになった。",
    "主催する商店会によると、昨年の冬に休んだ間、常連客から再開を望む声が多く寄せられた。",
    "出店者の半分ほどは近くの農家で、朝どれの野菜や干物が並ぶ。",
    "商店会の会長は「寒い朝でも温かい汁物を用意して待っている」と話した。",
]
MORE = [
    "冬の間は開始時間を一時間遅らせ、午前八時から正午までとする。",
    "雨や雪の日は倉庫の中に売り場を移し、通路には滑り止めを敷くという。",
    "近くの小学校の児童が描いた案内板も、今月から入り口に飾られている。",
    "商店会は来年の春に、朝市の十周年を祝う催しを開く予定だ。",
]


def parse(body: str, head: str = "", url: str = URL) -> ParsedArticle:
    html = ('<html lang="ja"><head><meta charset="utf-8">'
            f'<title>{HEADLINE} | ハーバー通信</title><link rel="canonical" href="{url}">'
            f'<meta property="og:site_name" content="ハーバー通信">{head}</head>'
            f"<body>{body}</body></html>")
    response = HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")
    return parse_article(response, SITE)


def body_lines(parsed: ParsedArticle) -> list[str]:
    return clean_body(parsed.article.body or "").body.split("\n")


def link(n: int) -> str:
    return f'<a href="{BASE}report/article/{700200 + n}">港の話題その{n}</a>'


# --- structured data ------------------------------------------------------------------------


def test_an_impossible_date_in_json_ld_gives_way_to_the_next_layer() -> None:
    """An offset of a day (``+24:00``) is no date: the page is still an article, and its date
    comes from the ``<meta>`` tag."""
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": HEADLINE,
          "datePublished": "2024-03-05T07:30:00+24:00"}
    head = (f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
            '<meta property="article:published_time" content="2024-03-05T07:30:00+09:00">')
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    parsed = parse(f"<main><h1>{HEADLINE}</h1><article>{paragraphs}</article></main>", head)
    assert parsed.is_article
    assert parsed.article.date_published == "2024-03-05T07:30:00+09:00"
    assert parsed.sources["date_published"] == "meta"


def test_microdata_gives_the_body_and_the_fields() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    body = (
        '<div class="frame"><div itemscope itemtype="https://schema.org/NewsArticle">'
        f'<h1 itemprop="headline">{HEADLINE}</h1>'
        '<time itemprop="datePublished" datetime="2024-03-05T07:30:00+09:00">3月5日</time>'
        '<meta itemprop="dateModified" content="2024-03-05T09:00:00+09:00">'
        '<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
        '<span itemprop="name">杉本遥</span></span>'
        '<span itemprop="articleSection">暮らし</span>'
        '<meta itemprop="keywords" content="朝市,港町">'
        '<div itemprop="description">冬も休まず開催<br>常連客の声に応える</div>'
        f'<div itemprop="articleBody">{paragraphs}<div class="box"><p>広告</p>'
        '<div class="slot"></div></div><p>（杉本遥記者 sugimoto@example.jp）</p></div>'
        '<span itemprop="commentCount">4</span></div></div>'
    )
    parsed = parse(body)
    article = parsed.article
    assert body_lines(parsed) == PARAGRAPHS
    assert (article.authors, article.category, article.tags) == (["杉本遥"], "暮らし",
                                                                  ["朝市", "港町"])
    assert article.summary == ["冬も休まず開催", "常連客の声に応える"]
    assert (article.date_published, article.date_modified) == (
        "2024-03-05T07:30:00+09:00", "2024-03-05T09:00:00+09:00")
    assert article.comment_count == 4
    for name in ("body", "authors", "summary", "date_published", "category", "tags",
                 "comment_count"):
        assert parsed.sources[name] == "microdata", name


def test_json_ld_article_body_finds_the_block_that_prints_it() -> None:
    ld = {"@type": "NewsArticle", "headline": HEADLINE, "articleBody": " ".join(PARAGRAPHS)}
    head = f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    printed = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    parsed = parse(f'<div class="top"><h1>{HEADLINE}</h1><div class="x">{printed}</div>'
                   '<div class="side"><p>おすすめの記事はこちら</p></div></div>', head)
    assert parsed.sources["body"] == "jsonld"
    assert body_lines(parsed) == PARAGRAPHS  # the block's paragraphs, not one long line
    alone = parse(f"<h1>{HEADLINE}</h1><p>本文はスクリプトで表示します。</p>", head.replace(
        " ".join(PARAGRAPHS), "\\n".join(PARAGRAPHS)))
    assert alone.sources["body"] == "jsonld" and body_lines(alone) == PARAGRAPHS


def test_json_ld_author_references_are_resolved() -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "NewsArticle", "headline": HEADLINE,
         "author": [{"@id": f"{BASE}#/person/1"}, {"@id": f"{BASE}#/person/2"}]},
        {"@type": "Person", "@id": f"{BASE}#/person/1", "name": "杉本遥"},
        {"@type": "Person", "@id": f"{BASE}#/person/2", "name": "小林航"},
    ]}
    head = f'<script type="application/ld+json">{json.dumps(graph, ensure_ascii=False)}</script>'
    parsed = parse(f"<h1>{HEADLINE}</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS), head)
    assert parsed.article.authors == ["杉本遥", "小林航"]
    assert parsed.sources["authors"] == "jsonld"


# --- the generic layer ----------------------------------------------------------------------


def test_paragraphs_split_by_double_breaks_in_a_bare_block() -> None:
    """An old table layout: the body is a classless <div> of text runs; a photo in a small
    table with its credit in the next row; a [PR] text ad; ■ link lists after the body."""
    runs = "<br><br>".join([
        PARAGRAPHS[0], PARAGRAPHS[1],
        '<table><tr><td><img src="/ja/img/1.jpg"></td></tr>'
        '<tr><td><font size="-2">写真：商店会</font></td></tr></table>',
        '<font size="-2">[PR]</font> <a href="https://ad.example.invalid/">冬の港町フェア</a>',
        f"<b>{PARAGRAPHS[2]}</b>", PARAGRAPHS[3]])
    lists = "".join(f"・{link(n)}<br>" for n in range(4))
    body = (f'<table><tr><td width="150"><a href="{BASE}life/">暮らし</a></td><td>'
            f"<h2>{HEADLINE}</h2><p><b>冬も休まず開催<br>常連客の声に応える</b></p>"
            f"<div>{runs}</div><p>（文・杉本遥）</p><p>■関連記事<br>{lists}</p></td></tr></table>")
    parsed = parse(body)
    assert parsed.sources["body"] == "generic"
    assert body_lines(parsed) == PARAGRAPHS
    assert parsed.article.images == [{"url": f"{BASE}img/1.jpg", "credit": "商店会"}]
    assert parsed.article.summary == ["冬も休まず開催", "常連客の声に応える"]
    assert parsed.article.authors == ["杉本遥"]
    related = [(r["block"], r["position"]) for r in parsed.article.related]
    assert related == [("related", n + 1) for n in range(4)]


def test_a_body_split_around_a_read_more_button_is_one_body() -> None:
    first = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    rest = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:] + MORE)
    body = (f'<div class="art"><h1>{HEADLINE}</h1><p class="when">» 2024年03月05日 07時30分 公開'
            '</p><div class="art-points"><p>この記事のポイント</p><ul><li>冬も休まず開催</li>'
            '<li>常連客の声に応える</li></ul></div>'
            f'<div class="txt">{first}</div><div class="more"><button>続きを読む</button></div>'
            f'<div class="txt folded">{rest}</div>'
            '<div class="member"><p>会員登録（無料）で港町の特集をお届けします。</p></div></div>')
    parsed = parse(body)
    assert parsed.sources["body"] == "generic"
    assert body_lines(parsed) == PARAGRAPHS + MORE
    assert parsed.article.summary == ["冬も休まず開催", "常連客の声に応える"]
    assert parsed.article.date_published == "2024-03-05T07:30:00+09:00"


def test_link_blocks_boilerplate_blocks_and_link_lines_stay_out_of_the_body() -> None:
    cards = "".join(f"<div>▶ {link(n)}</div>" for n in range(3))
    body = (f'<main><h1>{HEADLINE}</h1><div class="content"><p>{PARAGRAPHS[0]}</p>'
            f'<div class="cards"><p>関連リンク</p>{cards}</div><p>{PARAGRAPHS[1]}</p>'
            '<div class="promo"><p>スポンサーリンク</p><ins class="slot"></ins></div>'
            f"<p>・{link(9)}</p><p>{PARAGRAPHS[2]}</p>"
            '<div class="sns"><p>この記事をシェアする</p><a href="https://x.example/">ポスト</a>'
            f'</div><p>{PARAGRAPHS[3]}</p></div></main>')
    parsed = parse(body)
    assert (parsed.article.body or "").split("\n") == PARAGRAPHS  # left out by the parser
    assert {r["block"] for r in parsed.article.related} == {"inline"}


def test_pruning_keeps_an_element_that_holds_most_of_the_text() -> None:
    """Broken markup: a <form> (or a share wrapper) that encloses the whole article."""
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    tree = parse_html(f"<html><body><nav>メニュー</nav><form>{paragraphs}</form>"
                      "<form><input>検索</form></body></html>", URL, HTMLParser)
    prune(tree)
    assert [e.tag for e in tree.iter("form")] == ["form"]
    assert all(p in text_of(tree) for p in PARAGRAPHS) and "メニュー" not in text_of(tree)


def test_the_main_container_is_the_block_with_the_most_paragraph_text() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    side = "".join(f"<li>{link(n)}（暮らし）</li>" for n in range(12))
    tree = parse_html(f"<html><body><div class='a'><p>{HEADLINE}</p><p>冬も休まず開催</p></div>"
                      f"<div class='b'>{paragraphs}</div><ul class='c'>{side}</ul>"
                      "</body></html>", URL)
    found = main_containers(tree)
    assert [e.get("class") for e in found] == ["b"]


def test_a_page_with_nothing_recognisable_still_gets_a_body() -> None:
    """No paragraph block, no class, no metadata: the page's own text is the body."""
    parsed = parse("<span>港町の朝市</span><span>冬も毎週日曜に開かれる</span>")
    assert parsed.article.body and "冬も毎週日曜に開かれる" in parsed.article.body
    assert parsed.sources["body"] == "generic"


# --- visible-text fields --------------------------------------------------------------------


def test_summary_lines_under_a_label_and_as_a_run_of_paragraphs() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    labelled = parse(f'<div class="head"><h2>{HEADLINE}</h2><p>カテゴリ：'
                     f'<a href="{BASE}life/">暮らし</a></p></div><div class="lead">'
                     "【この記事の要点】<br>冬も休まず開催<br>常連客の声に応える<br>温かい汁物も"
                     f'</div><div class="text">{paragraphs}</div>')
    assert labelled.article.summary == ["冬も休まず開催", "常連客の声に応える", "温かい汁物も"]
    run = parse(f'<article><h1>{HEADLINE}</h1><div class="meta"><time>2024/03/05 07:30</time></div>'
                '<div class="sum"><p>冬も休まず開催</p><p>常連客の声に応える</p></div>'
                f'<div class="text">{paragraphs}</div></article>')
    assert run.article.summary == ["冬も休まず開催", "常連客の声に応える"]
    assert run.sources["summary"] == "text"


def test_short_body_paragraphs_are_not_a_summary() -> None:
    parsed = parse(f"<main><h1>{HEADLINE}</h1><p>朝市は続く。</p><p>冬も開かれる。</p></main>")
    assert parsed.article.summary == []
    assert body_lines(parsed) == ["朝市は続く。", "冬も開かれる。"]


def test_bylines_and_author_boxes() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    portal = parse(f"<h1>{HEADLINE}</h1><p>［杉本遥・小林航，ハーバー通信］</p>{paragraphs}")
    assert portal.article.authors == ["杉本遥", "小林航"]
    footer = parse(f'<h2>{HEADLINE}</h2><div class="t">{paragraphs}</div><div class="f">'
                   '<span>投稿者：<a href="/u/1">杉本遥</a></span> <span>07:30</span> '
                   '<span>タグ：朝市</span></div>')
    assert footer.article.authors == ["杉本遥"]
    box = parse(f'<h1>{HEADLINE}</h1><div class="t">{paragraphs}</div><div class="who">'
                '<p>この記事を書いた人</p><a href="/u/1">杉本遥</a><a href="/u/2">小林航</a>'
                "<p>sugimoto@example.jp</p></div>")
    assert box.article.authors == ["杉本遥", "小林航"]
    assert box.sources["authors"] == "text"


def test_machine_readable_and_visible_dates() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    hatom = parse(f'<h1>{HEADLINE}</h1><abbr class="entry-published" title="2024-03-05T07:30:00'
                  '+09:00">3月5日</abbr><abbr class="entry-updated" title="2024-03-06T10:00:00'
                  f'+09:00">10:00</abbr>{paragraphs}')
    assert (hatom.article.date_published, hatom.article.date_modified) == (
        "2024-03-05T07:30:00+09:00", "2024-03-06T10:00:00+09:00")
    context = parse(f'<h1>{HEADLINE}</h1><p><time datetime="2024-03-05T07:30:00+09:00">3/5</time>'
                    '<span>（更新 <time datetime="2024-03-06T10:00:00+09:00">3/6</time>）</span>'
                    f"</p>{paragraphs}")
    assert context.article.date_modified == "2024-03-06T10:00:00+09:00"
    after = parse(f"<h1>{HEADLINE}</h1><div><span>2024年03月05日 07時30分</span>"
                  f"<span>（2024年03月06日 10時00分 更新）</span> 杉本遥</div>{paragraphs}")
    assert (after.article.date_published, after.article.date_modified) == (
        "2024-03-05T07:30:00+09:00", "2024-03-06T10:00:00+09:00")
    lines = parse(f"<h1>{HEADLINE}</h1><p>» 2024年03月05日 07時30分 公開</p>"
                  f"<p>» 2024年03月06日 10時00分 更新</p>{paragraphs}")
    assert lines.article.date_modified == "2024-03-06T10:00:00+09:00"


def test_visible_comment_counts() -> None:
    for shown, count in (("コメント(4)", 4), ("この記事へのコメント（12件）", 12),
                         ("コメント 3件", 3)):
        parsed = parse(f"<h1>{HEADLINE}</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
                       + f'<p><a href="#c">{shown}</a></p>')
        assert parsed.article.comment_count == count, shown


@pytest.mark.parametrize(("markup", "count"), [
    ('<section class="comments"><span class="count">7</span><span class="comment-count">12'
     "</span></section>", 7),
    ('<section class="comments"><span class="comment-count">12</span><span class="count">7'
     "</span></section>", 12),
    ('<section class="comments"><span class="comment-count"><span class="count">7</span>12'
     "</span></section>", 7),
    ('<section class="comments"><span class="comment-count">件<span class="count">x</span>12'
     "</span></section>", 12),
])
def test_the_theme_comment_count_is_its_first_count_in_page_order(markup: str,
                                                                 count: int) -> None:
    """The count elements' first all-digit text in page order, also when one count element
    sits inside another (their texts interleave)."""
    parsed = parse(f"<h1>{HEADLINE}</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + markup)
    assert (parsed.article.comment_count, parsed.sources["comment_count"]) == (count, "markup")


@pytest.mark.parametrize("shown", ["²", "9" * 5000, "1234567890", "-3"])
def test_a_comment_count_that_is_no_number_is_no_count(shown: str) -> None:
    """A count element holding a superscript two (a digit to ``str.isdigit``, not to ``int``),
    a run too long for ``int`` or more than nine digits, in the theme's markup and in
    JSON-LD: the page parses, and the next layer's count (the visible line) is taken."""
    for count in (shown, int(shown) if len(shown) < 4000 and shown.lstrip("-").isdecimal()
                  else shown):  # in JSON-LD as a string, and as a number where it is one
        ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": HEADLINE,
              "commentCount": count}
        head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        parsed = parse(f"<h1>{HEADLINE}</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
                       + f'<span class="comment-count">{shown}</span><p>コメント(4)</p>', head)
        assert parsed.is_article
        assert (parsed.article.comment_count, parsed.sources["comment_count"]) == (4, "text")


# --- link lists -----------------------------------------------------------------------------


def test_links_and_photos_urllib_cannot_read_cost_themselves_only() -> None:
    """A link, a photo and a JSON-LD image whose host is a bracket left open (urllib raises on
    them): the page parses, and the good link and photo beside them are kept."""
    bad = "http://[::1"
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": HEADLINE,
          "image": [f"{bad}/ld.jpg"]}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    body = (f"<h1>{HEADLINE}</h1><article>{paragraphs}"
            f'<figure><img src="{bad}/a.jpg"></figure><figure><img src="/img/b.jpg"></figure>'
            "</article><aside><h2>関連記事</h2><ul>"
            + "".join(f"<li>{link(n)}</li>" for n in range(3))
            + f'<li><a href="{bad}/ja/report/article/700299">壊れた記事</a></li></ul></aside>')
    parsed = parse(body, head)
    assert parsed.is_article
    assert [image["url"] for image in parsed.article.images or []] == [
        "http://127.0.0.1:8765/img/b.jpg"]
    assert [ref["url"] for ref in parsed.article.related or []] == [
        f"{BASE}report/article/{700200 + n}" for n in range(3)]


def test_link_lists_are_found_by_url_shape_and_named_by_their_heading() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    ranked = "".join(f"<li>{n + 1}. {link(n)} [暮らし]</li>" for n in range(5))
    plain = "".join(f"<li>{link(10 + n)}</li>" for n in range(4))
    unheaded = "".join(f"<dd>{link(20 + n)}</dd>" for n in range(3))
    menu = "".join(f'<li><a href="{BASE}{slug}/">{slug}</a></li>' for slug in ("life", "report"))
    body = (f'<ul class="menu">{menu}</ul><h1>{HEADLINE}</h1><div class="text">{paragraphs}</div>'
            f'<div class="box"><h3>編集部のおすすめ</h3><ol>{ranked}</ol></div>'
            f'<div class="box"><h3>関連記事</h3><ul>{plain}</ul></div><dl>{unheaded}</dl>')
    parsed = parse(body)
    blocks = [link_ref["block"] for link_ref in parsed.article.related]
    assert blocks == ["recommend"] * 5 + ["related"] * 7
    assert [r["position"] for r in parsed.article.related][:5] == [1, 2, 3, 4, 5]


def test_page_object_exposes_the_learned_layers() -> None:
    """The parsed page is handed back for the template learner, with its layout."""
    parsed = parse(f"<h1>{HEADLINE}</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS))
    assert isinstance(parsed.page, Page) and parsed.page.skeleton

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from collections import deque
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from parsel import Selector

from tests.records import TruthRecord

from .helpers import fetch

ARTICLE_PATH = re.compile(r"/ja/[a-z]+/article/(\d+)")
SKIPS = ["メインメニューへスキップ(上段)", "メインコンテンツへスキップ",
         "メインメニューへスキップ(下段)"]


def _decode(body: bytes, headers: dict[str, str], record: TruthRecord) -> str:
    return body.decode(record["encoding"])


def _visible_text(page: str) -> str:
    text = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text.replace("\u200b", "").replace("\ufeff", "").replace("\xa0", " ")


def test_every_block_on_every_article_page(base_url: str, truth: list[TruthRecord]) -> None:
    for record in truth:
        status, headers, body, _ = fetch(record["canonical_url"])
        assert status == 200
        page = _decode(body, headers, record)
        sel = Selector(text=page)
        var = set(record["variations"])
        assert [t.strip() for t in sel.css("a.skip::text").getall()] == SKIPS
        assert sel.css("title::text").get() == f"{record['headline']} | KANGNAM TIMES"
        assert sel.css('link[rel="canonical"]::attr(href)').get() == record["canonical_url"]
        assert sel.css('link[rel="amphtml"]::attr(href)').get()
        assert sel.css('link[rel="shortlink"]::attr(href)').get("").endswith(
            f"?p={record['article_id']}")
        assert sel.css('meta[property="og:title"]::attr(content)').get() == record["headline"]
        has_meta = not var & {"no_article_meta", "date_text_only"}
        has_ld = not var & {"no_jsonld", "date_text_only"}
        assert bool(sel.css('meta[property="article:published_time"]')) == has_meta
        lds = sel.css('script[type="application/ld+json"]::text').getall()
        assert len(lds) == int(has_ld)
        if has_ld:
            ld = json.loads(lds[0])
            assert ld["@type"] == "NewsArticle" and ld["headline"] == record["headline"]
            assert ld["datePublished"] == record["date_published"]
        if "date_text_only" in var:
            assert sel.css("p.post-date")
        if "theme_b" in var:
            assert not sel.css("[class*=entry-], .byline")
            assert sel.css("div.post h1::text").get() == record["headline"]
            assert len(sel.css("ul.lead li")) == 3
        else:
            assert sel.css("h1.entry-title::text").get() == record["headline"]
            assert sel.css("a.entry-category::text").get() == record["category"]
            assert sel.css("div.byline span.author::text").get() == "・".join(record["authors"])
            assert sel.css("div.byline a::text").get() == "アクセス"
            assert sel.css("ul.entry-summary li::text").getall() == record["summary"]
            assert bool(sel.css("div.reporter")) == ("reporter_in_body" not in var)
        assert "@fastviewkorea.com" in page
        comments = sel.css("section.comments")
        assert comments and "0 / 300" in comments.get("")
        assert len(comments.css("span.count")) == 2
        assert sel.css("section.comments").xpath("string()").get("").count("コメント") >= 2
        ranking = sel.css("section.ranking[data-range=daily]")
        assert ranking.attrib["data-endpoint"] and not ranking.css("ol li")
        assert sel.css('script[src$="ranking.js"]')
        related = sel.css("section.related")
        assert len(related) == 2 and all(len(r.css("ul li a")) == 8 for r in related)
        assert related[0].css("h2::text").get() == "こんな記事も読まれています"
        for name, title in (("recommend", "おすすめニュース"), ("topics", "話題")):
            block = sel.css(f"section.{name}")
            assert block.css("h2::text").get() == title
            assert block.css("li span.rank::text").getall() == ["1", "2", "3", "4", "5"]
            assert len(block.css("li span.label")) == 5
        text = _visible_text(page)
        for line in record["body"].split("\n"):
            assert line in text, (record["article_id"], line)
        for image in record["images"]:
            assert image["url"] in page
            if image["credit"]:
                assert page.count(image["credit"]) >= 2
        if "dup_paragraph" in var:
            assert re.search(r"(<p>[^<]{8,}.*?</p>)\1", page, flags=re.S) or "<p>" in page


def test_amp_form(truth: list[TruthRecord]) -> None:
    for record in truth[::10]:
        status, headers, body, _ = fetch(record["canonical_url"] + "/amp/")
        assert status == 200 and "utf-8" in headers["content-type"]
        sel = Selector(text=body.decode("utf-8"))
        assert sel.css("html[amp]")
        assert sel.css('link[rel="canonical"]::attr(href)').get() == record["canonical_url"]
        assert sel.css("h1.amp-wp-title::text").get() == record["headline"]
        assert sel.css("span.amp-wp-author::text").get() == "・".join(record["authors"])
        assert len(sel.css("amp-img")) == len(record["images"])
        assert len(sel.css("amp-img noscript img")) == len(record["images"])
        assert not sel.css("section.ranking")
        assert not [s for s in sel.css("script::attr(src)").getall() if "ampproject" not in s]


def test_aliases_reach_their_article(truth: list[TruthRecord]) -> None:
    for record in truth[::6]:
        for url in record["aliases"]:
            status, _, body, final = fetch(url, follow=True)
            assert status == 200, url
            page = body.decode(record["encoding"] if "/amp/" not in final else "utf-8")
            canon = Selector(text=page).css('link[rel="canonical"]::attr(href)').get()
            assert canon == record["canonical_url"], url
        status, headers, _, _ = fetch(record["canonical_url"] + "/")
        assert status == 301 and headers["location"] == record["canonical_url"]
        status, headers, _, _ = fetch(record["aliases"][3])
        assert status == 301 and headers["location"] == record["canonical_url"]


def test_ranking_json_matches_truth(base_url: str, truth: list[TruthRecord]) -> None:
    by_id = {r["article_id"]: r for r in truth}
    for range_ in ("daily", "weekly"):
        _, headers, body, _ = fetch(f"{base_url}wp-json/kt/v1/ranking?range={range_}")
        data = json.loads(body)
        assert data["range"] == range_ and len(data["items"]) == 10
        assert "application/json" in headers["content-type"]
        for item in data["items"]:
            assert by_id[item["id"]]["ranking"][range_] == item["rank"]
            assert by_id[item["id"]]["headline"] == item["title"]
            status, _, _, _final = fetch(item["url"], follow=True)
            assert status == 200
        ranked = {r["article_id"] for r in truth if r["ranking"][range_]}
        assert ranked == {i["id"] for i in data["items"]}


def test_declared_charsets(truth: list[TruthRecord]) -> None:
    encoded = [r for r in truth if r["encoding"] != "utf-8"]
    assert encoded
    labels = {"shift_jis": "shift_jis", "euc_jp": "euc-jp", "utf-8": "utf-8"}
    for record in truth:
        _, headers, body, _ = fetch(record["canonical_url"])
        ctype = headers["content-type"].lower()
        head = body[:400].decode("ascii", "replace").lower()
        declared = re.findall(r"charset=([\w-]+)", ctype) + re.findall(
            r'<meta charset="([\w-]+)"', head)
        for label in declared:
            assert label.replace("_", "-") == labels[record["encoding"]].replace("_", "-")
        assert bool(declared) == ("charset_undeclared" not in record["variations"])
        page = body.decode(record["encoding"])
        assert record["headline"] in page
        if record["encoding"] != "utf-8":
            with pytest.raises(UnicodeDecodeError):
                body.decode("utf-8")


def test_conditional_requests(truth: list[TruthRecord]) -> None:
    url = truth[5]["canonical_url"]
    status, headers, body, _ = fetch(url)
    etag, modified = headers["etag"], headers["last-modified"]
    assert status == 200 and int(headers["content-length"]) == len(body)
    assert fetch(url, {"If-None-Match": etag})[0] == 304
    assert fetch(url, {"If-None-Match": '"other"'})[0] == 200
    assert fetch(url, {"If-Modified-Since": modified})[0] == 304
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})[0] == 200


def test_other_pages(base_url: str, truth: list[TruthRecord]) -> None:
    status, _, body, _ = fetch(base_url)
    latest = Selector(text=body.decode()).css("section.latest li a")
    assert status == 200 and len(latest) == 30
    assert fetch(base_url + "no/such/page/")[0] == 404
    assert fetch(base_url + "report/article/1")[0] == 404
    _, _, body, _ = fetch(base_url.replace("/ja/", "/robots.txt"))
    assert b"Disallow: /ja/wp-admin/" in body and b"Disallow: /ja/search/" in body
    status, _, body, _ = fetch(base_url + "report/")
    sel = Selector(text=body.decode())
    assert status == 200 and len(sel.css("section.category-list ul li")) == 20
    more = sel.css("button.load-more")
    assert more and sel.css("a.next::attr(href)").get() == "/ja/report/page/2/"
    endpoint = urljoin(base_url, more.attrib["data-endpoint"])
    data = json.loads(fetch(f"{endpoint}&offset={more.attrib['data-offset']}")[2])
    page2 = Selector(text=fetch(base_url + "report/page/2/")[2].decode())
    titles = page2.css("section.category-list ul li a::text").getall()
    assert [i["title"] for i in data["items"]] == titles[:len(data["items"])]
    assert fetch(base_url + "report/page/99/")[0] == 404
    _, _, body, _ = fetch(base_url + "ranking/")
    assert len(Selector(text=body.decode()).css("main section.ranking ol")) == 2
    js = fetch(base_url + "assets/ranking.js")[2]
    assert b"data-endpoint" in js
    feed = Selector(text=fetch(base_url + "feed/")[2].decode(), type="xml")
    assert len(feed.xpath("//item")) == 30
    index = Selector(text=fetch(base_url + "wp-sitemap.xml")[2].decode(), type="xml")
    maps = index.xpath("//*[local-name()='loc']/text()").getall()
    urls = Selector(text=fetch(maps[0])[2].decode(), type="xml").xpath(
        "//*[local-name()='loc']/text()").getall()
    assert set(urls) == {r["canonical_url"] for r in truth if r["reachable_html"]}
    tag = Selector(text=fetch(truth[0]["canonical_url"])[2].decode(truth[0]["encoding"]))
    tag_url = urljoin(base_url, tag.css("a[href*='/tag/']::attr(href)").get())
    assert fetch(tag_url)[0] == 200
    suffixed = Selector(text=fetch(base_url + "tag/%e8%a9%b1%e9%a1%8c-2/")[2].decode())
    assert suffixed.css("section.tag-list h1::text").get() == "#話題"
    assert fetch(base_url + "tag/%E8%A9%B1%E9%A1%8C-2/")[0] == 200
    image = fetch(truth[1]["images"][0]["url"] if truth[1]["images"] else
                  next(r for r in truth if r["images"])["images"][0]["url"])
    assert image[0] == 200 and image[2][:2] == b"\xff\xd8" and image[2][-2:] == b"\xff\xd9"
    search = Selector(text=fetch(base_url + "?s=test")[2].decode())
    nxt = search.css("a.next::attr(href)").get("")
    assert "page=2" in nxt and fetch(urljoin(base_url, nxt))[0] == 200
    cal = Selector(text=fetch(base_url + "date/2019/01/")[2].decode())
    assert cal.css("a.prev::attr(href)").get() == "/ja/date/2018/12/"
    js_page = next(r for r in truth if "js_comment_count" in r["variations"])
    sel = Selector(text=fetch(js_page["canonical_url"])[2].decode(js_page["encoding"]))
    spans = sel.css("section.comments span.count")
    assert spans and not spans[0].css("::text").get()
    count = json.loads(fetch(urljoin(base_url, spans[0].attrib["data-endpoint"]))[2])["count"]
    assert count == js_page["comment_count"]


def _article_id(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        return None
    m = ARTICLE_PATH.match(parts.path)
    if m:
        return m.group(1)
    if parts.path == "/ja/":
        return parse_qs(parts.query).get("p", [None])[0]
    return None


def _bfs(base_url: str, with_ranking: bool) -> set[str]:
    """Walk home and article pages, following only links to articles."""
    seen: set[str] = set()
    queue: deque[str] = deque([base_url])
    if with_ranking:
        for range_ in ("daily", "weekly"):
            data = json.loads(fetch(f"{base_url}wp-json/kt/v1/ranking?range={range_}")[2])
            queue.extend(item["url"] for item in data["items"])
    fetched: set[str] = set()
    while queue:
        url = queue.popleft()
        key = _article_id(url) or url
        if key in fetched:
            continue
        fetched.add(key)
        status, _headers, body, final = fetch(url, follow=True)
        assert status == 200, url
        if _article_id(final):
            seen.add(_article_id(final) or "")
        text = body.decode("latin-1")
        for href in Selector(text=text).css("a::attr(href)").getall():
            target = urljoin(final, href)
            if _article_id(target) and _article_id(target) not in fetched:
                queue.append(target)
    return seen


def test_reachable_agrees_with_a_plain_walk(base_url: str, truth: list[TruthRecord]) -> None:
    assert _bfs(base_url, True) == {r["article_id"] for r in truth if r["reachable"]}
    html_only = _bfs(base_url, False)
    assert html_only == {r["article_id"] for r in truth if r["reachable_html"]}
    assert any(r["reachable"] and not r["reachable_html"] for r in truth)
    assert any(not r["reachable"] for r in truth)


def test_cli_serve_prints_its_url_first() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "newscrawl.demosite", "serve", "--port", "0", "--articles", "20"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = proc.stdout.readline().rstrip("\n")
        assert re.fullmatch(r"serving http://127\.0\.0\.1:\d+/ja/", line)
        url = line.split()[1]
        assert fetch(url)[0] == 200
        assert fetch(url + "missing")[0] == 404
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    log = proc.stderr.read()
    assert "GET /ja/ 200" in log and "GET /ja/missing 404" in log

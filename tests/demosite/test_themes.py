"""The unfamiliar themes (``--themes``): every truth field on every page, the same truth as
the default site, deterministic choice, AMP forms, and the default left as it was."""

from __future__ import annotations

import collections
import hashlib
import html
import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from parsel import Selector

from newscrawl.demosite.__main__ import main as demosite_main
from newscrawl.demosite.generator import THEMES, DemoSite, parse_themes
from newscrawl.demosite.server import handle
from newscrawl.demosite.themes import NEW_THEMES
from newscrawl.demosite.truth import iter_site_truth, iter_truth
from tests.records import TruthRecord, as_truth

from .helpers import fetch

BASE = "http://127.0.0.1:8765/ja/"
NEW = THEMES[1:]
_HREF_ID = re.compile(r"/article/(\d+)|[?&]p=(\d+)")


def _path(url: str) -> str:
    return url[len("http://127.0.0.1:8765"):]


def _get(site: DemoSite, url: str, encoding: str) -> str:
    response = handle(site, "GET", _path(url), {})
    assert response.status == 200, url
    return response.body.decode(encoding)


def _visible(page: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text.replace("\u200b", "").replace("\ufeff", "").replace("\xa0", " ")


def _forms(iso: str) -> list[str]:
    """The ways a page may state a time: ISO 8601, or as Japanese sites show it."""
    dt = datetime.fromisoformat(iso)
    return [iso, *(dt.strftime(f) for f in (
        "%Y年%m月%d日 %H:%M", "%Y.%m.%d %H:%M", "%Y/%m/%d %H:%M", "%Y年%m月%d日 %H時%M分"))]


def _linked_ids(sel: Selector) -> set[str]:
    ids = set()
    for href in sel.css("a::attr(href)").getall():
        match = _HREF_ID.search(href)
        if match:
            ids.add(match[1] or match[2])
    return ids


def _assert_serves_truth(page: str, record: TruthRecord, links: dict[str, list[str]]) -> None:
    """Every field of the truth appears on the page in some form."""
    sel = Selector(text=page)
    text = _visible(page)
    where = (record["theme"], record["article_id"])
    assert sel.css('link[rel="canonical"]::attr(href)').get() in (
        record["canonical_url"], record["canonical_url"] + "/amp/"), where
    assert record["canonical_url"] in page, where
    assert record["headline"] in text, where
    for value in (*record["summary"], *record["authors"], record["category"],
                  *record["tags"]):
        assert value in text, (where, value)
    assert any(f in page or f in text for f in _forms(record["date_published"])), where
    if record["date_modified"] is not None:
        assert any(f in page or f in text for f in _forms(record["date_modified"])), where
    else:  # the page must not state a modified time the truth does not have
        assert "更新" not in text, where
    for image in record["images"]:
        assert html.escape(image["url"]) in page, (where, image["url"])
    for credit in record["credits"]:
        assert credit in text or html.escape(credit) in page, (where, credit)
    for line in record["body"].split("\n"):
        assert line in text, (where, line)
    count = str(record["comment_count"])
    assert (re.search(r"コメント\D{0,4}" + count + r"\D", text)
            or f'"commentCount": {count}' in page), where
    linked = _linked_ids(sel)
    for block, ids in links.items():
        assert set(ids) <= linked, (where, block)


def _links(site: DemoSite, index: int) -> dict[str, list[str]]:
    links = site.links(index)
    return {name: [str(site.article_id(j)) for j in getattr(links, name)]
            for name in ("related", "recommend", "topics")}


@pytest.mark.parametrize("theme", NEW)
def test_each_theme_serves_every_truth_field(theme: str) -> None:
    site = DemoSite(90, seed=2, day=1, themes=theme)
    records = as_truth(iter_site_truth(site))
    assert {r["theme"] for r in records} == {theme}
    for index, record in enumerate(records):
        page = _get(site, record["canonical_url"], record["encoding"])
        _assert_serves_truth(page, record, _links(site, index))
        if index % 3 == 0:
            amp = _get(site, record["canonical_url"] + "/amp/", "utf-8")
            _assert_serves_truth(amp, record, _links(site, index))
    variations = collections.Counter(v for r in records for v in r["variations"])
    assert variations["shift_jis"] + variations["euc_jp"] > 0  # served in those too


@pytest.mark.parametrize("theme", NEW)
def test_amp_forms(theme: str) -> None:
    site = DemoSite(40, seed=4, themes=theme)
    for index in range(0, 40, 4):
        canon = site.canonical_url(index)
        amp = _get(site, canon + "/amp/", "utf-8")
        sel = Selector(text=amp)
        assert sel.css("html[amp]") and sel.css('meta[charset="utf-8"]')
        assert sel.css('link[rel="canonical"]::attr(href)').get() == canon
        assert not sel.css('link[rel="amphtml"]')
        scripts = sel.css("script")
        assert all(s.attrib.get("src", "").startswith("https://cdn.ampproject.org/")
                   or s.attrib.get("type") in ("application/ld+json", "application/json")
                   for s in scripts), theme
        assert not sel.xpath("//img[not(ancestor::noscript)]"), theme
        page = Selector(text=_get(site, canon, site.content(index).encoding))
        amphtml = page.css('link[rel="amphtml"]::attr(href)').get()
        if theme == "ampfirst":  # the canonical page is the AMP page
            assert page.css("html[amp]") and amphtml is None
            assert not page.xpath("//img[not(ancestor::noscript)]")
        else:
            assert not page.css("html[amp]") and amphtml == canon + "/amp/"


def test_themes_carry_the_default_truth() -> None:
    """Whatever the theme, an article's truth is the default site's (but for ``theme``)."""
    default = as_truth(iter_truth(120, 3, 1, BASE))
    for spec in ("mix", "legacy,ampfirst"):
        themed = as_truth(iter_truth(120, 3, 1, BASE, themes=spec))
        assert [{**r, "theme": None} for r in themed] == [{**r, "theme": None} for r in default]
        assert {r["theme"] for r in themed} == set(parse_themes(spec))
    assert {r["theme"] for r in default} == {"kangnam"}


def _hash_pages(site: DemoSite) -> str:
    digest = hashlib.sha256()
    paths = ["/ja/", "/ja/report/", "/ja/feed/", "/ja/wp-sitemap-posts-post-1.xml"]
    for index in range(site.total):
        paths += [_path(site.canonical_url(index)), _path(site.canonical_url(index)) + "/amp/"]
    for path in paths:
        response = handle(site, "GET", path, {})
        digest.update(f"{path} {response.status} {response.headers}".encode() + response.body)
    return digest.hexdigest()


def test_default_is_the_site_without_the_option() -> None:
    for articles, seed, day in ((150, 0, 0), (60, 7, 2)):
        plain = DemoSite(articles, seed=seed, day=day)
        assert _hash_pages(plain) == _hash_pages(
            DemoSite(articles, seed=seed, day=day, themes="kangnam"))
        # in a mix, an article of the modelled theme is served as the default site serves it
        mixed = DemoSite(articles, seed=seed, day=day, themes="mix")
        kept = [i for i in range(mixed.total) if mixed.theme_of(i) == "kangnam"]
        assert 0 < len(kept) < mixed.total
        for index in kept:
            path = _path(plain.canonical_url(index))
            for form in (path, path + "/amp/"):
                assert handle(mixed, "GET", form, {}).body == handle(plain, "GET", form, {}).body


def test_an_article_looks_the_same_in_a_mix_as_in_its_theme_alone() -> None:
    mixed = DemoSite(140, seed=5, themes="mix")
    records = as_truth(iter_site_truth(mixed))
    shares = collections.Counter(r["theme"] for r in records)
    assert set(shares) == set(THEMES)
    assert all(0.05 * len(records) <= n <= 0.3 * len(records) for n in shares.values()), shares
    alone = {name: DemoSite(140, seed=5, themes=name) for name in THEMES}
    for record in records:
        path = _path(record["canonical_url"])
        assert (handle(mixed, "GET", path, {}).body
                == handle(alone[record["theme"]], "GET", path, {}).body), record["article_id"]


def test_theme_choice_is_deterministic() -> None:
    a, b = DemoSite(200, seed=9, themes="mix"), DemoSite(200, seed=9, themes="mix")
    assert [a.theme_of(i) for i in range(200)] == [b.theme_of(i) for i in range(200)]
    c = DemoSite(200, seed=10, themes="mix")
    assert [a.theme_of(i) for i in range(200)] != [c.theme_of(i) for i in range(200)]
    two = DemoSite(200, seed=9, themes="blog,portal")
    assert {two.theme_of(i) for i in range(200)} == {"blog", "portal"}
    for index in range(200):  # an exact duplicate is its original republished, layout and all
        meta = a.meta(index)
        if meta.dup_kind == "exact_duplicate":
            assert a.theme_of(index) == a.theme_of(meta.source)
    for name in NEW:
        site = DemoSite(30, seed=1, themes=name)
        path = _path(site.canonical_url(4))
        assert handle(site, "GET", path, {}).body == handle(
            DemoSite(30, seed=1, themes=name), "GET", path, {}).body


def test_truth_with_themes_is_the_same_in_another_process() -> None:
    def run(hashseed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        return subprocess.run(
            [sys.executable, "-m", "newscrawl.demosite", "truth", "--articles", "30",
             "--themes", "mix"], check=True, capture_output=True, text=True, env=env).stdout

    out = run("3")
    assert out == run("4")
    assert len({json.loads(line)["theme"] for line in out.splitlines()}) >= 4


def test_themes_option_rejects_unknown_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert tuple(NEW_THEMES) == NEW  # every name the option accepts has a template
    assert parse_themes(None) == ("kangnam",) and parse_themes("mix") == THEMES
    assert parse_themes("new") == NEW and parse_themes("blog,blog,legacy") == ("blog", "legacy")
    with pytest.raises(SystemExit) as exc:
        demosite_main(["truth", "--themes", "kangnam,nosuch"])
    assert exc.value.code == 2
    assert "unknown theme 'nosuch'" in capsys.readouterr().err
    with pytest.raises(ValueError):
        DemoSite(10, themes="nosuch")


def test_dump_writes_served_pages_with_their_truth(tmp_path: Path) -> None:
    assert demosite_main(["dump", str(tmp_path), "--articles", "40", "--seed", "1",
                          "--themes", "mix"]) == 0
    site = DemoSite(40, seed=1, themes="mix")
    records = {r["article_id"]: r for r in as_truth(iter_truth(40, 1, 0, BASE, themes="mix"))}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{i}.html" for i in records] + [f"{i}.json" for i in records])
    for article_id, record in records.items():
        saved = json.loads((tmp_path / f"{article_id}.json").read_text(encoding="utf-8"))
        assert saved["body"] == record["body"] and saved["theme"] == record["theme"]
        assert saved["url"] == record["canonical_url"] and saved["form"] == "canonical"
        served = handle(site, "GET", _path(record["canonical_url"]), {})
        assert (tmp_path / f"{article_id}.html").read_bytes() == served.body
        assert saved["content_type"] == dict(served.headers)["Content-Type"]
    assert demosite_main(["dump", str(tmp_path / "amp"), "--articles", "12", "--amp"]) == 0
    saved = json.loads(next((tmp_path / "amp").glob("*.json")).read_text(encoding="utf-8"))
    assert saved["form"] == "amp" and saved["url"].endswith("/amp/")


def test_cli_serves_the_themes_it_is_given() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "newscrawl.demosite", "serve", "--port", "0", "--articles", "20",
         "--quiet", "--themes", "ampfirst"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().split()[1]
        expected = DemoSite(20, base_url=base_url, themes="ampfirst")
        status, _, body, _ = fetch(expected.canonical_url(3))
        assert status == 200
        assert body == handle(expected, "GET", _path_of(expected.canonical_url(3)), {}).body
        assert Selector(text=body.decode(expected.content(3).encoding)).css("html[amp]")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]

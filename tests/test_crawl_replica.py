"""End to end: ``scrapy crawl`` over the replica, compared with the generator's ground truth.

The truth comes from the replica's generator (``python -m newscrawl.demosite truth``), never
from parsing the pages it served, so these checks cannot agree with the crawler by accident.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from newscrawl.demo import crawl_command, read_jsonl, replica, truth
from tests.records import JsonLine
from tests.support import story

pytestmark = pytest.mark.slow

ARTICLES = 150
#: Fields the Article item and the ground truth both have, compared value for value.
COMPARED = ["canonical_url", "headline", "summary", "authors", "date_published",
            "date_modified", "category", "tags", "images", "credits", "body"]
#: Text that must never reach a body: credits, the reporter's e-mail, widget and menu text.
NEVER_IN_BODY = ["@fastviewkorea.com", "出典:", "引用:", "コメント0", "0 / 300", "0/300",
                 "メインメニューへスキップ", "メインコンテンツへスキップ",
                 "こんな記事も読まれています", "おすすめニュース", "ランキング", "アクセス"]


class Crawl:
    def __init__(self, tmp: Path) -> None:
        self.output = tmp / "articles.jsonl"
        with replica(ARTICLES) as base_url:
            self.base_url = base_url
            self.log = subprocess.run(
                crawl_command(base_url, self.output), capture_output=True, text=True,
                timeout=600,
            )
        self.articles: list[JsonLine] = read_jsonl(self.output)
        self.rejects: list[JsonLine] = read_jsonl(self.output.with_suffix(".rejects.jsonl"))
        self.truth = truth(base_url, ARTICLES)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return Crawl(tmp_path_factory.mktemp("crawl"))



def test_crawl_exits_cleanly(crawl: Crawl) -> None:
    assert crawl.log.returncode == 0, crawl.log.stderr[-3000:]
    assert "Traceback" not in crawl.log.stderr


def test_each_article_is_written_once(crawl: Crawl) -> None:
    ids = Counter(a["article_id"] for a in crawl.articles)
    assert ids, "no articles written"
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_reachable_story_is_written_exactly_once(crawl: Crawl) -> None:
    reachable = {i for i, t in crawl.truth.items() if t["reachable_html"]}
    written = {a["article_id"] for a in crawl.articles}
    assert written <= reachable, f"unreachable articles written: {sorted(written - reachable)}"
    stories = Counter(story(crawl.truth, i) for i in written)
    assert [s for s, n in stories.items() if n > 1] == [], "a story written twice"
    missing = {story(crawl.truth, i) for i in reachable} - set(stories)
    assert missing == set(), f"reachable stories never written: {sorted(missing)}"


def test_every_reached_copy_is_rejected_naming_the_written_story(crawl: Crawl) -> None:
    written = {a["article_id"] for a in crawl.articles}
    copies = [r for r in crawl.rejects if r["reason"] in ("near_duplicate", "duplicate_body")]
    assert copies, "the replica republishes stories, yet no copy was rejected"
    for reject in copies:
        assert reject["duplicate_of"] in written
        assert story(crawl.truth, reject["article_id"]) == story(crawl.truth,
                                                                 reject["duplicate_of"])


def test_fields_equal_the_truth(crawl: Crawl) -> None:
    mismatches: dict[str, list[str]] = {}
    for article in crawl.articles:
        truth = crawl.truth[article["article_id"]]
        for name in COMPARED:
            if article[name] != truth[name]:
                mismatches.setdefault(name, []).append(
                    f"{article['article_id']} {truth['variations']}: "
                    f"{article[name]!r:.200} != {truth[name]!r:.200}")
    report = {name: (len(rows), rows[:3]) for name, rows in mismatches.items()}
    assert report == {}


def test_comment_counts_equal_the_truth_where_the_html_has_them(crawl: Crawl) -> None:
    for article in crawl.articles:
        truth = crawl.truth[article["article_id"]]
        variations = set(truth["variations"])
        # A count filled by script is in the HTML only through JSON-LD.
        html_has_count = ("js_comment_count" not in variations
                          or not variations & {"no_jsonld", "date_text_only"})
        if html_has_count:
            assert article["comment_count"] == truth["comment_count"], article["article_id"]


def test_no_junk_in_any_body(crawl: Crawl) -> None:
    found = [(a["article_id"], s) for a in crawl.articles for s in NEVER_IN_BODY
             if s in a["body"]]
    assert found == []


def test_items_have_their_crawl_metadata(crawl: Crawl) -> None:
    for article in crawl.articles:
        assert article["language"] == "ja"
        assert article["url"].startswith(crawl.base_url)
        assert article["discovered_via"]["block"] in ("latest", "related", "recommend", "topics")
        assert article["crawled_at"].endswith("+00:00")


def test_nothing_is_lost_between_parsing_and_output(crawl: Crawl) -> None:
    summary_path = crawl.output.with_suffix(".summary.json")
    summary = json.loads(summary_path.read_text())
    parsed = summary["articles_parsed"]
    assert parsed == len(crawl.articles) + len(crawl.rejects)

"""The incremental policy and the change test, as plain functions."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from newscrawl.items import Article
from newscrawl.state import ArticleState, classify, content_hash, decide_fetch

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
OLD = ArticleState("1", "h", date_published="2025-12-12T09:10:00+09:00",
                   date_modified="2025-12-13T10:00:00+09:00")


def test_unknown_articles_and_full_runs_are_fetched() -> None:
    assert decide_fetch(None, now=NOW) == "fetch"
    assert decide_fetch(OLD, now=NOW, full=True) == "fetch"


def test_known_old_articles_are_skipped() -> None:
    assert decide_fetch(OLD, now=NOW) == "skip"
    same = "2025-12-13T01:00:00+00:00"  # the stored time, in UTC
    assert decide_fetch(OLD, now=NOW, listing_modified=same) == "skip"
    assert decide_fetch(OLD, now=NOW, listing_modified="not a date") == "skip"


def test_a_newer_listing_time_asks_conditionally() -> None:
    assert decide_fetch(OLD, now=NOW, listing_modified="2025-12-14T00:00:00+09:00") == \
        "conditional"
    no_dates = ArticleState("1", "h")
    assert decide_fetch(no_dates, now=NOW, listing_modified="2025-12-14T00:00:00Z") == \
        "conditional"


def test_young_articles_are_asked_conditionally() -> None:
    young = ArticleState("1", "h", date_published=(NOW - timedelta(hours=3)).isoformat())
    assert decide_fetch(young, now=NOW) == "conditional"
    assert decide_fetch(young, now=NOW, recrawl_window=timedelta(hours=2)) == "skip"
    seen_only = ArticleState("1", "h", first_seen=(NOW - timedelta(hours=1)).isoformat())
    assert decide_fetch(seen_only, now=NOW) == "conditional"


def test_classify() -> None:
    assert classify(None, "x") == ("new", 1)
    assert classify(ArticleState("1", "x", version=2), "x") == ("unchanged", 2)
    assert classify(ArticleState("1", "x", version=2), "y") == ("updated", 3)


def test_content_hash_is_the_same_for_an_item_and_its_line() -> None:
    article = Article(url="http://h/ja/report/article/1", article_id="1", headline="見出し",
                      body="一行目\n二行目", images=[{"url": "http://h/1.jpg", "credit": None}],
                      tags=["経済"], crawled_at="2026-11-25T00:00:00+00:00")
    line = json.loads(json.dumps(asdict(article), ensure_ascii=False))
    assert content_hash(asdict(article)) == content_hash(line)


def test_content_hash_ignores_crawl_time_fields_only() -> None:
    article = Article(url="u", article_id="1", headline="a", body="b")
    base = content_hash(asdict(article))
    article.crawled_at, article.comment_count, article.version = "later", 5, 3
    assert content_hash(asdict(article)) == base
    article.body = "b2"
    assert content_hash(asdict(article)) != base

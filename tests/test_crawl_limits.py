"""The crawl's limits, in crawls run in process over the replica: ``max_articles`` never
overshoots, and links to articles already requested are dropped before the middleware chain
without changing what the crawl requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl import settings as project
from newscrawl.demosite.server import DemoServer
from tests.inprocess import Run, crawl, serving

ARTICLES = 150
SEEN = "newscrawl.middlewares.seen.SeenArticlesMiddleware"


@pytest.fixture(scope="module")
def replica() -> Iterator[DemoServer]:
    with serving(articles=ARTICLES) as server:
        yield server


def feed_ids(tmp_path: Path) -> list[str]:
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["article_id"] for line in lines]


@pytest.mark.parametrize("limit", [1, 7, 40])
def test_max_articles_writes_exactly_that_many(replica: DemoServer, tmp_path: Path,
                                               limit: int) -> None:
    run = crawl(tmp_path, replica.base_url, spargs={"max_articles": str(limit)})
    assert run.stats["finish_reason"] == "max_articles"
    assert len(run.items) == limit
    ids = feed_ids(tmp_path)
    assert len(ids) == limit and len(set(ids)) == limit


def test_articles_dropped_in_the_pipelines_free_their_place(replica: DemoServer,
                                                            tmp_path: Path) -> None:
    """The replica republishes stories, and dedupe drops the copies: with the limit at the
    number of stories a full crawl writes, the limited crawl writes them all, copies met on
    the way or not."""
    full = crawl(tmp_path / "full", replica.base_url)
    stories = len(full.items)
    run = crawl(tmp_path / "limited", replica.base_url, NEWSCRAWL_MAX_ARTICLES=stories)
    copies = [r for r in run.rejects if r["reason"] in ("near_duplicate", "duplicate_body")]
    assert copies, "no copy was met before the limit: the test proves nothing"
    assert len(run.items) == stories and run.stats["finish_reason"] == "max_articles"


def requested_articles(run: Run) -> set[str]:
    """Articles the crawl fetched and judged: written, or rejected with a reason."""
    return {item.article_id for item in run.items} | {
        str(r["article_id"]) for r in run.rejects if r["article_id"]}


@pytest.mark.parametrize("depth_limit", [0, 2])
def test_seen_links_are_dropped_early_and_change_nothing(replica: DemoServer, tmp_path: Path,
                                                         depth_limit: int) -> None:
    """With a depth limit (and no sitemap, which reaches every article at depth 2), an
    article first met too deep and later at a lesser depth is still requested: the early drop
    only knows what reached the scheduler."""
    links: dict[str, Any] = {"DEPTH_LIMIT": depth_limit,
                             "NEWSCRAWL_FOLLOW_BLOCKS": "latest,related,topics"}
    early = crawl(tmp_path / "early", replica.base_url, **links)
    late = crawl(tmp_path / "late", replica.base_url, **links,
                 SPIDER_MIDDLEWARES={**project.SPIDER_MIDDLEWARES, SEEN: None})
    assert requested_articles(early) == requested_articles(late)
    assert early.stats["newscrawl/seen/dropped"] > len(requested_articles(early))
    # every repeat was dropped before the scheduler; without the middleware the duplicate
    # filter drops them, after the chain (the depth limit drops some before it)
    assert early.stats.get("dupefilter/filtered", 0) == 0
    if not depth_limit:
        assert late.stats["dupefilter/filtered"] == early.stats["newscrawl/seen/dropped"]
    else:
        assert early.stats["request_depth_max"] == depth_limit
        unlimited = crawl(tmp_path / "deep", replica.base_url, **{**links, "DEPTH_LIMIT": 0})
        assert len(requested_articles(early)) < len(requested_articles(unlimited))

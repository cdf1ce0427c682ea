"""The hold: articles reach the pipelines in publication order, so the original of every
story is the one written, whatever order the crawl meets them in.

The ground truth is the replica generator's ``near_duplicate_of``."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from newscrawl.items import Article
from newscrawl.meta import RELEASE_META
from newscrawl.middlewares.hold import SPOOL_NAME, ArticleSpool, HoldMiddleware
from newscrawl.neardup import precedence
from tests.support import ROOT, newscrawl_defaults

from .conftest import make_article
from .replica import truth_articles


def key(article: Article) -> Any:
    return precedence(article.date_published, article.article_id or "")


# -- the spool --------------------------------------------------------------------------------


def test_the_spool_releases_in_key_order_and_empties() -> None:
    articles, _ = truth_articles(60)
    shuffled = articles[:]
    random.Random(3).shuffle(shuffled)
    spool = ArticleSpool()
    spool.open()
    for article in shuffled:
        spool.hold(key(article), article)
    assert len(spool) == 60
    released = list(spool.release())
    assert [a.article_id for a in released] == \
        [a.article_id for a in sorted(articles, key=key)]
    assert released[5] == sorted(articles, key=key)[5]  # every field back
    assert len(spool) == 0
    assert spool.file.seek(0, 2) == 0  # the file is emptied
    spool.close()


def test_ids_that_are_not_numbers_and_undated_articles_take_their_places() -> None:
    spool = ArticleSpool()
    spool.open()
    held = [make_article("b7"), make_article("20"), make_article("3", date_published=None),
            make_article("a9"), make_article("100"), make_article("x", date_published=None)]
    for article in held:
        spool.hold(key(article), article)
    assert [i.article_id for i in spool.release()] == ["20", "100", "a9", "b7", "3", "x"]
    spool.close()


def test_the_date_comes_before_the_id_and_the_id_breaks_a_tie() -> None:
    spool = ArticleSpool()
    spool.open()
    held = [make_article("5", date_published="2025-12-12T09:00:00+09:00"),
            make_article("900", date_published="2025-12-12T08:00:00+09:00"),
            make_article("7", date_published=None),
            make_article("40", date_published="2025-12-12T09:00:00+09:00"),
            make_article("12", date_published="2025-12-12T09:00:00+09:00"),
            make_article("3", date_published="2025-12-13T00:00:00+09:00")]
    for article in held:
        spool.hold(key(article), article)
    assert [i.article_id for i in spool.release()] == ["900", "5", "12", "40", "3", "7"]
    spool.close()


def test_items_held_during_a_release_wait_for_the_next_one() -> None:
    spool = ArticleSpool()
    spool.open()
    for n in ("3", "1", "2"):
        spool.hold(key(make_article(n)), make_article(n))
    first = []
    for item in spool.release():
        first.append(item.article_id)
        if item.article_id == "1":
            for n in ("z", "0"):
                spool.hold(key(make_article(n)), make_article(n))
    assert first == ["1", "2", "3"]
    assert len(spool) == 2
    assert [i.article_id for i in spool.release()] == ["0", "z"]
    spool.close()


def test_a_jobdir_spool_survives_its_process(tmp_path: Path) -> None:
    path = tmp_path / SPOOL_NAME
    spool = ArticleSpool(path)
    assert spool.open() == 0
    for n in ("7", "5", "6"):
        spool.hold(key(make_article(n)), make_article(n))
    spool.close()
    with path.open("ab") as file:  # a record cut short by kill -9
        file.write(b"\x40\x00\x00\x00\x00\x00\x00\x00half a reco")
    again = ArticleSpool(path)
    assert again.open() == 3
    assert [i.article_id for i in again.release()] == ["5", "6", "7"]
    again.close()
    assert not path.exists()


# -- the middleware ---------------------------------------------------------------------------


def release_response() -> TextResponse:
    from scrapy import Request

    request = Request("data:,", meta={RELEASE_META: True})
    return TextResponse("data:,", body=b"", request=request)


def test_the_middleware_holds_articles_and_lets_the_rest_pass(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict=newscrawl_defaults())
    hold = HoldMiddleware(crawler)
    hold.spider_opened()
    article = make_article("1")
    assert hold.get_processed_item(article, None) is None
    assert hold.get_processed_item({"not": "an article"}, None) == {"not": "an article"}
    no_id = Article(url="https://www.kangnamtimes.com/ja/report/article/x", body="本文")
    assert hold.get_processed_item(no_id, None) is no_id  # the validate pipeline rejects it
    assert crawler.stats.get_value("newscrawl/hold/held") == 1
    released = list(hold.release(release_response()))
    assert released == [article]
    assert hold.get_processed_item(article, release_response()) is article  # passes now
    hold.spider_closed("finished")
    assert crawler.stats.get_value("newscrawl/hold/undelivered") is None


def test_what_a_paused_jobdir_run_held_is_released_by_the_resumed_run(tmp_path: Path) -> None:
    settings = newscrawl_defaults(JOBDIR=str(tmp_path / "job"))
    paused = HoldMiddleware(get_crawler(settings_dict=settings))
    paused.spider_opened()
    for n in ("12", "11"):
        paused.get_processed_item(make_article(n), None)
    paused.spider_closed("shutdown")
    assert paused.stats.get_value("newscrawl/hold/undelivered") == 2
    assert (tmp_path / "job" / SPOOL_NAME).exists()

    resumed = HoldMiddleware(get_crawler(settings_dict=settings))
    resumed.spider_opened()
    assert [a.article_id for a in resumed.release(release_response())] == ["11", "12"]
    resumed.spider_closed("finished")
    assert not (tmp_path / "job" / SPOOL_NAME).exists()


@pytest.mark.parametrize("settings", [{"NEWSCRAWL_DEDUPE_ENABLED": False},
                                      {"NEWSCRAWL_MAX_ARTICLES": 3}])
def test_the_hold_is_off_without_dedupe_and_in_a_limited_run(settings: dict[str, Any]) -> None:
    with pytest.raises(NotConfigured):
        HoldMiddleware(get_crawler(settings_dict=newscrawl_defaults(**settings)))


# -- a real crawl that meets every copy before its original -------------------------------------


def crawl_newest_first(out: Path, *options: str) -> tuple[set[str], list[dict[str, Any]],
                                                         dict[str, Any]]:
    subprocess.run([sys.executable, "-m", "tests.pipelines.crawl_held", str(out), *options],
                   cwd=ROOT, check=True, timeout=300, capture_output=True)
    written = {json.loads(line)["article_id"]
               for line in (out / "out.jsonl").read_text(encoding="utf-8").splitlines()}
    rejects = [json.loads(line) for line in
               (out / "out.rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    return written, rejects, json.loads((out / "stats.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def truth() -> dict[str, str | None]:
    return truth_articles(300)[1]


def test_met_newest_first_the_written_articles_are_the_originals(
        tmp_path: Path, truth: dict[str, str | None]) -> None:
    written, rejects, stats = crawl_newest_first(tmp_path)
    originals = {i for i, source in truth.items() if source is None}
    assert written == originals
    copies = {r["article_id"]: r for r in rejects}
    assert set(copies) == set(truth) - originals
    for copy, reject in copies.items():
        assert reject["reason"] in ("near_duplicate", "duplicate_body"), reject
        assert reject["duplicate_of"] == truth[copy], reject
    assert stats["newscrawl/hold/held"] == stats["newscrawl/hold/released"] == len(truth)
    assert stats["item_scraped_count"] == len(originals)


def test_without_the_hold_the_copies_met_first_are_written_and_so_are_the_originals(
        tmp_path: Path, truth: dict[str, str | None]) -> None:
    """The same crawl without the hold: the order really puts copies first (they are written),
    and their originals are written too."""
    written, _, stats = crawl_newest_first(tmp_path, "--no-hold")
    originals = {i for i, source in truth.items() if source is None}
    assert originals < written
    assert stats["newscrawl/dedupe/original_after_copy"] >= 1


class Engine:
    """What the middleware asks of the engine: whether the crawl is idle; it schedules one
    request."""

    def __init__(self, idle: bool) -> None:
        self.idle = idle
        self.scheduled: list[Any] = []

    def spider_is_idle(self) -> bool:
        return self.idle

    def crawl(self, request: Any) -> None:
        self.scheduled.append(request)


def idle_hold(engine: Engine) -> HoldMiddleware:
    crawler = get_crawler(settings_dict=newscrawl_defaults())
    crawler.engine = engine  # type: ignore[assignment]
    hold = HoldMiddleware(crawler)
    hold.spider_opened()
    return hold


def test_the_release_waits_for_what_other_idle_handlers_scheduled() -> None:
    engine = Engine(idle=False)  # the spider has just scheduled its sitemap
    hold = idle_hold(engine)
    hold.get_processed_item(make_article("1"), None)
    with pytest.raises(DontCloseSpider):
        hold.spider_idle()
    assert engine.scheduled == []
    engine.idle = True
    with pytest.raises(DontCloseSpider):
        hold.spider_idle()
    [request] = engine.scheduled
    assert request.url.startswith("data:") and request.dont_filter
    assert request.meta[RELEASE_META] and request.callback == hold.release
    assert [a.article_id for a in request.callback(release_response())] == ["1"]
    hold.spider_idle()  # nothing held: the spider may close
    assert len(engine.scheduled) == 1


def test_a_release_request_dropped_on_the_way_does_not_keep_the_crawl_open(
        caplog: pytest.LogCaptureFixture) -> None:
    engine = Engine(idle=True)
    hold = idle_hold(engine)
    hold.get_processed_item(make_article("1"), None)
    with pytest.raises(DontCloseSpider):
        hold.spider_idle()
    hold.spider_idle()  # idle again, the request never came back: give up, loudly
    assert "was dropped" in caplog.text
    hold.spider_idle()  # and do not try again
    assert len(engine.scheduled) == 1
    hold.spider_closed("finished")
    assert hold.stats.get_value("newscrawl/hold/undelivered") == 1

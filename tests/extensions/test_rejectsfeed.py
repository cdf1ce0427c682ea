from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.extensions.rejectsfeed import RejectsFeed, rejects_path
from newscrawl.items import Article
from newscrawl.paths import sibling_path
from newscrawl.rejects import Rejected, report_reject
from tests.support import newscrawl_defaults


class NamedSpider(Spider):
    name = "kangnamtimes"


def _crawler(settings: dict[str, Any]) -> Crawler:
    crawler = get_crawler(NamedSpider, newscrawl_defaults(**settings))
    crawler.spider = NamedSpider.from_crawler(crawler)
    return crawler


def test_rejects_beside_plain_output_file(tmp_path: Path) -> None:
    crawler = _crawler({"FEEDS": {str(tmp_path / "demo.jsonl"): {"format": "jsonlines"}}})
    assert rejects_path(crawler) == tmp_path / "demo.rejects.jsonl"


def test_rejects_skip_remote_feeds(tmp_path: Path) -> None:
    feeds = {
        "s3://bucket/x.jsonl": {"format": "jsonlines"},
        (tmp_path / "out.jsonl").as_uri(): {"format": "jsonlines"},
    }
    crawler = _crawler({"FEEDS": feeds})
    assert rejects_path(crawler) == tmp_path / "out.rejects.jsonl"


def test_rejects_uri_setting_with_params(tmp_path: Path) -> None:
    template = str(tmp_path / "%(name)s" / "%(time)s-rejects.jsonl")
    crawler = _crawler({"NEWSCRAWL_REJECTS_URI": template, "FEEDS": {}})
    path = rejects_path(crawler)
    assert path is not None
    assert path.parent == tmp_path / "kangnamtimes"
    assert "%(time)s" not in path.name and path.name.endswith("-rejects.jsonl")


def test_sibling_path() -> None:
    path = Path("output/kangnamtimes/2026-01-01T00-00-00+00-00.jsonl")
    assert sibling_path(path, ".rejects.jsonl").name == "2026-01-01T00-00-00+00-00.rejects.jsonl"


def test_records_every_source_and_counts(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "r.jsonl"
    crawler = _crawler({"NEWSCRAWL_REJECTS_URI": str(target), "FEEDS": {}})
    feed = build_from_crawler(RejectsFeed, crawler)
    spider = crawler.spider
    assert spider is not None
    feed.spider_opened(spider)
    assert not target.parent.exists()  # nothing written before the first reject
    article = Article(url="https://example.com/ja/news/article/2", article_id="2")
    feed.item_dropped(article, None, Rejected("near_duplicate", duplicate_of="1"), spider)
    feed.item_dropped({"url": "u"}, None, DropItem("other pipeline"), spider)
    report_reject(crawler, "http_404", "https://example.com/x", stage="download")
    # One write per line to the .part file: readable before the run ends, and a killed run
    # leaves it for the next run to publish.
    part = target.with_name(target.name + ".part")
    lines = [json.loads(x) for x in part.read_text(encoding="utf-8").splitlines()]
    assert not target.exists()
    feed.publish()
    assert [json.loads(x) for x in target.read_text(encoding="utf-8").splitlines()] == lines
    assert not part.exists()
    assert [(x["reason"], x["duplicate_of"], x["stage"]) for x in lines] == [
        ("near_duplicate", "1", "pipeline"),
        ("dropped", None, "pipeline"),
        ("http_404", None, "download"),
    ]
    assert lines[1]["detail"] == "other pipeline"
    stats = crawler.stats
    assert stats is not None
    assert stats.get_value("newscrawl/rejects/near_duplicate") == 1
    assert stats.get_value("newscrawl/rejects/http_404") == 1


def test_disabled() -> None:
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        RejectsFeed(_crawler({"NEWSCRAWL_REJECTS_ENABLED": False}))


def test_a_remote_rejects_uri_is_a_bad_setting() -> None:
    from newscrawl.config import BadSetting

    with pytest.raises(BadSetting, match="NEWSCRAWL_REJECTS_URI: must be a local file path"):
        RejectsFeed(_crawler({"NEWSCRAWL_REJECTS_URI": "s3://bucket/rejects.jsonl"}))


def test_a_run_without_rejects_publishes_an_empty_file(tmp_path: Path) -> None:
    target = tmp_path / "r.jsonl"
    crawler = _crawler({"NEWSCRAWL_REJECTS_URI": str(target), "FEEDS": {}})
    feed = build_from_crawler(RejectsFeed, crawler)
    assert crawler.spider is not None
    feed.spider_opened(crawler.spider)
    feed.publish()
    assert target.read_bytes() == b"" and not list(tmp_path.glob("*.part"))


def test_a_rejects_file_already_there_is_added_to_not_replaced(tmp_path: Path) -> None:
    """Two runs in the same second share a ``%(time)s``: the first one's rejects stay."""
    target = tmp_path / "r.jsonl"
    for reason in ("http_404", "timeout"):
        crawler = _crawler({"NEWSCRAWL_REJECTS_URI": str(target), "FEEDS": {}})
        feed = build_from_crawler(RejectsFeed, crawler)
        assert crawler.spider is not None
        feed.spider_opened(crawler.spider)
        report_reject(crawler, reason, "https://example.com/x", stage="download")
        feed.publish()
    reasons = [json.loads(x)["reason"] for x in target.read_text().splitlines()]
    assert reasons == ["http_404", "timeout"]

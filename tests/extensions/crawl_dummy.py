"""A small in-process crawl for the extension tests: ``python -m tests.extensions.crawl_dummy OUT``.

Run in a subprocess so the reactor / event loop of the test session is never touched. The
spider yields valid, duplicate and invalid articles from one ``data:`` page, and reports one
page it could not parse; the stats are saved to ``OUT/stats.json``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

from newscrawl.items import Article
from newscrawl.rejects import report_reject
from tests.pipelines import stories
from tests.support import newscrawl_defaults

YIELDED = 7
"""Articles the spider yields (the test checks written + rejected = yielded + reported)."""


def _article(article_id: str, body: str, **fields: Any) -> Article:
    url = f"https://example.com/ja/news/article/{article_id}"
    values: dict[str, Any] = {
        "url": url,
        "canonical_url": url,
        "article_id": article_id,
        "headline": f"記事{article_id}",
        "body": body,
        "date_published": "2025-12-12T09:10:00+09:00",
    }
    values.update(fields)
    return Article(**values)


class DummySpider(Spider):
    name = "dummy"

    async def start(self) -> AsyncIterator[Request]:
        yield Request("data:,articles", callback=self.parse)

    def parse(self, response: Response) -> Iterator[Article]:
        yield _article("1", stories.STORY)
        yield _article("2", stories.SAME_TOPIC)
        yield _article("1", stories.STORY)  # duplicate_id
        yield _article("3", stories.whitespace_changed())  # duplicate_body
        yield _article("4", stories.paragraph_added())  # near_duplicate
        yield _article("5", "", headline="本文なし")  # missing_body
        yield _article("6", "写真=AFP通信")  # empty_body after cleaning
        report_reject(
            self.crawler, "not_article", "https://example.com/ja/about", detail="会社概要"
        )


def main(out: Path) -> None:
    process = CrawlerProcess(
        {
            **newscrawl_defaults(),
            "ADDONS": {"newscrawl.feeds.DefaultFeed": 0},  # one %(time)s for every file
            "FEEDS": {
                str(out / "%(name)s" / "%(time)s.jsonl"): {
                    "format": "jsonlines",
                    "encoding": "utf-8",
                    "item_classes": [Article],
                },
            },
            "FEED_EXPORT_ENCODING": "utf-8",
            "ITEM_PIPELINES": {
                "newscrawl.pipelines.validate.ValidatePipeline": 100,
                "newscrawl.pipelines.clean.CleanPipeline": 200,
                "newscrawl.pipelines.dedupe.DedupePipeline": 300,
            },
            "EXTENSIONS": {
                "newscrawl.extensions.rejectsfeed.RejectsFeed": 500,
                "newscrawl.extensions.summary.RunSummary": 510,
            },
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "INFO",
        }
    )
    crawler = process.create_crawler(DummySpider)
    process.crawl(crawler)
    process.start()
    assert crawler.stats is not None
    stats = {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, int | float | str)}
    stats["test/yielded"] = YIELDED
    (out / "stats.json").write_text(json.dumps(stats), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

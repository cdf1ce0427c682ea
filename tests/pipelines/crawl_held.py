"""A real crawl that meets every copy before its original:
``python -m tests.pipelines.crawl_held OUT [--no-hold]``.

Run in a subprocess so the reactor / event loop of the test session is never touched. The
spider yields every article of a 300-article replica (from its ground truth) from two ``data:``
pages, newest first, half each; the pipelines are the project's validate, clean and dedupe,
with the hold middleware unless ``--no-hold``. The stats are saved to ``OUT/stats.json``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

from newscrawl.items import Article
from tests.pipelines.replica import newest_first, truth_articles
from tests.support import newscrawl_defaults

ARTICLES = 300


class NewestFirstSpider(Spider):
    name = "newest_first"

    async def start(self) -> AsyncIterator[Request]:
        for half in (0, 1):
            yield Request(f"data:,page{half}", callback=self.parse, cb_kwargs={"half": half})

    def parse(self, response: Response, half: int) -> Iterator[Article]:
        yield from newest_first(truth_articles(ARTICLES)[0])[half::2]


def main(out: Path, hold: bool) -> None:
    process = CrawlerProcess({
        **newscrawl_defaults(),
        "FEEDS": {str(out / "out.jsonl"): {"format": "jsonlines", "encoding": "utf-8"}},
        "ITEM_PIPELINES": {
            "newscrawl.pipelines.validate.ValidatePipeline": 100,
            "newscrawl.pipelines.clean.CleanPipeline": 200,
            "newscrawl.pipelines.dedupe.DedupePipeline": 300,
        },
        "SPIDER_MIDDLEWARES": {"newscrawl.middlewares.hold.HoldMiddleware": 100 if hold else None},
        "EXTENSIONS": {"newscrawl.extensions.rejectsfeed.RejectsFeed": 500},
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
    })
    crawler = process.create_crawler(NewestFirstSpider)
    process.crawl(crawler)
    process.start()
    assert crawler.stats is not None
    stats = {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, int | float | str)}
    (out / "stats.json").write_text(json.dumps(stats), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), hold="--no-hold" not in sys.argv[2:])

"""Log and save one summary of the run: what was written, dropped, fetched, how fast."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import Spider, signals

from newscrawl.extensions.rejectsfeed import REJECTS_SUFFIX, RejectsFeed
from newscrawl.items import Article
from newscrawl.paths import fill_params, local_path
from newscrawl.rejects import first_local_feed, uri_params

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

SUMMARY_SUFFIX = ".summary.json"


def build_summary(
    stats: dict[str, Any], *, articles: int, reason: str, now: datetime | None = None
) -> dict[str, Any]:
    """The summary of a run from its stats (a plain dict, as ``stats.get_stats()`` gives)."""
    dropped = {
        key.removeprefix("newscrawl/rejects/"): value
        for key, value in sorted(stats.items())
        if key.startswith("newscrawl/rejects/")
    }
    statuses = {
        key.removeprefix("downloader/response_status_count/"): value
        for key, value in sorted(stats.items())
        if key.startswith("downloader/response_status_count/")
    }
    elapsed = stats.get("elapsed_time_seconds")
    start = stats.get("start_time")
    if elapsed is None and isinstance(start, datetime):
        elapsed = ((now or datetime.now(tz=UTC)) - start).total_seconds()
    elapsed = round(float(elapsed or 0.0), 3)
    responses = int(stats.get("response_received_count", sum(statuses.values())))
    return {
        "articles_parsed": int(stats.get("newscrawl/spider/articles", 0)),
        "articles_written": articles,
        # what the state made of the written articles (newscrawl.pipelines.state)
        "new": int(stats.get("newscrawl/state/new", 0)),
        "updated": int(stats.get("newscrawl/state/updated", 0)),
        "unchanged": int(stats.get("newscrawl/state/unchanged", 0)),
        "dropped": dropped,
        "dropped_total": sum(dropped.values()),
        "requests": int(stats.get("downloader/request_count", 0)),
        "responses": responses,
        "responses_by_status": statuses,
        "bytes": int(stats.get("downloader/response_bytes", 0)),
        "elapsed_seconds": elapsed,
        "pages_per_second": round(responses / elapsed, 2) if elapsed > 0 else 0.0,
        "finish_reason": reason,
    }


def format_summary(summary: dict[str, Any]) -> str:
    """The summary as a block of aligned lines, for the log and the terminal."""
    dropped = ", ".join(f"{k} {v}" for k, v in summary["dropped"].items()) or "none"
    statuses = ", ".join(f"{k}: {v}" for k, v in summary["responses_by_status"].items())
    lines = [
        f"articles written   {summary['articles_written']} (new {summary['new']}, "
        f"updated {summary['updated']}; unchanged {summary['unchanged']})",
        f"dropped            {summary['dropped_total']} ({dropped})",
        f"requests           {summary['requests']}",
        f"responses          {summary['responses']} ({statuses or 'none'})",
        f"bytes              {summary['bytes']}",
        f"elapsed            {summary['elapsed_seconds']} s",
        f"pages per second   {summary['pages_per_second']}",
        f"finish reason      {summary['finish_reason']}",
    ]
    return "\n".join(lines)


def summary_path(crawler: Crawler, spider: Spider | None) -> Path | None:
    """``NEWSCRAWL_SUMMARY_URI`` filled in, else ``<stem>.summary.json`` beside the rejects
    file (or the first local feed); None when there is neither."""
    template = crawler.settings.get("NEWSCRAWL_SUMMARY_URI") or ""
    if template:
        return local_path(fill_params(str(template), uri_params(spider)))
    for ext in getattr(crawler.extensions, "middlewares", ()):
        if isinstance(ext, RejectsFeed) and ext.path is not None:
            name = ext.path.name.removesuffix(REJECTS_SUFFIX).removesuffix(".jsonl")
            return ext.path.with_name(name + SUMMARY_SUFFIX)
    feed = first_local_feed(crawler)
    return feed.with_name(feed.stem + SUMMARY_SUFFIX) if feed is not None else None


class RunSummary:
    """On ``spider_closed``, logs the run summary and writes it as JSON."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.articles = 0
        self.path: Path | None = None
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, Article):
            self.articles += 1

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        summary = build_summary(stats.get_stats(), articles=self.articles, reason=reason)
        logger.info("Run summary:\n%s", format_summary(summary))
        self.path = summary_path(self.crawler, spider)
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(
            json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        logger.info("Stored run summary in %s", self.path)

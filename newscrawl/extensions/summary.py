"""Log and save one summary of the run: what was written, dropped, fetched, how fast, whether
the rankings were followed, and the verdict.

Written when the engine stops, after the feeds are stored and judged, atomically
(``<path>.part``, fsync, rename), beside the first local feed (``NEWSCRAWL_SUMMARY_URI``
otherwise, see :class:`newscrawl.feeds.OutputFiles`).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals

from newscrawl.exporters import STAT_UNWRITTEN, write_atomically
from newscrawl.feeds import OutputFiles, output_files
from newscrawl.items import Article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def rankings_followed(stats: dict[str, Any]) -> str:
    """Whether the run followed the rankings (built by JavaScript), in plain words."""
    if stats.get("newscrawl/js/unavailable"):
        return "NOT followed: Chromium is unavailable (see the warning in the log)"
    ranges = {key.rsplit("/", 1)[-1]: value for key, value in sorted(stats.items())
              if key.startswith("newscrawl/js/ranking/")}
    if ranges:
        return "followed (" + ", ".join(f"{name} {count}" for name, count in ranges.items()) + ")"
    if any(key.startswith("newscrawl/js/") for key in stats):
        return "NOT followed: the ranking page could not be rendered (see the log)"
    return "not followed: JavaScript rendering is off (-a js=1 follows them)"


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
        "articles_written": max(0, articles - int(stats.get(STAT_UNWRITTEN, 0))),
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
        "rankings": rankings_followed(stats),
        "finish_reason": reason,
        "ok": stats.get("newscrawl/health/ok"),
        "verdict": stats.get("newscrawl/health/reason"),
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
        f"rankings           {summary['rankings']}",
        f"finish reason      {summary['finish_reason']}",
    ]
    if summary.get("verdict"):
        lines.append(f"verdict            run {'ok' if summary['ok'] else 'FAILED'}: "
                     f"{summary['verdict']}")
    return "\n".join(lines)


class RunSummary:
    """When the engine stops, logs the run summary and writes it as JSON."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.files: OutputFiles = output_files(crawler)  # checks NEWSCRAWL_SUMMARY_URI now
        self.articles = 0
        self.path: Path | None = None
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, Article):
            self.articles += 1

    def engine_stopped(self) -> None:
        stats = self.crawler.stats
        assert stats is not None
        values = stats.get_stats()
        reason = str(values.get("finish_reason") or "unknown")
        summary = build_summary(values, articles=self.articles, reason=reason)
        logger.info("Run summary:\n%s", format_summary(summary))
        self.path = self.files.summary_path(self.crawler)
        if self.path is None:
            return
        data = json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
        try:
            write_atomically(self.path, data.encode("utf-8"))
        except OSError as exc:
            logger.error("could not write the run summary %s: %s", self.path,
                         exc.strerror or exc)
            return
        logger.info("Stored run summary in %s", self.path)

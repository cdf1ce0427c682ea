"""4. Incremental: the day-1 crawl after a day-0 crawl (the same state file) against a full crawl
of day 1 (``-a full=1``, a state of its own), by requests sent and by time."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

from newscrawl.bench.context import Context
from newscrawl.bench.figures import Figure, fmt, median_of, ratios
from newscrawl.bench.runner import CrawlRun, serve

STATE_SETTING = "NEWSCRAWL_STATE_PATH"
TARGET_PERCENT = 10.0
"""Requests of the incremental day-1 run over those of the full one."""


def one_pair(ctx: Context, articles: int, work: Path, run: int) -> tuple[CrawlRun, CrawlRun]:
    """Day 0 then day 1 with one state, and day 1 alone, on one port (the state keys its
    articles by URL): the incremental day-1 run and the full one."""
    state = {STATE_SETTING: str(work / f"state-{run}.sqlite3")}
    days = work / f"days-{run}"  # day 0 and day 1 share their output journal
    alone = work / f"full-{run}"
    runner = ctx.runner
    try:
        with serve(articles, day=0) as base_url:
            port = urlsplit(base_url).port or 0
            runner.crawl(base_url, f"day0-{articles}", extra=state, cwd=days)
        with serve(articles, day=1, port=port) as base_url:
            day1 = runner.crawl(base_url, f"day1-{articles}", extra=state, cwd=days)
            full = runner.crawl(base_url, f"full1-{articles}", arguments={"full": "1"},
                                extra={STATE_SETTING: str(work / f"full-{run}.sqlite3")},
                                cwd=alone)
    finally:
        shutil.rmtree(days, ignore_errors=True)
        shutil.rmtree(alone, ignore_errors=True)
    return day1, full


def run(ctx: Context) -> list[Figure]:
    n = ctx.sizes.incremental_articles
    work = ctx.runner.work / "state"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    pairs = [one_pair(ctx, n, work, run) for run in range(ctx.runs)]
    day1 = [d for d, _ in pairs]
    full = [f for _, f in pairs]
    shares = [r * 100 for r in ratios([d.requests for d in day1], [f.requests for f in full])]
    times = [r * 100 for r in ratios([d.elapsed for d in day1], [f.elapsed for f in full])]
    section = f"4 incremental ({n:,} art.)"
    return [
        Figure(section, "day-1 requests (incremental)", [d.requests for d in day1], "req",
               note=f"articles written: {fmt(median_of(d.items for d in day1))}"),
        Figure(section, "day-1 requests (full=1)", [f.requests for f in full], "req",
               note=f"articles written: {fmt(median_of(f.items for f in full))}"),
        Figure(section, "incremental / full requests", shares, "%", f"≤ {TARGET_PERCENT:g}",
               median_of(shares) <= TARGET_PERCENT),
        Figure(section, "day-1 time (incremental)", [d.elapsed for d in day1], "s"),
        Figure(section, "day-1 time (full=1)", [f.elapsed for f in full], "s"),
        Figure(section, "incremental / full time", times, "%"),
    ]

"""1. Throughput: ``scrapy crawl kangnamtimes`` (JavaScript off, every pipeline on) against the
fetch-only spider (:mod:`newscrawl.bench.fetch_only`) on the same replica server, with the same
settings, in pairs run back to back; and the crawl again with its pages parsed in one worker
process (``NEWSCRAWL_PARSE_PROCESSES=1``, for a machine with a core to spare), in pairs of its
own with the fetch-only spider."""

from __future__ import annotations

from collections.abc import Sequence

from newscrawl.bench.context import Context, interleaved
from newscrawl.bench.figures import Figure, fmt, median_of, ratios
from newscrawl.bench.runner import CrawlRun, serve

TARGET = 0.85
"""Crawl pages per second over fetch-only pages per second (issue 12)."""


def exits(runs: Sequence[CrawlRun]) -> str:
    """A note when a run exited non-zero (the health verdict) though it left its stats."""
    codes = [r.returncode for r in runs if r.returncode]
    return f"; non-zero exits: {codes}" if codes else ""


def counts(runs: Sequence[CrawlRun]) -> str:
    return (f"pages: {fmt(median_of(r.pages for r in runs))}, requests: "
            f"{fmt(median_of(r.requests for r in runs))}{exits(runs)}")


WORKERS = {"NEWSCRAWL_PARSE_PROCESSES": "1"}
"""The crawl with its pages parsed in a worker process."""


def run(ctx: Context) -> list[Figure]:
    n = ctx.sizes.crawl_articles
    with serve(n) as base_url:
        crawls, fetches = interleaved(
            ctx.runs,
            lambda: ctx.runner.crawl(base_url, f"crawl-{n}"),
            lambda: ctx.runner.fetch_only(base_url, f"fetch-{n}"))
        pooled, fetches_too = interleaved(
            ctx.runs,
            lambda: ctx.runner.crawl(base_url, f"crawl-workers-{n}", extra=WORKERS),
            lambda: ctx.runner.fetch_only(base_url, f"fetch-{n}"))
    ctx.crawls_of(n).extend(crawls)
    crawl_rates = [c.pages / c.elapsed for c in crawls]
    fetch_rates = [f.pages / f.elapsed for f in fetches]
    shares = ratios(crawl_rates, fetch_rates)
    pooled_rates = [c.pages / c.elapsed for c in pooled]
    pooled_shares = ratios(pooled_rates, [f.pages / f.elapsed for f in fetches_too])
    section = f"1 throughput ({n:,} art.)"
    return [
        Figure(section, "crawl articles/s", [c.items / c.elapsed for c in crawls], "/s",
               note=f"articles written: {fmt(median_of(c.items for c in crawls))}"),
        Figure(section, "crawl pages/s", crawl_rates, "/s", note=counts(crawls)),
        Figure(section, "fetch-only pages/s", fetch_rates, "/s", note=counts(fetches)),
        Figure(section, "crawl / fetch-only pages/s", shares, "x", f"≥ {TARGET}",
               median_of(shares) >= TARGET, "pairs run back to back, same server"),
        Figure(section, "crawl wall time", [c.wall_seconds for c in crawls], "s",
               note="process start to exit"),
        Figure(section, "fetch-only wall time", [f.wall_seconds for f in fetches], "s"),
        Figure(section, "crawl pages/s, 1 parse process", pooled_rates, "/s",
               note=f"NEWSCRAWL_PARSE_PROCESSES=1; articles written: "
                    f"{fmt(median_of(c.items for c in pooled))}{exits(pooled)}"),
        Figure(section, "crawl, 1 parse process / fetch-only", pooled_shares, "x",
               f"≥ {TARGET}", median_of(pooled_shares) >= TARGET,
               "a second core parses; pairs of their own"),
    ]

"""1. Throughput: ``scrapy crawl kangnamtimes`` (JavaScript off, every pipeline on) against the
fetch-only spider (:mod:`newscrawl.bench.fetch_only`) on the same replica server, with the same
settings, in pairs run back to back."""

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


def run(ctx: Context) -> list[Figure]:
    n = ctx.sizes.crawl_articles
    with serve(n) as base_url:
        crawls, fetches = interleaved(
            ctx.runs,
            lambda: ctx.runner.crawl(base_url, f"crawl-{n}"),
            lambda: ctx.runner.fetch_only(base_url, f"fetch-{n}"))
    ctx.crawls_of(n).extend(crawls)
    crawl_rates = [c.pages / c.elapsed for c in crawls]
    fetch_rates = [f.pages / f.elapsed for f in fetches]
    shares = ratios(crawl_rates, fetch_rates)
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
    ]

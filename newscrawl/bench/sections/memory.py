"""3. Memory: peak RSS of ``scrapy crawl`` at growing replica sizes (2,000 and, in ``--full``,
20,000 and 100,000 articles), their ratio against the target, and what grows: the allocation
sites of two small crawls under ``tracemalloc``, growth per article written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from newscrawl.bench.context import Context
from newscrawl.bench.figures import Figure, error_figure, fmt, median_of, ratios, shorten
from newscrawl.bench.runner import CrawlRun, serve

TARGET_RATIO = 1.3
"""Peak RSS at 20,000 articles over the 2,000 one (issue 12)."""
TARGET_SIZES = (2000, 20000)
MIB = 2**20


def sample(ctx: Context, articles: int) -> list[CrawlRun]:
    """``ctx.runs`` crawls of ``articles`` (those another section ran count)."""
    runs = ctx.crawls_of(articles)
    if len(runs) < ctx.runs:
        with serve(articles) as base_url:
            while len(runs) < ctx.runs:
                runs.append(ctx.runner.crawl(base_url, f"crawl-{articles}"))
    return runs


def projection(small: int, small_peak: float, large: int, large_peak: float,
               at: tuple[int, int] = TARGET_SIZES) -> tuple[float, float, float]:
    """The peak ratio at the sizes ``at``, projected on the line through the two measured
    peaks: ``(ratio, base, slope)``, the line being ``base + slope * articles``."""
    slope = (large_peak - small_peak) / (large - small)
    base = small_peak - slope * small
    return (base + slope * at[1]) / (base + slope * at[0]), base, slope


def ratio_figures(samples: Mapping[int, Sequence[CrawlRun]], sizes: Sequence[int]) -> list[Figure]:
    """The target's ratio: measured when the two sizes are the target's, else projected."""
    small, large = sizes[:2]
    if small not in samples or large not in samples:
        return []
    pairs = list(zip(samples[small], samples[large], strict=False))
    peaks = ratios([b.peak_rss_bytes for _, b in pairs], [a.peak_rss_bytes for a, _ in pairs])
    target = f"≤ {TARGET_RATIO}"
    if (small, large) == TARGET_SIZES:
        return [Figure("3 memory", "peak 20,000 / peak 2,000", peaks, "x", target,
                       median_of(peaks) <= TARGET_RATIO, "run i against run i")]
    projected, base, slope = projection(
        small, median_of(r.peak_rss_bytes / MIB for r in samples[small]),
        large, median_of(r.peak_rss_bytes / MIB for r in samples[large]))
    return [
        Figure("3 memory", f"peak {large:,} / peak {small:,}", peaks, "x",
               note="run i against run i"),
        Figure("3 memory", "projected 20,000 / 2,000", [projected], "x", target,
               projected <= TARGET_RATIO,
               f"linear in size: {base:.0f} MiB + {slope * 1000:.2f} MiB per 1,000 articles "
               "(bench-full measures it)"),
    ]


def run(ctx: Context) -> list[Figure]:
    figures: list[Figure] = []
    samples: dict[int, list[CrawlRun]] = {}
    for n in ctx.sizes.memory_articles:
        section = f"3 memory ({n:,} art.)"
        try:
            runs = samples[n] = sample(ctx, n)
        except Exception as error:  # one size failing leaves the others
            figures.append(error_figure(section, error))
            continue
        figures.append(Figure(
            section, "peak RSS of scrapy crawl", [r.peak_rss_bytes / MIB for r in runs], "MiB",
            note=f"pages: {fmt(median_of(r.pages for r in runs))}, "
                 f"{fmt(median_of(r.elapsed for r in runs))} s"))
    figures.extend(ratio_figures(samples, ctx.sizes.memory_articles))
    try:
        figures.extend(growth(ctx))
    except Exception as error:  # the peaks above stand without it
        figures.append(error_figure("3 memory (growth)", error))
    return figures


def growth_by_site(small: Sequence[Mapping[str, Any]], large: Sequence[Mapping[str, Any]]
                   ) -> list[tuple[int, str]]:
    """Bytes held per allocation site, large crawl minus small one, largest growth first (a
    site missing from one top list counts 0 there)."""
    by_site: dict[str, list[int]] = {}
    for index, entries in enumerate((small, large)):
        for entry in entries:
            by_site.setdefault(shorten(str(entry["where"])), [0, 0])[index] += int(entry["bytes"])
    return sorted(((b - a, where) for where, (a, b) in by_site.items()), reverse=True)


def growth(ctx: Context, top: int = 6) -> list[Figure]:
    """Name what grows: tracemalloc at close of two crawls, per article written."""
    small, large = ctx.sizes.tracemalloc_articles
    env = {**ctx.runner.env, "PYTHONTRACEMALLOC": "1"}
    traced: dict[int, CrawlRun] = {}
    for n in (small, large):
        with serve(n) as base_url:
            traced[n] = ctx.runner.crawl(base_url, f"tracemalloc-{n}", env=env)
    tops = {n: r.stats.get("bench/tracemalloc", []) for n, r in traced.items()}
    ctx.extras["tracemalloc"] = {str(n): top_list for n, top_list in tops.items()}
    articles = max(1, traced[large].items - traced[small].items)
    total = [int(traced[n].stats.get("bench/tracemalloc_total", 0)) for n in (small, large)]
    section = "3 memory (growth)"
    figures = [Figure(section, f"traced at the end, {small:,}→{large:,} art.",
                      [(total[1] - total[0]) / articles], "B/art.",
                      note=f"{total[0] / MIB:.1f} → {total[1] / MIB:.1f} MiB traced when the "
                           "spider went idle; one run each (tracemalloc)")]
    for grown, where in growth_by_site(tops[small], tops[large])[:top]:
        if grown <= 0:
            break
        figures.append(Figure(section, where, [grown / articles], "B/art.",
                              note="allocation site, growth per extra article written"))
    return figures

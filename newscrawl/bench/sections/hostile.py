"""8. Hostile pages: the worst single-page time and extra memory over the hostile pages of the
tests (:mod:`newscrawl.bench.hostile`), each run through the whole per-article path the crawl
runs after the fetch, against the README's budget of 200 MB of extra memory per page.

The path (:func:`article_path`) is the spider's callback and the pipelines' pure functions, in
the pipelines' order: ``parse_article``, ``validation_error``, ``clean_article``,
``schema_error``, the near-duplicate check and add (a fresh in-memory store, the settings'
defaults), and the JSON Lines line the exporter writes. Each page runs in a process of its own
(:func:`run_page`) that builds the page, warms the path up
on two small pages (so imports done on first use are not counted), then resets the kernel's
peak-RSS mark (``/proc/self/clear_refs``) and measures: extra memory is the peak RSS during the
path minus the RSS before it (C allocations of libxml2 included, unlike tracemalloc).
"""

from __future__ import annotations

import gc
import io
import json
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newscrawl.bench.context import Context
from newscrawl.bench.figures import Figure, fmt
from newscrawl.procstatus import STATUS, status_kib

BUDGET_BYTES = 200 * 2**20
"""The README's budget: no single page above 200 MB of extra memory."""
PAGE_TIMEOUT = 600.0
MIB = 2**20
CLEAR_REFS = Path("/proc/self/clear_refs")


# --- in the page's process ------------------------------------------------------------------


def rss_now_and_peak() -> tuple[int, int]:
    """This process's resident set and its peak since the last reset, in bytes."""
    text = STATUS.read_text()
    return (status_kib(text, "VmRSS") or 0) * 1024, (status_kib(text, "VmHWM") or 0) * 1024


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux 4.0+); False when it cannot."""
    try:
        CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def article_path(url: str, body: bytes) -> str:
    """What the crawl does with a fetched page, without the engine: parse, validate, clean,
    check the schema, dedupe, export. Returns ``written`` or the reason of the reject."""
    from scrapy.exporters import JsonLinesItemExporter
    from scrapy.http import HtmlResponse

    from newscrawl import settings as defaults
    from newscrawl.bench.hostile import BASE
    from newscrawl.monitoring.pipeline import FIELD_NAMES
    from newscrawl.monitoring.schema import schema_error
    from newscrawl.neardup import Deduper, MemoryDedupeStore
    from newscrawl.pages.article import parse_article
    from newscrawl.pipelines.clean import clean_article
    from newscrawl.pipelines.validate import validation_error
    from newscrawl.urls import Site

    response = HtmlResponse(url=url, body=body,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    parsed = parse_article(response, Site(BASE))
    parsed.page = None
    if not parsed.is_article:
        return "not_article"
    article = parsed.article
    article.discovered_via = {"block": "start", "position": None, "from_url": None}
    article.crawled_at = "2026-01-01T00:00:00+00:00"
    if (rejected := validation_error(article)) is not None:
        return rejected.reason
    clean_article(article, nfkc=defaults.NEWSCRAWL_NFKC_ENABLED)
    if not article.body:
        return "empty_body"
    if schema_error({name: getattr(article, name) for name in FIELD_NAMES}) is not None:
        return "schema_invalid"
    threshold, num_perm = defaults.NEWSCRAWL_DEDUPE_THRESHOLD, defaults.NEWSCRAWL_DEDUPE_NUM_PERM
    deduper = Deduper(MemoryDedupeStore(threshold, num_perm),
                      shingle=defaults.NEWSCRAWL_DEDUPE_SHINGLE_CHARS, threshold=threshold,
                      num_perm=num_perm)
    article_id = article.article_id or article.url
    if deduper.check_and_add(article_id, article.canonical_url, article.body,
                             article.date_published) is not None:
        return "duplicate"
    JsonLinesItemExporter(io.BytesIO(), encoding="utf-8").export_item(article)
    return "written"


def measure_page(name: str) -> dict[str, Any]:
    """Build page ``name``, warm the path up, then time it and measure its extra memory."""
    from newscrawl.bench.hostile import PAGES, URL, canonical_elsewhere, control_characters

    hostile = PAGES[name]()
    url, body = hostile.url, hostile.html.encode("utf-8")
    del hostile
    for warm_up in (canonical_elsewhere("700001"), control_characters()):  # markup, generic
        article_path(URL, warm_up.encode("utf-8"))
    gc.collect()
    exact = reset_peak()
    before, _ = rss_now_and_peak()
    started = time.perf_counter()
    outcome = article_path(url, body)
    seconds = time.perf_counter() - started
    _, peak = rss_now_and_peak()
    return {"page": name, "bytes": len(body), "seconds": seconds, "extra_bytes": peak - before,
            "outcome": outcome, "peak_reset": exact}


# --- in the benchmark -----------------------------------------------------------------------


WORKER = ("import json, sys; from newscrawl.bench.sections.hostile import measure_page; "
          "print(json.dumps(measure_page(sys.argv[1])))")


def run_page(name: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """:func:`measure_page` in a fresh process; its result."""
    done = subprocess.run([sys.executable, "-c", WORKER, name], capture_output=True, text=True,
                          timeout=PAGE_TIMEOUT, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"page {name} exited {done.returncode}: {done.stderr[-300:]}")
    return dict(json.loads(done.stdout))


@dataclass
class Worst:
    """The worst page of a measure: its name, its median, and the worst of each run."""

    page: str
    median: float
    per_run: list[float]


def worst(runs: Sequence[Sequence[Mapping[str, Any]]], key: str) -> Worst:
    """Over runs of every page (``runs[i]``: run ``i``, one result per page): the page whose
    median ``key`` is highest, and the highest ``key`` of each run (whatever its page)."""
    by_page: dict[str, list[float]] = {}
    for run in runs:
        for result in run:
            by_page.setdefault(result["page"], []).append(float(result[key]))
    medians = {page: sorted(values)[len(values) // 2] for page, values in by_page.items()}
    page = max(medians, key=lambda name: medians[name])
    return Worst(page, medians[page], [max(float(r[key]) for r in run) for run in runs])


def per_page(runs: Sequence[Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """One line per page for the JSON report: size, outcome, seconds and MiB of each run."""
    pages: dict[str, dict[str, Any]] = {}
    for run in runs:
        for result in run:
            line = pages.setdefault(result["page"], {"page": result["page"], "bytes":
                                                     result["bytes"], "outcome":
                                                     result["outcome"], "seconds": [],
                                                     "extra_mib": []})
            line["seconds"].append(round(result["seconds"], 4))
            line["extra_mib"].append(round(result["extra_bytes"] / MIB, 1))
    return list(pages.values())


def figures(runs: Sequence[Sequence[Mapping[str, Any]]]) -> list[Figure]:
    section = f"8 hostile ({len(runs[0])} pages)"
    slow, big = worst(runs, "seconds"), worst(runs, "extra_bytes")
    outcomes = sorted({r["outcome"] for run in runs for r in run})
    exact = all(r["peak_reset"] for run in runs for r in run)
    return [
        Figure(section, "worst page time, whole path", slow.per_run, "s",
               note=f"{slow.page} (median {fmt(slow.median)} s); parse to exported line; "
                    f"outcomes: {', '.join(outcomes)}"),
        Figure(section, "worst page extra memory", [v / MIB for v in big.per_run], "MiB",
               f"≤ {BUDGET_BYTES // MIB}", max(big.per_run) <= BUDGET_BYTES,
               f"{big.page}; peak RSS during the path minus RSS before"
               + ("" if exact else " (peak not resettable here: includes building the page)")),
    ]


def run(ctx: Context) -> list[Figure]:
    from newscrawl.bench.hostile import PAGES

    runs = [[run_page(name, ctx.runner.env) for name in PAGES] for _ in range(ctx.runs)]
    ctx.extras["hostile_pages"] = per_page(runs)
    return figures(runs)

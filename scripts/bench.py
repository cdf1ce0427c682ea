"""Benchmark the crawl over the replica: ``make bench`` (quick) and ``make bench-full``.

Every figure is the median of ``--runs`` runs (3 or more) with its min and max, and every speed
is set against a baseline measured in the same run (the fetch-only spider, trafilatura, the
crawl with JavaScript off), because absolute numbers on a shared machine mean little. Sections:

1. throughput: ``scrapy crawl kangnamtimes`` (JavaScript off, every pipeline on) against
   ``scripts/fetch_only_spider.py`` on the same replica server, same settings, interleaved;
2. extraction: ``parse_article`` + ``clean_body`` against ``trafilatura.extract`` on the same
   article pages, with the share of bodies equal to the ground truth;
3. memory: peak RSS of crawls of growing size, and what grows (a ``tracemalloc`` diff);
4. incremental: the day-1 crawl after a day-0 crawl (same state file) against a full crawl;
5. JavaScript: the crawl with ``-a js=1`` against without, and seconds per rendered page;
6. replica: pages per second one server process gives a keep-alive client.

``--profile`` runs one crawl under cProfile and prints the hottest functions of the project
and of Scrapy. Crawls are real ``scrapy crawl`` subprocesses; their stats are read from the JSON
that ``scripts/bench_stats.py`` (``STATS_CLASS``) writes when the spider closes.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

from newscrawl.demo import MIRROR_SETTINGS, crawl_command, replica

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"

CRAWL_TIMEOUT = 1800.0
POLL_SECONDS = 0.1


# --- sizes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    mode: str
    crawl_articles: int
    """Replica size of the throughput, JavaScript and profile crawls."""
    memory_articles: tuple[int, ...]
    """Replica sizes of the memory crawls; the target compares the first two."""
    tracemalloc_articles: tuple[int, int]
    """Two small crawls under tracemalloc, whose difference names what grows."""
    extraction_pages: int
    incremental_articles: int
    server_seconds: float


#: Quick: a few minutes on 2 cores, so smaller crawls (the table names every size) and the
#: 20,000 / 2,000 memory ratio projected from two sizes; full: the sizes of the issue.
QUICK = Sizes("quick", 500, (500, 2000), (200, 800), 300, 500, 3.0)
FULL = Sizes("full", 2000, (2000, 20000, 100000), (2000, 8000), 300, 2000, 5.0)


# --- figures and rows ---------------------------------------------------------------------------


@dataclass
class Row:
    section: str
    figure: str
    values: list[float] = field(default_factory=list)
    unit: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    text: str = ""
    """Shown instead of the median when there are no values (errors, skipped sections)."""

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.values:
            data |= {"median": self.median, "min": min(self.values), "max": max(self.values)}
        return data


def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: ""}[met]


def print_table(rows: Sequence[Row], machine: dict[str, Any]) -> None:
    header = ("section", "figure", "median", "min", "max", "unit", "target", "", "note")
    lines = [header]
    for row in rows:
        if row.values:
            cells = (fmt(row.median), fmt(min(row.values)), fmt(max(row.values)))
        else:
            cells = (row.text or "-", "", "")
        lines.append((row.section, row.figure, *cells, row.unit, row.target, verdict(row.met),
                      row.note))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    print()
    print(f"newscrawl benchmark ({machine['mode']}, {machine['runs']} runs per figure; median, "
          f"min, max) {machine['date']}")
    print(f"machine: {machine['cores']} cores ({machine['cpu_model']}), Python "
          f"{machine['python']}, Scrapy {machine['scrapy']}; load average "
          f"{machine['load_before']} before, {machine.get('load_after', '?')} after")
    for index, line in enumerate(lines):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False))
              + "  " + line[-1])
        if index == 0:
            print("  ".join("-" * width for width in widths))


# --- the machine --------------------------------------------------------------------------------


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or platform.machine()


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_info(sizes: Sizes, runs: int) -> dict[str, Any]:
    import scrapy

    return {
        "mode": sizes.mode,
        "runs": runs,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "cpu_model": cpu_model(),
        "memory_total_bytes": psutil.virtual_memory().total,
        "python": platform.python_version(),
        "scrapy": scrapy.__version__,
        "platform": platform.platform(),
        "load_before": load_average(),
    }


# --- the replica and crawls ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(articles: int, *, day: int = 0, port: int = 0,
          seed: int = 0) -> contextlib.AbstractContextManager[str]:
    """Serve the replica in a subprocess; yield its base URL (a fixed port when asked)."""
    return replica(articles, seed, day, port=port)


def truth(articles: int, base_url: str, *, day: int = 0, seed: int = 0) -> list[dict[str, Any]]:
    command = [sys.executable, "-m", "newscrawl.demosite", "truth", "--articles", str(articles),
               "--base-url", base_url, "--seed", str(seed), "--day", str(day)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode:  # older CLI without --seed/--day
        result = subprocess.run(command[:6], cwd=ROOT, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@dataclass
class CrawlRun:
    wall_seconds: float
    returncode: int
    stats: dict[str, Any]
    peak_rss_bytes: int
    log: Path

    @property
    def elapsed(self) -> float:
        """The crawl's own time (engine start to close), else the process's wall time."""
        return float(self.stats.get("elapsed_time_seconds") or self.wall_seconds)

    @property
    def pages(self) -> int:
        return int(self.stats.get("response_received_count", 0))

    @property
    def requests(self) -> int:
        return int(self.stats.get("downloader/request_count", 0))

    @property
    def items(self) -> int:
        return int(self.stats.get("item_scraped_count", 0))

    def check(self) -> CrawlRun:
        """The run itself, or an error when it left no stats (a non-zero exit with stats is a
        health verdict, kept in ``returncode`` and reported)."""
        if not self.stats:
            tail = self.log.read_text(errors="replace").strip().splitlines()[-5:]
            raise RuntimeError(f"crawl failed (exit {self.returncode}, no stats; {self.log}): "
                               + " | ".join(tail))
        return self


class Runner:
    """Runs scrapy subprocesses, with their stats and peak memory, under ``out/runs/``."""

    def __init__(self, out: Path) -> None:
        self.work = out / "runs"
        self.work.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.env = dict(os.environ)
        # each run starts in a directory of its own (see ``crawl``), so the project is named here
        self.env["SCRAPY_SETTINGS_MODULE"] = "newscrawl.settings"
        self.env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(SCRIPTS), str(ROOT), os.environ.get("PYTHONPATH", "")) if p)

    def _paths(self, name: str) -> tuple[Path, Path, Path]:
        self.count += 1
        stem = self.work / f"{self.count:03d}-{name}"
        for old in self.work.glob(f"{stem.name}*"):
            old.unlink()
        return stem.with_suffix(".jsonl"), stem.with_suffix(".stats.json"), stem.with_suffix(".log")

    def run(self, command: list[str], stats_file: Path, log: Path,
            env: dict[str, str] | None = None, cwd: Path = ROOT) -> CrawlRun:
        command = [*command, "-s", "STATS_CLASS=bench_stats.JsonStatsCollector",
                   "-s", f"BENCH_STATS_FILE={stats_file}"]
        started = time.perf_counter()
        peak = 0
        with log.open("w") as log_file:
            process = subprocess.Popen(command, cwd=cwd, env=env or self.env,
                                       stdout=log_file, stderr=subprocess.STDOUT)
            watched = psutil.Process(process.pid)
            while process.poll() is None:
                with contextlib.suppress(psutil.Error):
                    peak = max(peak, watched.memory_info().rss)
                if time.perf_counter() - started > CRAWL_TIMEOUT:
                    process.kill()
                time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - started
        stats: dict[str, Any] = {}
        if stats_file.exists():
            stats = json.loads(stats_file.read_text(encoding="utf-8"))
            peak = max(peak, int(stats.get("bench/maxrss_bytes", 0)))
        return CrawlRun(wall, process.returncode, stats, peak, log)

    def crawl(self, base_url: str, name: str, *, js: bool = False,
              arguments: dict[str, str] | None = None, extra: dict[str, str] | None = None,
              env: dict[str, str] | None = None, keep_output: bool = False,
              cwd: Path | None = None) -> CrawlRun:
        """One ``scrapy crawl``, in ``cwd`` (default: a fresh directory removed afterwards).

        The project's own feed (``output/%(name)s/…``, which the state's output journal reads
        back) is written under ``cwd`` too: in the repository it would mix the benchmark's runs
        with every other crawl, and a "fresh" state would reconcile articles from them.
        """
        output, stats_file, log = self._paths(name)
        # a state file and a lock of its own: a shared one would make every run after the first
        # incremental (and could meet another crawl's lock)
        extra = {"NEWSCRAWL_STATE": str(output.with_suffix(".state.sqlite3")),
                 "NEWSCRAWL_LOCK": str(output.with_suffix(".lock")), **(extra or {})}
        command = crawl_command(base_url, output, js=js, extra=extra)
        for key, value in (arguments or {}).items():
            command += ["-a", f"{key}={value}"]
        run_dir = cwd or output.with_suffix(".d")
        run_dir.mkdir(parents=True, exist_ok=True)
        try:
            result = self.run(command, stats_file, log, env, cwd=run_dir).check()
        finally:
            if cwd is None and not keep_output:
                shutil.rmtree(run_dir, ignore_errors=True)
        if not keep_output:
            for produced in self.work.glob(f"{output.stem}*"):
                if produced.suffix not in (".json", ".log"):
                    produced.unlink()
        return result

    def fetch_only(self, base_url: str, name: str) -> CrawlRun:
        _, stats_file, log = self._paths(name)
        command = [sys.executable, "-m", "scrapy", "runspider",
                   str(SCRIPTS / "fetch_only_spider.py"), "-a", f"base_url={base_url}"]
        for key, value in MIRROR_SETTINGS.items():
            command += ["-s", f"{key}={value}"]
        run_dir = stats_file.parent / f"{name}.d"
        run_dir.mkdir(exist_ok=True)
        try:
            return self.run(command, stats_file, log, cwd=run_dir).check()
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)


# --- the sections -------------------------------------------------------------------------------


@dataclass
class Bench:
    sizes: Sizes
    runs: int
    runner: Runner
    crawls: dict[int, list[CrawlRun]] = field(default_factory=dict)
    """JavaScript-off crawls by replica size, shared by the throughput and memory sections."""
    extras: dict[str, Any] = field(default_factory=dict)

    # 1 -----------------------------------------------------------------------------------------
    def throughput(self) -> list[Row]:
        n = self.sizes.crawl_articles
        crawls: list[CrawlRun] = []
        fetches: list[CrawlRun] = []
        with serve(n) as base_url:
            for run in range(self.runs):
                order: list[Callable[[], None]] = [
                    lambda: crawls.append(self.runner.crawl(base_url, f"crawl-{n}")),
                    lambda: fetches.append(self.runner.fetch_only(base_url, f"fetch-{n}")),
                ]
                for step in order if run % 2 == 0 else reversed(order):
                    step()
        self.crawls.setdefault(n, []).extend(crawls)
        ratios = [(c.pages / c.elapsed) / (f.pages / f.elapsed) for c, f in zip(crawls, fetches,
                                                                              strict=True)]
        section = f"1 throughput ({n:,} art.)"
        rows = [
            Row(section, "crawl articles/s", [c.items / c.elapsed for c in crawls], "/s",
                note=f"articles written: {fmt(statistics.median(c.items for c in crawls))}"),
            Row(section, "crawl pages/s", [c.pages / c.elapsed for c in crawls], "/s",
                note=f"pages: {fmt(statistics.median(c.pages for c in crawls))}, requests: "
                     f"{fmt(statistics.median(c.requests for c in crawls))}{exits(crawls)}"),
            Row(section, "fetch-only pages/s", [f.pages / f.elapsed for f in fetches], "/s",
                note=f"pages: {fmt(statistics.median(f.pages for f in fetches))}, requests: "
                     f"{fmt(statistics.median(f.requests for f in fetches))}{exits(fetches)}"),
            Row(section, "crawl / fetch-only pages/s", ratios, "x", "≥ 0.85",
                statistics.median(ratios) >= 0.85, "pairs run back to back, same server"),
            Row(section, "crawl wall time", [c.wall_seconds for c in crawls], "s",
                note="process start to exit"),
            Row(section, "fetch-only wall time", [f.wall_seconds for f in fetches], "s"),
        ]
        return rows

    # 2 -----------------------------------------------------------------------------------------
    def extraction(self) -> list[Row]:
        import trafilatura
        from scrapy.http import HtmlResponse

        from newscrawl.pages.article import parse_article
        from newscrawl.pages.links import article_links
        from newscrawl.text import clean_body
        from newscrawl.urls import Site

        n_pages = self.sizes.extraction_pages
        articles = max(self.sizes.crawl_articles, n_pages)
        with serve(articles) as base_url:
            expected = truth(articles, base_url)
            step = max(1, len(expected) // n_pages)
            chosen = expected[::step][:n_pages]
            pages = fetch_pages(base_url, [a["canonical_url"] for a in chosen])
        site = Site(base_url)

        def responses() -> list[HtmlResponse]:
            return [HtmlResponse(url=url, body=body, headers=headers)
                    for url, body, headers in pages]

        def ours(response: HtmlResponse) -> str | None:
            body = parse_article(response, site).article.body
            return clean_body(body).body if body else None

        texts = [r.text for r in responses()]

        def theirs(text: str) -> str | None:
            result = trafilatura.extract(text)
            return str(result) if result is not None else None

        ours_ms: list[float] = []
        links_ms: list[float] = []
        theirs_ms: list[float] = []
        ours_bodies: list[str | None] = []
        theirs_bodies: list[str | None] = []
        for _ in range(self.runs):
            fresh = responses()  # the project decodes each page itself, as in a crawl
            started = time.perf_counter()
            ours_bodies = [ours(r) for r in fresh]
            ours_ms.append((time.perf_counter() - started) * 1000 / len(fresh))
            trees = [(r.selector, r.url) for r in fresh]  # parsed outside the timing
            started = time.perf_counter()
            for tree, url in trees:
                article_links(tree, site, url)
            links_ms.append((time.perf_counter() - started) * 1000 / len(fresh))
            started = time.perf_counter()
            theirs_bodies = [theirs(t) for t in texts]
            theirs_ms.append((time.perf_counter() - started) * 1000 / len(texts))
        wanted = [str(a.get("body") or "") for a in chosen]
        exact = sum(b == w for b, w in zip(ours_bodies, wanted, strict=True)) / len(wanted)
        ours_norm = sum(normalize_lines(b) == normalize_lines(w)
                        for b, w in zip(ours_bodies, wanted, strict=True)) / len(wanted)
        theirs_norm = sum(normalize_lines(b) == normalize_lines(w)
                          for b, w in zip(theirs_bodies, wanted, strict=True)) / len(wanted)
        ours_cover = sum(covers(b, w) for b, w in zip(ours_bodies, wanted, strict=True))
        theirs_cover = sum(covers(b, w) for b, w in zip(theirs_bodies, wanted, strict=True))
        speedups = [t / o for o, t in zip(ours_ms, theirs_ms, strict=True)]
        self.extras["extraction_misses"] = [
            a["article_id"] for a, b in zip(chosen, ours_bodies, strict=True)
            if b != a.get("body")][:50]
        section = f"2 extraction ({len(pages)} pages)"
        return [
            Row(section, "parse_article+clean_body", ours_ms, "ms/art.",
                note="includes decoding the page"),
            Row(section, "  of which article_links", links_ms, "ms/art.",
                note="the link blocks (every <a> reduced by Site.article_ref)"),
            Row(section, "trafilatura.extract", theirs_ms, "ms/art.",
                note="given the decoded text"),
            Row(section, "speed-up vs trafilatura", speedups, "x", "≥ 10",
                statistics.median(speedups) >= 10),
            Row(section, "bodies = truth (project)", [exact * 100], "%",
                "> trafilatura", exact > theirs_norm,
                f"exact; {ours_norm * 100:.1f}% after line normalisation; all truth lines in "
                f"order: {ours_cover / len(wanted) * 100:.1f}%"),
            Row(section, "bodies = truth (trafilatura)", [theirs_norm * 100], "%",
                note="lines stripped, empty lines dropped, both sides; all truth lines in order: "
                     f"{theirs_cover / len(wanted) * 100:.1f}%"),
        ]

    # 3 -----------------------------------------------------------------------------------------
    def memory(self) -> list[Row]:
        rows: list[Row] = []
        peaks: dict[int, float] = {}
        for n in self.sizes.memory_articles:
            runs = self.crawls.setdefault(n, [])
            try:
                if len(runs) < self.runs:
                    with serve(n) as base_url:
                        while len(runs) < self.runs:
                            runs.append(self.runner.crawl(base_url, f"crawl-{n}"))
            except Exception as error:  # one size failing leaves the others
                rows.append(error_row(f"3 memory ({n:,} art.)", error))
                continue
            values = [r.peak_rss_bytes / 2**20 for r in runs]
            peaks[n] = statistics.median(values)
            rows.append(Row(f"3 memory ({n:,} art.)", "peak RSS of scrapy crawl", values, "MiB",
                            note=f"pages: {fmt(statistics.median(r.pages for r in runs))}, "
                                 f"{fmt(statistics.median(r.elapsed for r in runs))} s"))
        small, large = self.sizes.memory_articles[:2]
        if small in peaks and large in peaks:
            pairs = zip(self.crawls[small], self.crawls[large], strict=False)
            ratios = [b.peak_rss_bytes / a.peak_rss_bytes for a, b in pairs]
            if (small, large) == (2000, 20000):
                rows.append(Row("3 memory", "peak 20,000 / peak 2,000", ratios, "x", "≤ 1.5",
                                statistics.median(ratios) <= 1.5, "run i against run i"))
            else:
                slope = (peaks[large] - peaks[small]) / (large - small)
                base = peaks[small] - slope * small
                projected = (base + slope * 20000) / (base + slope * 2000)
                rows.append(Row("3 memory", f"peak {large:,} / peak {small:,}", ratios, "x",
                                note="run i against run i"))
                rows.append(Row("3 memory", "projected 20,000 / 2,000", [projected], "x",
                                "≤ 1.5", projected <= 1.5,
                                f"linear in size: {base:.0f} MiB + {slope * 1000:.2f} MiB per "
                                "1,000 articles (bench-full measures it)"))
        rows.extend(self.growth())
        return rows

    def growth(self) -> list[Row]:
        """Name what grows: tracemalloc at close of two crawls, per 1,000 articles of size."""
        small, large = self.sizes.tracemalloc_articles
        env = {**self.runner.env, "PYTHONTRACEMALLOC": "1"}
        snapshots: dict[int, CrawlRun] = {}
        for n in (small, large):
            with serve(n) as base_url:
                snapshots[n] = self.runner.crawl(base_url, f"tracemalloc-{n}", env=env)
        by_site: dict[str, list[int]] = {}
        for index, n in enumerate((small, large)):
            for entry in snapshots[n].stats.get("bench/tracemalloc", []):
                where = shorten(entry["where"])
                by_site.setdefault(where, [0, 0])[index] += int(entry["bytes"])
        articles = max(1, snapshots[large].items - snapshots[small].items)
        growth = sorted(((b - a, where) for where, (a, b) in by_site.items()), reverse=True)
        self.extras["tracemalloc"] = {str(n): r.stats.get("bench/tracemalloc", [])
                                      for n, r in snapshots.items()}
        total = [int(snapshots[n].stats.get("bench/tracemalloc_total", 0)) for n in
                 (small, large)]
        rows = [Row("3 memory (growth)", f"traced at the end, {small:,}→{large:,} art.",
                    [(total[1] - total[0]) / articles], "B/art.",
                    note=f"{total[0] / 2**20:.1f} → {total[1] / 2**20:.1f} MiB traced when the "
                         "spider went idle; one run each (tracemalloc)")]
        for grown, where in growth[:6]:
            if grown <= 0:
                break
            rows.append(Row("3 memory (growth)", where, [grown / articles], "B/art.",
                            note="allocation site, growth per extra article written"))
        return rows

    # 4 -----------------------------------------------------------------------------------------
    def incremental(self) -> list[Row]:
        from scrapy.utils.project import get_project_settings

        settings = get_project_settings()
        if settings.get("NEWSCRAWL_STATE") is None:
            return [Row("4 incremental", "day-1 after day-0", text="not available",
                        note="NEWSCRAWL_STATE is not a project setting yet")]
        n = self.sizes.incremental_articles
        port = free_port()
        day1: list[CrawlRun] = []
        full: list[CrawlRun] = []
        state_dir = self.runner.work / "state"
        shutil.rmtree(state_dir, ignore_errors=True)
        state_dir.mkdir()
        for run in range(self.runs):
            state = state_dir / f"state-{run}.sqlite3"
            full_state = state_dir / f"full-{run}.sqlite3"
            days = state_dir / f"days-{run}"  # day 0 and day 1 share their output journal
            alone = state_dir / f"full-{run}"
            with serve(n, day=0, port=port) as base_url:
                self.runner.crawl(base_url, f"day0-{n}", extra={"NEWSCRAWL_STATE": str(state)},
                                  cwd=days)
            with serve(n, day=1, port=port) as base_url:
                day1.append(self.runner.crawl(base_url, f"day1-{n}",
                                              extra={"NEWSCRAWL_STATE": str(state)}, cwd=days))
                full.append(self.runner.crawl(base_url, f"full1-{n}", arguments={"full": "1"},
                                              extra={"NEWSCRAWL_STATE": str(full_state)},
                                              cwd=alone))
            shutil.rmtree(days, ignore_errors=True)
            shutil.rmtree(alone, ignore_errors=True)
        shares = [d.requests / f.requests * 100 for d, f in zip(day1, full, strict=True)]
        times = [d.elapsed / f.elapsed * 100 for d, f in zip(day1, full, strict=True)]
        section = f"4 incremental ({n:,} art.)"
        return [
            Row(section, "day-1 requests (incremental)", [d.requests for d in day1], "req",
                note=f"articles written: {fmt(statistics.median(d.items for d in day1))}"),
            Row(section, "day-1 requests (full=1)", [f.requests for f in full], "req",
                note=f"articles written: {fmt(statistics.median(f.items for f in full))}"),
            Row(section, "incremental / full requests", shares, "%", "≤ 10",
                statistics.median(shares) <= 10),
            Row(section, "day-1 time (incremental)", [d.elapsed for d in day1], "s"),
            Row(section, "day-1 time (full=1)", [f.elapsed for f in full], "s"),
            Row(section, "incremental / full time", times, "%"),
        ]

    # 5 -----------------------------------------------------------------------------------------
    def javascript(self) -> list[Row]:
        if not js_available():
            return [Row("5 javascript", "js on / off", text="not available",
                        note="no -a js=1 support (NEWSCRAWL_JS / scrapy-playwright) or Chromium")]
        n = self.sizes.crawl_articles
        on: list[CrawlRun] = []
        off: list[CrawlRun] = []
        with serve(n) as base_url:
            for run in range(self.runs):
                order: list[Callable[[], None]] = [
                    lambda: off.append(self.runner.crawl(base_url, f"jsoff-{n}")),
                    lambda: on.append(self.runner.crawl(base_url, f"json-{n}", js=True)),
                ]
                for step in order if run % 2 == 0 else reversed(order):
                    step()
        self.crawls.setdefault(n, []).extend(off)
        ratios = [a.elapsed / b.elapsed for a, b in zip(on, off, strict=True)]
        rendered = [int(r.stats.get("newscrawl/js/rendered", 0)) for r in on]
        section = f"5 javascript ({n:,} art.)"
        rows = [
            Row(section, "crawl time, js off", [r.elapsed for r in off], "s",
                note=f"articles: {fmt(statistics.median(r.items for r in off))}"),
            Row(section, "crawl time, js on", [r.elapsed for r in on], "s",
                note=f"articles: {fmt(statistics.median(r.items for r in on))}"),
            Row(section, "js on / off time", ratios, "x", "≤ 1.3",
                statistics.median(ratios) <= 1.3),
            Row(section, "pages rendered", [float(x) for x in rendered], "pages",
                note="stat newscrawl/js/rendered"),
        ]
        if all(rendered):
            extra = [max(0.0, a.elapsed - b.elapsed) / r
                     for a, b, r in zip(on, off, rendered, strict=True)]
            rows.append(Row(section, "extra time per rendered page", extra, "s/page",
                            note="(time on - time off) / pages rendered"))
        return rows

    # 6 -----------------------------------------------------------------------------------------
    def replica(self) -> list[Row]:
        n = self.sizes.crawl_articles
        threads = 8
        rates: list[float] = []
        keepalive = True
        with serve(n) as base_url:
            urls = [a["canonical_url"] for a in truth(n, base_url)]
            for _ in range(self.runs):
                rate, kept = hammer(urls, threads, self.sizes.server_seconds)
                rates.append(rate)
                keepalive = keepalive and kept
        crawl_rates = [c.pages / c.elapsed for c in self.crawls.get(n, [])]
        connections = "keep-alive" if keepalive else "no keep-alive"
        rows = [Row(f"6 replica ({n:,} art.)", "article pages/s, one server", rates, "/s",
                    note=f"{threads} client threads, {connections}, "
                         f"{self.sizes.server_seconds:.0f} s each; client shares the cores")]
        if crawl_rates:
            share = [statistics.median(crawl_rates) / rate * 100 for rate in rates]
            rows.append(Row(f"6 replica ({n:,} art.)", "crawl pages/s / server pages/s",
                            share, "%", "< 100", statistics.median(share) < 100,
                            "below 100%: the crawl is not server-bound"))
        return rows


def exits(runs: Sequence[CrawlRun]) -> str:
    """A note when a run exited non-zero (the health verdict) though it left its stats."""
    codes = [r.returncode for r in runs if r.returncode]
    return f"; non-zero exits: {codes}" if codes else ""


def error_row(section: str, error: BaseException) -> Row:
    message = " ".join(str(error).split())
    return Row(section, "error", text="error", note=f"{type(error).__name__}: {message[:160]}")


def shorten(where: str) -> str:
    for marker in ("/site-packages/", "/lib/python3.11/", str(ROOT) + "/"):
        if marker in where:
            return where.split(marker, 1)[1]
    return where


def normalize_lines(text: str | None) -> str:
    """Whitespace-fair comparison: strip each line and drop the empty ones."""
    return "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


def covers(found: str | None, wanted: str) -> bool:
    """Every line of the truth appears, in order, among the extracted lines (extra lines such as
    the summary or a credit are allowed): a looser view than equality, for information."""
    lines = iter(normalize_lines(found).splitlines())
    return all(any(line == other for other in lines)
               for line in normalize_lines(wanted).splitlines())


def fetch_pages(base_url: str, urls: Sequence[str]) -> list[tuple[str, bytes, dict[str, str]]]:
    """Fetch pages once over one keep-alive connection: (url, body, headers)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    pages = []
    for url in urls:
        target = urlsplit(url)
        connection.request("GET", target.path + (f"?{target.query}" if target.query else ""))
        response = connection.getresponse()
        body = response.read()
        if response.status == 200:
            pages.append((url, body, {k: v for k, v in response.getheaders()
                                      if k.lower() == "content-type"}))
    connection.close()
    return pages


def hammer(urls: Sequence[str], threads: int, seconds: float) -> tuple[float, bool]:
    """Pages per second that ``threads`` keep-alive clients get; whether keep-alive held."""
    first = urlsplit(urls[0])
    paths = [urlsplit(u).path for u in urls]
    counts = [0] * threads
    closed = [False] * threads
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(first.hostname or "127.0.0.1", first.port,
                                                timeout=30)
        position = index
        while time.perf_counter() < deadline:
            connection.request("GET", paths[position % len(paths)])
            response = connection.getresponse()
            response.read()
            closed[index] = closed[index] or response.will_close
            if response.status == 200:
                counts[index] += 1
            position += threads
        connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - started), not any(closed)


def js_available() -> bool:
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    spider = (ROOT / "newscrawl" / "spiders" / "kangnamtimes.py").read_text(encoding="utf-8")
    has_setting = settings.get("NEWSCRAWL_JS") is not None or "NEWSCRAWL_JS" in spider
    has_browser = any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome"))
    return has_setting and has_browser and (ROOT / "newscrawl" / "rendering").exists()


# --- the profile --------------------------------------------------------------------------------


def profile(runner: Runner, articles: int, out: Path, top: int = 15) -> dict[str, Any]:
    """One crawl under cProfile; the top functions by cumulative time, project and Scrapy."""
    prof = out / "crawl.prof"
    with serve(articles) as base_url:
        output, stats_file, log = runner._paths(f"profile-{articles}")
        command = crawl_command(base_url, output, extra=None)
        command[1:1] = ["-m", "cProfile", "-o", str(prof)]
        run_dir = output.with_suffix(".d")
        run_dir.mkdir(exist_ok=True)
        extra = ["-s", f"NEWSCRAWL_STATE={run_dir / 'state.sqlite3'}",
                 "-s", f"NEWSCRAWL_LOCK={run_dir / 'lock'}"]
        try:
            run = runner.run([*command, *extra], stats_file, log, cwd=run_dir).check()
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)
    for produced in runner.work.glob(f"{output.stem}*.jsonl"):
        produced.unlink()
    print(f"\nprofile: one crawl of {articles:,} articles under cProfile, {run.elapsed:.1f} s "
          f"crawl time ({run.pages} pages), saved to {prof}")
    return {"articles": articles, "elapsed": run.elapsed, "pages": run.pages, "file": str(prof),
            **profile_tables(prof, top)}


def profile_tables(prof: Path, top: int = 15) -> dict[str, list[dict[str, Any]]]:
    """Print and return the hottest functions: project and Scrapy by cumulative time (without
    the entry points that hold the whole run), and any code by self time."""
    stats = pstats.Stats(str(prof))
    table: dict[str, list[dict[str, Any]]] = {"newscrawl": [], "scrapy": []}
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    entries = sorted(raw.items(), key=lambda item: item[1][3], reverse=True)
    total_seconds = entries[0][1][3] if entries else 0.0
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in entries:
        group = ("newscrawl" if f"{ROOT}/newscrawl/" in filename
                 else "scrapy" if "/scrapy/" in filename else None)
        # entry points (cmdline, the reactor, the crawl command) hold the whole run: skip them
        if group is None or len(table[group]) >= top or cumtime > 0.9 * total_seconds:
            continue
        table[group].append({"function": f"{shorten(filename)}:{line}({name})", "calls": calls,
                             "tottime": round(tottime, 3), "cumtime": round(cumtime, 3)})
    table["self time, any code"] = [
        {"function": f"{shorten(filename)}:{line}({name})", "calls": calls,
         "tottime": round(tottime, 3), "cumtime": round(cumtime, 3)}
        for (filename, line, name), (_cc, calls, tottime, cumtime, _callers)
        in sorted(raw.items(), key=lambda item: item[1][2], reverse=True)[:top]]
    for group, rows in table.items():
        title = (f"top {top} functions of any code by self time" if group.startswith("self")
                 else f"top {top} {group} functions by cumulative time")
        print(f"\n  {title}")
        print(f"  {'cumtime':>8} {'tottime':>8} {'calls':>8}  function")
        for row in rows:
            print(f"  {row['cumtime']:8.2f} {row['tottime']:8.2f} {row['calls']:8d}  "
                  f"{row['function']}")
    return table


# --- main -------------------------------------------------------------------------------------


SECTIONS = ("throughput", "extraction", "memory", "incremental", "javascript", "replica")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick",
                      help="the sizes above, a few minutes on 2 cores (default)")
    mode.add_argument("--full", dest="mode", action="store_const", const="full",
                      help="adds the 100,000-article memory crawl")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (3 or more)")
    parser.add_argument("--out", type=Path, default=ROOT / "output" / "bench")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run, of {', '.join(SECTIONS)}")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one crawl with cProfile and print the hot functions")
    parser.add_argument("--profile-only", action="store_true", help="only the profile")
    parser.add_argument("--profile-articles", type=int, default=2000,
                        help="replica size of the profiled crawl (default 2000)")
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be 3 or more: every figure is a median with its spread")
    sizes = FULL if args.mode == "full" else QUICK
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    args.out.mkdir(parents=True, exist_ok=True)

    machine = machine_info(sizes, args.runs)
    runner = Runner(args.out)
    bench = Bench(sizes, args.runs, runner)
    rows: list[Row] = []
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for name in [] if args.profile_only else [s for s in SECTIONS if s in only]:
        print(f"[{time.perf_counter() - started:6.0f} s] {name} …", file=sys.stderr, flush=True)
        section_started = time.perf_counter()
        try:
            rows.extend(getattr(bench, name)())
        except Exception as error:
            traceback.print_exc()
            rows.append(error_row(f"{SECTIONS.index(name) + 1} {name}", error))
        timings[name] = round(time.perf_counter() - section_started, 1)
    profiled: dict[str, Any] = {}
    if args.profile or args.profile_only:
        try:
            profiled = profile(runner, args.profile_articles, args.out)
        except Exception as error:
            traceback.print_exc()
            rows.append(error_row("profile", error))
    machine["load_after"] = load_average()
    machine["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True,
                                       check=False).stdout.strip()
    machine["bench_seconds"] = round(time.perf_counter() - started, 1)
    if rows:
        print_table(rows, machine)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {"machine": machine, "sizes": asdict(sizes), "section_seconds": timings,
              "rows": [row.as_dict() for row in rows], "profile": profiled,
              "extras": bench.extras}
    text = json.dumps(report, ensure_ascii=False, indent=1)
    (args.out / f"bench-{stamp}.json").write_text(text, encoding="utf-8")
    (args.out / "latest.json").write_text(text, encoding="utf-8")
    print(f"\nsaved {args.out / f'bench-{stamp}.json'} (and latest.json); "
          f"{machine['bench_seconds']:.0f} s in all")
    return 1 if any(row.text == "error" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

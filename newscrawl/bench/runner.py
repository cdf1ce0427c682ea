"""Crawls as the user runs them: ``scrapy crawl`` and ``scrapy runspider`` subprocesses, each in a
directory of its own under ``<out>/runs/``, with their stats and peak memory, against a replica
served by another process (:func:`newscrawl.demo.replica`).

Stats come from the JSON that :class:`newscrawl.bench.stats.JsonStatsCollector` (``STATS_CLASS``)
writes when the spider closes. Peak memory is the kernel's own count for the crawl process, so
no short peak is missed between two polls: its ``VmHWM`` as the stats collector reads it at
close (the peak of the crawl's own program), else ``wait4``'s ``ru_maxrss`` when it is reaped
(which on Linux also counts this process's resident set when it forked the crawl).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newscrawl.demo import MIRROR_SETTINGS, crawl_command, replica

CRAWL_TIMEOUT = 1800.0
"""Seconds after which a crawl is killed (its figures are then reported as an error)."""
POLL_SECONDS = 0.05
STATS_CLASS = "newscrawl.bench.stats.JsonStatsCollector"
FETCH_ONLY_SPIDER = Path(__file__).with_name("fetch_only.py")


def serve(articles: int, *, day: int = 0, port: int = 0, seed: int = 0,
          options: Sequence[str] = ()) -> contextlib.AbstractContextManager[str]:
    """Serve the replica in a subprocess; yield its base URL (a fixed port when asked)."""
    return replica(articles, seed, day, port=port, options=options)


def rss_bytes(ru_maxrss: int, platform: str = sys.platform) -> int:
    """``ru_maxrss`` in bytes: the kernel reports KiB on Linux, bytes on macOS."""
    return int(ru_maxrss if platform == "darwin" else ru_maxrss * 1024)


def reap(process: subprocess.Popen[bytes], timeout: float = CRAWL_TIMEOUT) -> tuple[int, int]:
    """Wait for ``process`` (killed after ``timeout`` seconds): its exit code and peak RSS."""
    started = time.perf_counter()
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - started > timeout:
            process.kill()
        time.sleep(POLL_SECONDS)
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return process.returncode, rss_bytes(usage.ru_maxrss)


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


@dataclass(frozen=True)
class RunFiles:
    """The files of one run: ``output`` (the feed; state and lock sit beside it), the stats
    JSON, the log, and ``directory``, the run's working directory."""

    output: Path
    stats: Path
    log: Path

    @property
    def directory(self) -> Path:
        return self.output.with_suffix(".d")


class Runner:
    """Runs scrapy subprocesses, with their stats and peak memory, under ``out/runs/``."""

    def __init__(self, out: Path) -> None:
        self.work = out.resolve() / "runs"  # absolute: every run has its own working directory
        self.work.mkdir(parents=True, exist_ok=True)
        self.count = 0
        # each run starts in a directory of its own, so the project is named here
        self.env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}

    def files(self, name: str) -> RunFiles:
        """Fresh file names for the next run, numbered in the order the runs start."""
        self.count += 1
        stem = self.work / f"{self.count:03d}-{name}"
        for old in self.work.glob(f"{stem.name}*"):
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink()
        return RunFiles(stem.with_suffix(".jsonl"), stem.with_suffix(".stats.json"),
                        stem.with_suffix(".log"))

    def run(self, command: list[str], files: RunFiles, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> CrawlRun:
        """Run ``command`` with the benchmark's stats collector; its stats and peak memory."""
        command = [*command, "-s", f"STATS_CLASS={STATS_CLASS}",
                   "-s", f"BENCH_STATS_FILE={files.stats}"]
        started = time.perf_counter()
        with files.log.open("wb") as log:
            process = subprocess.Popen(command, cwd=cwd or files.directory, env=env or self.env,
                                       stdout=log, stderr=subprocess.STDOUT)
            returncode, peak = reap(process)
        wall = time.perf_counter() - started
        stats: dict[str, Any] = {}
        if files.stats.exists():
            stats = json.loads(files.stats.read_text(encoding="utf-8"))
            # the crawl's own count when it wrote one: wait4's includes the resident set of
            # this process when it forked the crawl (see stats.peak_rss_bytes)
            peak = int(stats.get("bench/maxrss_bytes") or peak)
        return CrawlRun(wall, returncode, stats, peak, files.log)

    def crawl_command(self, base_url: str, files: RunFiles, *, js: bool = False,
                      arguments: dict[str, str] | None = None,
                      extra: dict[str, str] | None = None) -> list[str]:
        """``scrapy crawl kangnamtimes`` as the demo runs it, with spider arguments."""
        command = crawl_command(base_url, files.output, js=js, extra=extra)
        for key, value in (arguments or {}).items():
            command += ["-a", f"{key}={value}"]
        return command

    def crawl(self, base_url: str, name: str, *, js: bool = False,
              arguments: dict[str, str] | None = None, extra: dict[str, str] | None = None,
              env: dict[str, str] | None = None, cwd: Path | None = None) -> CrawlRun:
        """One ``scrapy crawl``, in ``cwd`` (default: a fresh directory removed afterwards).

        Its state file and lock are its own (beside the feed; ``extra`` may name others): a
        shared state would make every run after the first incremental. The project's default
        feed and output journal land under ``cwd`` too, away from every other crawl's.
        """
        files = self.files(name)
        command = self.crawl_command(base_url, files, js=js, arguments=arguments, extra=extra)
        directory = cwd or files.directory
        directory.mkdir(parents=True, exist_ok=True)
        try:
            return self.run(command, files, env, cwd=directory).check()
        finally:
            self.clean(files, directory if cwd is None else None)

    def fetch_only_command(self, base_url: str) -> list[str]:
        """The baseline: ``scrapy runspider`` of the fetch-only spider, the crawl's settings."""
        command = [sys.executable, "-m", "scrapy", "runspider", str(FETCH_ONLY_SPIDER),
                   "-a", f"base_url={base_url}"]
        for key, value in MIRROR_SETTINGS.items():
            command += ["-s", f"{key}={value}"]
        return command

    def fetch_only(self, base_url: str, name: str) -> CrawlRun:
        files = self.files(name)
        files.directory.mkdir(parents=True, exist_ok=True)
        try:
            return self.run(self.fetch_only_command(base_url), files).check()
        finally:
            self.clean(files, files.directory)

    def clean(self, files: RunFiles, directory: Path | None) -> None:
        """Remove what a run produced but its stats and log (feed, state, lock, rejects)."""
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
        for produced in self.work.glob(f"{files.output.stem}*"):
            if produced.is_file() and produced.suffix not in (".json", ".log"):
                produced.unlink()

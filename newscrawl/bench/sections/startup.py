"""7. Start-up: seconds from the start of the ``scrapy crawl`` process to the first request the
replica sees (robots.txt), against the same for the fetch-only spider (``scrapy runspider``), in
pairs run back to back. The difference is what the project adds to Scrapy's own start-up
(imports, settings, components). Each run is stopped at its first request."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from newscrawl.bench.context import Context, interleaved
from newscrawl.bench.figures import Figure
from newscrawl.bench.runner import RunFiles, serve

POLL_SECONDS = 0.005
TIMEOUT = 120.0


def wait_for_growth(path: Path, size: int, started: float, process: subprocess.Popen[bytes],
                    timeout: float = TIMEOUT) -> float:
    """Seconds from ``started`` until ``path`` grows past ``size`` bytes; an error when the
    process exits first or the time runs out."""
    while path.stat().st_size <= size:
        if process.poll() is not None:
            raise RuntimeError(f"exited ({process.returncode}) before its first request")
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"no request within {timeout:.0f} s")
        time.sleep(POLL_SECONDS)
    return time.perf_counter() - started


def first_request(ctx: Context, name: str, command: Callable[[RunFiles], list[str]],
                  request_log: Path) -> float:
    """Start ``command(files)``, wait for the replica to log a request, stop the process:
    the seconds in between."""
    runner = ctx.runner
    files = runner.files(name)
    files.directory.mkdir(parents=True, exist_ok=True)
    argv = command(files)
    seen = request_log.stat().st_size
    with files.log.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=files.directory, env=runner.env, stdout=log,
                                   stderr=subprocess.STDOUT)
        try:
            return wait_for_growth(request_log, seen, started, process)
        finally:
            process.kill()
            process.wait()
            runner.clean(files, files.directory)


def run(ctx: Context) -> list[Figure]:
    n = ctx.sizes.startup_articles
    request_log = ctx.runner.work / "startup-requests.log"
    request_log.unlink(missing_ok=True)
    runner = ctx.runner
    with serve(n, options=["--request-log", str(request_log)]) as base_url:
        crawls, fetches = interleaved(
            ctx.runs,
            lambda: first_request(ctx, "startup-crawl",
                                  lambda files: runner.crawl_command(base_url, files),
                                  request_log),
            lambda: first_request(ctx, "startup-fetch",
                                  lambda _: runner.fetch_only_command(base_url), request_log))
    section = "7 start-up"
    note = "process start to the first request the replica sees"
    return [
        Figure(section, "scrapy crawl to first request", crawls, "s", note=note),
        Figure(section, "fetch-only spider to first request", fetches, "s",
               note="scrapy runspider, Scrapy's components only"),
        Figure(section, "crawl - fetch-only", [c - f for c, f in zip(crawls, fetches,
                                                                     strict=True)], "s",
               note="the project's own start-up: imports, settings, components"),
    ]

"""``make demo-cluster``: Redis, the replica and three workers sharing one crawl; one summary.

Run as ``python -m newscrawl.distributed.demo [--workers 3] [--articles 300]``. Every worker
is a real ``scrapy crawl kangnamtimes`` subprocess with ``NEWSCRAWL_REDIS_URL`` set and its own
``-O`` file, exactly what one would start on several machines; Redis is Debian's
``redis-server`` on a Unix socket in a temporary directory, stopped at the end.

``--bench 1,2,4`` instead measures articles per second for each number of workers (``--repeat``
timed runs each), and ``--round-trips`` counts, in one more untimed run each, the Redis commands
the workers send per article (``MONITOR``: commands run inside the Lua scripts do not count, one
script call is one round trip).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from newscrawl.demo import crawl_command, read_jsonl, replica

#: Per-worker settings for the replica: no delay, enough concurrency that the server is not
#: the limit (one replica process serves some 2,800 article pages per second).
WORKER_SETTINGS = {"LOG_LEVEL": "INFO"}


class RedisServer:
    """Debian's ``redis-server`` on a Unix socket (no TCP port, no persistence), in a short
    temporary directory of its own (a socket path must stay under ~100 bytes)."""

    def __init__(self, log_dir: Path | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server not found: apt-get install redis-server "
                               "(make setup installs it)")
        self.directory = Path(tempfile.mkdtemp(prefix="nc-redis-"))
        # Absolute: redis-server changes to --dir before it opens its log file.
        self.log = ((log_dir or self.directory) / "redis.log").resolve()
        socket_path = self.directory / "redis.sock"
        self.url = f"unix://{socket_path}"
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
             "--save", "", "--appendonly", "no", "--dir", str(self.directory),
             "--logfile", str(self.log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Return once the server answers ``PING``."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-500:] if self.log.exists() else ""
                raise RuntimeError(f"redis-server exited ({self.process.returncode}): {tail}")
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except (redis.ConnectionError, FileNotFoundError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not answer within {timeout} s") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def redis_server(log_dir: Path | None = None) -> Iterator[RedisServer]:
    """A running :class:`RedisServer`, stopped (and its directory removed) afterwards."""
    server = RedisServer(log_dir)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)


def worker_command(base_url: str, output: Path, redis_url: str,
                   extra: dict[str, str] | None = None) -> list[str]:
    """The ``scrapy crawl`` of one worker: its own feed, log, lock and state file names."""
    settings = {**WORKER_SETTINGS, "NEWSCRAWL_REDIS_URL": redis_url,
                "LOG_FILE": str(output.with_suffix(".log")), **(extra or {})}
    return crawl_command(base_url, output, extra=settings)


def start_worker(base_url: str, output: Path, redis_url: str,
                 extra: dict[str, str] | None = None, cwd: Path | None = None,
                 ) -> subprocess.Popen[bytes]:
    return subprocess.Popen(worker_command(base_url, output, redis_url, extra), cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@dataclass
class ClusterRun:
    """What a crawl by several workers wrote."""

    outputs: list[Path]
    returncodes: list[int]
    elapsed: float
    articles: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    summaries: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def read(cls, outputs: list[Path], returncodes: list[int], elapsed: float) -> ClusterRun:
        run = cls(outputs, returncodes, elapsed)
        for output in outputs:
            run.articles += read_jsonl(output)
            run.rejects += read_jsonl(output.with_suffix(".rejects.jsonl"))
            summary = output.with_suffix(".summary.json")
            if summary.exists():
                run.summaries.append(json.loads(summary.read_text()))
        return run

    def verdicts(self) -> list[str]:
        return [last_line(output.with_suffix(".log")) for output in self.outputs]


def crawl(base_url: str, directory: Path, redis_url: str, workers: int,
          extra: dict[str, str] | None = None) -> ClusterRun:
    """Start *workers* workers at once, wait for all of them, read what they wrote."""
    directory.mkdir(parents=True, exist_ok=True)
    outputs = [directory / f"worker{n}.jsonl" for n in range(1, workers + 1)]
    started = time.monotonic()
    processes = [start_worker(base_url, output, redis_url, extra) for output in outputs]
    codes = [process.wait(timeout=900) for process in processes]
    return ClusterRun.read(outputs, codes, time.monotonic() - started)


def last_line(log: Path) -> str:
    if not log.exists():
        return ""
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return re.sub(r"^[A-Z]+: ", "", lines[-1].split("] ", 1)[-1]) if lines else ""


class CommandCounter:
    """Counts the commands clients send to Redis (``MONITOR``), not those scripts run."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url)
        self.counts: Counter[str] = Counter()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._stop = threading.Event()

    def _listen(self) -> None:
        with self.client.monitor() as monitor:  # type: ignore[no-untyped-call]
            for command in monitor.listen():
                if self._stop.is_set():
                    return
                if command.get("client_type") == "lua":
                    continue
                self.counts[str(command.get("command", "")).split(" ", 1)[0].upper()] += 1

    def __enter__(self) -> CommandCounter:
        self._thread.start()
        time.sleep(0.2)  # MONITOR is on before the first worker starts
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.client.ping()  # one more command wakes the listener up
        self._thread.join(timeout=5)


def summary_lines(run: ClusterRun, seeds: int | None = None) -> list[str]:
    ids = Counter(str(a["article_id"]) for a in run.articles)
    doubled = sorted(i for i, n in ids.items() if n > 1)
    pages = sum(int(s.get("responses", 0)) for s in run.summaries)
    lines = [f"workers           {len(run.outputs)}"]
    for output, article_count in zip(run.outputs, _per_output(run), strict=True):
        lines.append(f"  {output.name:<16}{article_count} article(s)")
    lines += [
        f"articles written  {len(ids)} distinct in {len(run.articles)} line(s)"
        f"{'' if not doubled else f' — DOUBLED: {doubled[:10]}'}",
        f"rejected          {len(run.rejects)} "
        f"({', '.join(f'{r} {n}' for r, n in Counter(x['reason'] for x in run.rejects).items())})",
        f"pages fetched     {pages}",
    ]
    if seeds is not None:
        lines.append(f"home page fetched {seeds} time(s) (the seeds, once per crawl)")
    lines += [f"elapsed           {run.elapsed:.1f} s (start-up included)",
              f"articles/s        {len(ids) / run.elapsed:.1f}"]
    for output, code, verdict in zip(run.outputs, run.returncodes, run.verdicts(), strict=True):
        lines.append(f"{output.stem:<8} exit {code}: {verdict}")
    return lines


def _per_output(run: ClusterRun) -> list[int]:
    return [len(read_jsonl(output)) for output in run.outputs]


def demo(workers: int, articles: int, out: Path) -> int:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    request_log = out / "requests.log"
    with redis_server(out) as server, replica(articles, options=["--request-log",
                                                               str(request_log)]) as base_url:
        url = server.url
        print(f"redis: {url}\nreplica: {articles} articles at {base_url}\n"
              f"{workers} workers: scrapy crawl kangnamtimes -a base_url={base_url} "
              f"-s NEWSCRAWL_REDIS_URL={url} -O {out}/workerN.jsonl", flush=True)
        run = crawl(base_url, out, url, workers)
    home = sum(1 for line in request_log.read_text().splitlines()
               if line.split()[1:2] == ["/ja/"])
    print()
    print("\n".join(summary_lines(run, seeds=home)))
    ok = all(code == 0 for code in run.returncodes)
    return 0 if ok else 1


def bench(counts: Sequence[int], articles: int, repeat: int, out: Path,
          round_trips: bool) -> None:
    """Articles per second for each number of workers (median, min–max of *repeat* runs)."""
    print(f"{'workers':>7}  {'articles/s (median, min–max)':<30} {'articles':>8} "
          f"{'round trips/article':>20}")
    for workers in counts:
        rates, written, trips = [], 0, ""
        for attempt in range(repeat + (1 if round_trips else 0)):
            with redis_server() as server, replica(articles) as base_url:
                url = server.url
                directory = out / f"w{workers}-{attempt}"
                if directory.exists():
                    shutil.rmtree(directory)
                if round_trips and attempt == 0:
                    with CommandCounter(url) as counter:
                        run = crawl(base_url, directory, url, workers)
                    written = len({a["article_id"] for a in run.articles})
                    total = sum(counter.counts.values())
                    trips = f"{total / max(written, 1):.1f} ({_top(counter.counts)})"
                    continue
                run = crawl(base_url, directory, url, workers)
                written = len({a["article_id"] for a in run.articles})
                rates.append(written / run.elapsed)
        shown = (f"{statistics.median(rates):.1f} ({min(rates):.1f}–{max(rates):.1f})"
                 if rates else "-")
        print(f"{workers:>7}  {shown:<30} {written:>8} {trips:>20}", flush=True)


def _top(counts: Counter[str]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.most_common(4))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--output", type=Path, default=Path("output/demo-cluster"))
    parser.add_argument("--bench", help="comma-separated worker counts, e.g. 1,2,4")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--round-trips", action="store_true",
                        help="with --bench: count Redis round trips in one extra run each")
    args = parser.parse_args(argv)
    if args.bench:
        counts = [int(n) for n in args.bench.split(",")]
        print(f"{os.cpu_count()} CPU(s); {args.articles}-article replica; "
              f"{args.repeat} run(s) each", flush=True)
        bench(counts, args.articles, args.repeat, args.output / "bench", args.round_trips)
        return 0
    return demo(args.workers, args.articles, args.output)


if __name__ == "__main__":
    sys.exit(main())

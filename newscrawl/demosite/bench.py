"""Measure the article pages per second one replica server process sustains.

``python -m newscrawl.demosite.bench [--articles 5000] [--clients 4] [--seconds 5]`` starts
``serve --quiet`` in a subprocess, then runs keep-alive clients (one process each, so they do
not share the server's interpreter) over the canonical article URLs in a shuffled order: the
first pass renders every page on request, the second meets the server's page cache.
``wrk`` gives the same figures with less client overhead when it is installed.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import random
import subprocess
import sys
import time
from urllib.parse import urlsplit

from newscrawl.demosite.generator import DemoSite


def _client(host: str, port: int, paths: list[str], deadline: float,
            out: multiprocessing.Queue[int]) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    done = 0
    for path in paths:
        if time.monotonic() > deadline:
            break
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{path}: {resp.status}")
        done += 1
    conn.close()
    out.put(done)


def run_pass(base_url: str, paths: list[str], clients: int, seconds: float) -> float:
    """Pages per second over one pass of ``paths`` split between ``clients``."""
    parts = urlsplit(base_url)
    queue: multiprocessing.Queue[int] = multiprocessing.Queue()
    start = time.monotonic()
    procs = [multiprocessing.Process(
        target=_client,
        args=(parts.hostname, parts.port, paths[k::clients], start + seconds, queue))
        for k in range(clients)]
    for p in procs:
        p.start()
    total = sum(queue.get() for _ in procs)
    elapsed = time.monotonic() - start
    for p in procs:
        p.join()
    return total / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.demosite.bench")
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    server = subprocess.Popen(
        [sys.executable, "-m", "newscrawl.demosite", "serve", "--port", "0", "--quiet",
         "--articles", str(args.articles)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().split()[1]
        site = DemoSite(args.articles, base_url=base_url)
        paths = [urlsplit(site.canonical_url(i)).path for i in range(site.total)]
        random.Random(1).shuffle(paths)
        for name in ("first pass (rendered on request)", "second pass (page cache)"):
            rate = run_pass(base_url, paths, args.clients, args.seconds)
            print(f"{name}: {rate:.0f} article pages/s", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

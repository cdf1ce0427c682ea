"""6. Replica: article pages per second that one server process gives keep-alive clients, set
against the crawl's pages per second (below 100 %: the crawl is not server-bound)."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from newscrawl.bench.context import Context
from newscrawl.bench.figures import Figure, median_of
from newscrawl.bench.runner import serve
from newscrawl.demo import truth

THREADS = 8


@dataclass
class Client:
    """One keep-alive connection asking for ``paths[index::step]`` in turn until ``deadline``."""

    host: str
    port: int | None
    paths: Sequence[str]
    index: int
    step: int
    deadline: float
    pages: int = 0
    closed: bool = False
    """Whether the server ever answered ``Connection: close``."""

    def __call__(self) -> None:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        position = self.index
        while time.perf_counter() < self.deadline:
            connection.request("GET", self.paths[position % len(self.paths)])
            response = connection.getresponse()
            response.read()
            self.closed = self.closed or response.will_close
            if response.status == 200:
                self.pages += 1
            position += self.step
        connection.close()


def hammer(urls: Sequence[str], threads: int, seconds: float) -> tuple[float, bool]:
    """Pages per second that ``threads`` keep-alive clients get; whether keep-alive held."""
    first = urlsplit(urls[0])
    paths = [urlsplit(u).path for u in urls]
    deadline = time.perf_counter() + seconds
    clients = [Client(first.hostname or "127.0.0.1", first.port, paths, i, threads, deadline)
               for i in range(threads)]
    started = time.perf_counter()
    workers = [threading.Thread(target=client) for client in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    rate = sum(c.pages for c in clients) / (time.perf_counter() - started)
    return rate, not any(c.closed for c in clients)


def run(ctx: Context) -> list[Figure]:
    n = ctx.sizes.crawl_articles
    seconds = ctx.sizes.server_seconds
    rates: list[float] = []
    keepalive = True
    with serve(n) as base_url:
        urls = [a["canonical_url"] for a in truth(base_url, n).values()]
        for _ in range(ctx.runs):
            rate, kept = hammer(urls, THREADS, seconds)
            rates.append(rate)
            keepalive = keepalive and kept
    section = f"6 replica ({n:,} art.)"
    connections = "keep-alive" if keepalive else "no keep-alive"
    figures = [Figure(section, "article pages/s, one server", rates, "/s",
                      note=f"{THREADS} client threads, {connections}, {seconds:.0f} s each; "
                           "client shares the cores")]
    crawl_rates = [c.pages / c.elapsed for c in ctx.crawls.get(n, [])]
    if crawl_rates:
        shares = [median_of(crawl_rates) / rate * 100 for rate in rates]
        figures.append(Figure(section, "crawl pages/s / server pages/s", shares, "%", "< 100",
                              median_of(shares) < 100,
                              "below 100%: the crawl is not server-bound"))
    return figures

"""What every section is given: the sizes of the mode, the runs per figure, the runner, and the
crawls the sections share (a JavaScript-off crawl of the throughput section is also a memory
sample)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from newscrawl.bench.runner import CrawlRun, Runner

A = TypeVar("A")
B = TypeVar("B")


@dataclass(frozen=True)
class Sizes:
    mode: str
    crawl_articles: int
    """Replica size of the throughput, JavaScript, replica and profile crawls."""
    memory_articles: tuple[int, ...]
    """Replica sizes of the memory crawls; the target compares the first two."""
    tracemalloc_articles: tuple[int, int]
    """Two small crawls under tracemalloc, whose difference names what grows."""
    extraction_pages: int
    incremental_articles: int
    server_seconds: float
    startup_articles: int = 100
    """Replica size of the start-up runs (each is stopped at its first request)."""


#: Quick: about seven minutes on 2 cores, with the issue's 2,000-article throughput crawls and
#: 2,000 / 20,000-article memory crawls; full adds the 100,000-article ones (its memory
#: section took 21 minutes here).
QUICK = Sizes("quick", 2000, (2000, 20000), (200, 800), 300, 500, 3.0)
FULL = Sizes("full", 2000, (2000, 20000, 100000), (2000, 8000), 300, 2000, 5.0)


@dataclass
class Context:
    sizes: Sizes
    runs: int
    runner: Runner
    crawls: dict[int, list[CrawlRun]] = field(default_factory=dict)
    """JavaScript-off crawls (every pipeline on) by replica size, shared between sections."""
    extras: dict[str, Any] = field(default_factory=dict)
    """Details saved in the JSON report beside the figures (misses, tracemalloc tops)."""

    def crawls_of(self, articles: int) -> list[CrawlRun]:
        return self.crawls.setdefault(articles, [])


def interleaved(runs: int, first: Callable[[], A], second: Callable[[], B]
                ) -> tuple[list[A], list[B]]:
    """``runs`` pairs run back to back, alternating which goes first (AB, BA, AB, …), so that
    neither side always meets the machine warmer or busier."""
    firsts: list[A] = []
    seconds: list[B] = []
    for run in range(runs):
        if run % 2 == 0:
            firsts.append(first())
            seconds.append(second())
        else:
            seconds.append(second())
            firsts.append(first())
    return firsts, seconds

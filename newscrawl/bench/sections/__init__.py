"""The benchmark's sections, in the order they run; each is ``run(ctx) -> list[Figure]``.

The JavaScript-off crawls of ``throughput`` are reused by ``memory`` (same size) and ``replica``
(the crawl's pages per second), so those run after it when they are chosen together.
"""

from __future__ import annotations

from collections.abc import Callable

from newscrawl.bench.context import Context
from newscrawl.bench.figures import Figure
from newscrawl.bench.sections import (
    extraction,
    hostile,
    incremental,
    javascript,
    memory,
    replica,
    startup,
    throughput,
)

Section = Callable[[Context], list[Figure]]

SECTIONS: dict[str, Section] = {
    "throughput": throughput.run,
    "extraction": extraction.run,
    "memory": memory.run,
    "incremental": incremental.run,
    "javascript": javascript.run,
    "replica": replica.run,
    "startup": startup.run,
    "hostile": hostile.run,
}


def number(name: str) -> int:
    """The section's number in the table (its place in :data:`SECTIONS`)."""
    return list(SECTIONS).index(name) + 1

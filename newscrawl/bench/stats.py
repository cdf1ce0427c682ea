"""A stats collector for the benchmark: writes the crawl's stats as JSON when it closes.

:mod:`newscrawl.bench.runner` runs ``scrapy crawl`` / ``scrapy runspider`` with
``-s STATS_CLASS=newscrawl.bench.stats.JsonStatsCollector -s BENCH_STATS_FILE=…``. Next to
Scrapy's stats the file holds ``bench/maxrss_bytes`` (the process's peak resident set: see
:func:`peak_rss_bytes`) and, when the process runs under ``tracemalloc`` (``PYTHONTRACEMALLOC=1``),
``bench/tracemalloc``: the allocation sites holding the most memory when the spider last went
idle (the crawl's end, before pipelines, dupefilter and scheduler release what they hold on
close), with ``bench/tracemalloc_total`` and ``…_peak``.
"""

from __future__ import annotations

import json
import resource
import sys
import tracemalloc
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.statscollectors import MemoryStatsCollector, StatsT

from newscrawl.procstatus import status_bytes

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

TRACEMALLOC_TOP = 60


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return repr(value)


def peak_rss_bytes() -> int:
    """The peak resident set of this process (``ru_maxrss`` is KiB on Linux, bytes on macOS).

    Linux keeps ``ru_maxrss`` across ``exec``: a process started by a large parent reports at
    least the parent's resident set when it was forked (the benchmark's own process holds the
    extraction section's pages and trafilatura by then). ``VmHWM`` in ``/proc/self/status`` is
    the peak of the program's own memory since ``exec``; it is used where it exists."""
    peak_now = status_bytes("VmHWM")
    if peak_now is not None:
        return peak_now
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def tracemalloc_top(limit: int = TRACEMALLOC_TOP) -> list[dict[str, Any]]:
    snapshot = tracemalloc.take_snapshot().filter_traces((
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap_external>"),
    ))
    return [
        {"where": f"{stat.traceback[0].filename}:{stat.traceback[0].lineno}",
         "bytes": stat.size, "blocks": stat.count}
        for stat in snapshot.statistics("lineno")[:limit]
    ]


class JsonStatsCollector(MemoryStatsCollector):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._path = crawler.settings.get("BENCH_STATS_FILE", "")
        self._traced: tuple[list[dict[str, Any]], int] | None = None
        if tracemalloc.is_tracing():
            crawler.signals.connect(self._snapshot, signal=signals.spider_idle)

    def _snapshot(self) -> None:
        self._traced = (tracemalloc_top(), tracemalloc.get_traced_memory()[0])

    def _persist_stats(self, stats: StatsT) -> None:
        super()._persist_stats(stats)
        if not self._path:
            return
        data = {key: _jsonable(value) for key, value in stats.items()}
        data["bench/maxrss_bytes"] = peak_rss_bytes()
        if tracemalloc.is_tracing():
            top, total = self._traced or (tracemalloc_top(), tracemalloc.get_traced_memory()[0])
            data["bench/tracemalloc"] = top
            data["bench/tracemalloc_total"] = total
            data["bench/tracemalloc_peak"] = tracemalloc.get_traced_memory()[1]
        Path(self._path).write_text(json.dumps(data, ensure_ascii=False, indent=1),
                                    encoding="utf-8")

"""What a run's stats do not hold: per-article and per-page figures, gathered as the run goes.

:class:`RunObserver` is fed written articles and received responses by
:class:`newscrawl.extensions.monitor.RunMonitor`; its :meth:`~RunObserver.to_dict` goes into
the run's ``.run.json`` (:mod:`newscrawl.monitoring.rundata`), from which the report and the
dataset card are built. Its memory is bounded whatever the run's size: counters, two heaps of
:data:`TOP_PAGES` pages, and one timeline slot per :data:`TIMELINE_SECONDS`.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

TOP_PAGES = 10
BODY_BUCKET = 250
"""Characters per body-length histogram bucket."""
TIMELINE_SECONDS = 1
"""Seconds per slot of the responses-over-time line, at first: doubled each time the run
grows past :data:`MAX_TIMELINE_SLOTS` slots."""
MAX_TIMELINE_SLOTS = 600


def has_value(value: Any) -> bool:
    """A field counts as covered unless it is null, an empty string or an empty list/dict
    (``0`` comments and ``updated: false`` are values)."""
    return value is not None and value != "" and value != [] and value != {}


def publication_hour(value: Any) -> int | None:
    """The hour of an ISO 8601 time, in its own offset (the site's +09:00)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).hour
    except ValueError:
        return None


@dataclass(order=True)
class Page:
    """One response, for the slowest and largest pages."""

    key: float
    url: str = field(compare=False)
    status: int = field(compare=False)
    seconds: float = field(compare=False)
    size: int = field(compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status, "seconds": round(self.seconds, 3),
                "bytes": self.size}


class RunObserver:
    """Counters of one run's written articles and received responses."""

    def __init__(self) -> None:
        self.articles = 0
        self.updated = 0
        self.coverage: Counter[str] = Counter()
        self.categories: Counter[str] = Counter()
        self.hours: Counter[int] = Counter()
        self.body_lengths: Counter[int] = Counter()
        self.date_min: str | None = None
        self.date_max: str | None = None
        self._date_min_key: datetime | None = None
        self._date_max_key: datetime | None = None
        self.slowest: list[Page] = []
        self.largest: list[Page] = []
        self.slot_seconds = TIMELINE_SECONDS
        self.timeline: Counter[int] = Counter()

    # -- articles ---------------------------------------------------------------------------

    def article(self, values: Mapping[str, Any]) -> None:
        """Count one written article (its fields as a mapping)."""
        self.articles += 1
        for name, value in values.items():
            if has_value(value):
                self.coverage[name] += 1
        if values.get("updated") is True:
            self.updated += 1
        self.categories[str(values.get("category") or "(none)")] += 1
        body = values.get("body")
        if isinstance(body, str):
            self.body_lengths[len(body) // BODY_BUCKET * BODY_BUCKET] += 1
        self._published(values.get("date_published"))

    def _published(self, value: Any) -> None:
        hour = publication_hour(value)
        if hour is None:
            return
        self.hours[hour] += 1
        when = datetime.fromisoformat(value)
        if self._date_min_key is None or when < self._date_min_key:
            self._date_min_key, self.date_min = when, value
        if self._date_max_key is None or when > self._date_max_key:
            self._date_max_key, self.date_max = when, value

    # -- responses --------------------------------------------------------------------------

    def response(self, url: str, status: int, seconds: float, size: int,
                 since_start: float) -> None:
        """Count one received response (``seconds``: its download latency; ``since_start``:
        seconds since the run opened)."""
        for heap, key in ((self.slowest, seconds), (self.largest, float(size))):
            page = Page(key, url, status, seconds, size)
            if len(heap) < TOP_PAGES:
                heapq.heappush(heap, page)
            elif page > heap[0]:
                heapq.heapreplace(heap, page)
        slot = max(0, int(since_start // self.slot_seconds))
        while slot >= MAX_TIMELINE_SLOTS:  # a long run: coarser slots, bounded memory
            self._coarsen()
            slot = max(0, int(since_start // self.slot_seconds))
        self.timeline[slot] += 1

    def _coarsen(self) -> None:
        merged: Counter[int] = Counter()
        for slot, n in self.timeline.items():
            merged[slot // 2] += n
        self.timeline = merged
        self.slot_seconds *= 2

    # -- saved form -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "updated": self.updated,
            "coverage": dict(sorted(self.coverage.items())),
            "categories": dict(self.categories.most_common()),
            "hours": {str(h): self.hours[h] for h in range(24)},
            "body_length_bucket": BODY_BUCKET,
            "body_lengths": {str(k): v for k, v in sorted(self.body_lengths.items())},
            "date_published_min": self.date_min,
            "date_published_max": self.date_max,
            "slowest": [p.to_dict() for p in sorted(self.slowest, reverse=True)],
            "largest": [p.to_dict() for p in sorted(self.largest, reverse=True)],
            "timeline_seconds": self.slot_seconds,
            "timeline": _dense(self.timeline),
        }


def _dense(timeline: Mapping[int, int]) -> list[int]:
    """Responses per slot from the first slot to the last, zeros included."""
    if not timeline:
        return []
    return [timeline.get(slot, 0) for slot in range(max(timeline) + 1)]


def body_length_quantiles(lengths: Mapping[str, int], bucket: int) -> dict[str, float]:
    """Median and 10th/90th percentiles of the body lengths, to the bucket's midpoint."""
    items = sorted((int(k), v) for k, v in lengths.items())
    total = sum(v for _, v in items)
    out: dict[str, float] = {}
    for name, q in (("p10", 0.1), ("median", 0.5), ("p90", 0.9)):
        if not total:
            out[name] = math.nan
            continue
        target, seen = q * total, 0
        for start, n in items:
            seen += n
            if seen >= target:
                out[name] = start + bucket / 2
                break
    return out

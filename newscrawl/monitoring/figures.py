"""Key figures of a run, read from its stats (a plain dict, as ``crawler.stats.get_stats()``
or a saved ``.run.json`` gives it). Pure functions: the monitors, the run history and the
report all read the stats through them, so they agree on what a figure means.

Stats read here:

* ``newscrawl/fields/<field>/<source>``: the spider's count of parsed articles whose field
  came from ``source`` (``markup``, ``template``, ``jsonld``, ``meta``, ``text``, ``url``,
  ``generic``);
* ``newscrawl/monitor/coverage/<field>``: written articles with a non-empty field (counted by
  :class:`newscrawl.extensions.monitor.RunMonitor`);
* Scrapy's ``item_scraped_count``, ``downloader/*``, ``retry/*``, ``log_count/*``,
  ``elapsed_time_seconds``, ``finish_reason``; the project's ``newscrawl/rejects/<reason>``,
  ``newscrawl/state/{new,updated,unchanged}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FIELDS_PREFIX = "newscrawl/fields/"
COVERAGE_PREFIX = "newscrawl/monitor/coverage/"
REJECTS_PREFIX = "newscrawl/rejects/"
STATUS_PREFIX = "downloader/response_status_count/"

SOURCE_PREFERENCE = ("markup", "template", "jsonld", "meta", "text", "url", "generic")
"""Where a field can come from, best first: the page's own markup, a learned template,
structured data (JSON-LD, then meta tags), visible text, the URL, generic extraction.
A source not named here ranks just above ``generic``."""


def count(stats: Mapping[str, Any], key: str) -> int:
    """A counter stat as an int (0 when absent or not a number)."""
    value = stats.get(key)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def number(stats: Mapping[str, Any], key: str) -> float:
    value = stats.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else 0.0


def by_suffix(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    """``{suffix: count}`` of the counter stats under ``prefix``, sorted by suffix."""
    return {key.removeprefix(prefix): count(stats, key) for key in sorted(stats)
            if key.startswith(prefix) and "/" not in key.removeprefix(prefix)}


def source_rank(source: str) -> float:
    """The position of ``source`` in :data:`SOURCE_PREFERENCE` (unknown: just above generic)."""
    if source in SOURCE_PREFERENCE:
        return float(SOURCE_PREFERENCE.index(source))
    return SOURCE_PREFERENCE.index("generic") - 0.5


def provenance_counts(stats: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """``{field: {source: articles}}`` from ``newscrawl/fields/<field>/<source>``, sources
    best first."""
    counts: dict[str, dict[str, int]] = {}
    for key in stats:
        if not key.startswith(FIELDS_PREFIX):
            continue
        field, _, source = key.removeprefix(FIELDS_PREFIX).partition("/")
        if field and source:
            counts.setdefault(field, {})[source] = count(stats, key)
    return {field: dict(sorted(sources.items(), key=lambda kv: (source_rank(kv[0]), kv[0])))
            for field, sources in sorted(counts.items())}


def shares(counts: Mapping[str, int]) -> dict[str, float]:
    """Each count as a share of their total (empty when the total is 0)."""
    total = sum(counts.values())
    return {key: value / total for key, value in counts.items()} if total else {}


def coverage_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    """``{field: written articles with a value}``."""
    return by_suffix(stats, COVERAGE_PREFIX)


def status_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    return by_suffix(stats, STATUS_PREFIX)


def error_status_share(stats: Mapping[str, Any]) -> tuple[int, int]:
    """(responses with a 4xx/5xx status, all responses)."""
    statuses = status_counts(stats)
    bad = sum(n for code, n in statuses.items() if code[:1] in ("4", "5"))
    return bad, sum(statuses.values())


def key_figures(stats: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of a run kept in its history and shown in its report."""
    elapsed = number(stats, "elapsed_time_seconds")
    responses = count(stats, "response_received_count") or sum(status_counts(stats).values())
    return {
        "finish_reason": str(stats.get("finish_reason") or "unknown"),
        "articles": count(stats, "item_scraped_count"),
        "parsed": count(stats, "newscrawl/spider/articles"),
        "new": count(stats, "newscrawl/state/new"),
        "updated": count(stats, "newscrawl/state/updated"),
        "unchanged": count(stats, "newscrawl/state/unchanged"),
        "dropped": by_suffix(stats, REJECTS_PREFIX),
        "requests": count(stats, "downloader/request_count"),
        "responses": responses,
        "status": status_counts(stats),
        "retries": count(stats, "retry/count"),
        "errors": count(stats, "log_count/ERROR"),
        "warnings": count(stats, "log_count/WARNING"),
        "bytes": count(stats, "downloader/response_bytes"),
        "elapsed_seconds": round(elapsed, 3),
        "pages_per_second": round(responses / elapsed, 2) if elapsed > 0 else 0.0,
        "coverage": coverage_counts(stats),
        "provenance": provenance_counts(stats),
    }

"""The monitors: plain functions from a run's stats and the previous runs to findings.

:func:`judge_monitors` runs every monitor and returns one :class:`Finding` per check. A
finding that is not ``ok`` has a severity: ``fail`` (the run's health verdict fails on it,
:func:`failed_reason`) or ``warn`` (the run is degraded: reported, alerted, not failed).

Monitors, in order:

``layout/<field>``
    Where each field came from (``newscrawl/fields/<field>/<source>``), against the median of
    the last ``NEWSCRAWL_MONITOR_BASELINE_RUNS`` runs in the history. Sources rank best first
    (:data:`~newscrawl.monitoring.figures.SOURCE_PREFERENCE`: markup, template, JSON-LD, meta,
    visible text, URL, generic extraction); when the share of articles whose field came from a
    source *or a better one* falls by more than ``NEWSCRAWL_MONITOR_PROVENANCE_DROP``, the
    layout changed: ``layout changed: body from markup 98% → 3% (generic 2% → 97%)``. A move
    towards better sources (a parser fix) is not a change. Severity
    ``NEWSCRAWL_MONITOR_LAYOUT_SEVERITY`` (``fail`` by default).
``coverage/<field>``
    The share of written articles with a value in the field, against the same runs; a fall by
    more than ``NEWSCRAWL_MONITOR_COVERAGE_DROP`` is a layout change too (same severity).
``schema``
    Articles rejected as ``schema_invalid``: ``fail`` beyond
    ``NEWSCRAWL_MONITOR_SCHEMA_INVALID_MAX_SHARE`` of the articles checked, else ``warn``.
``finish_reason``
    ``fail`` unless the spider finished normally or on a configured limit (as the health
    verdict rules).
``errors``, ``retries``, ``status``
    ``warn`` on any logged error, on retries beyond ``NEWSCRAWL_MONITOR_RETRY_MAX_SHARE`` of
    the requests, on 4xx/5xx responses beyond ``NEWSCRAWL_MONITOR_ERROR_STATUS_MAX_SHARE``.
``runtime``
    ``warn`` when the run took more than ``NEWSCRAWL_MONITOR_SLOW_FACTOR`` times the median of
    the baseline runs (with at least three of them, and at least a minute).

Comparisons need ``NEWSCRAWL_MONITOR_MIN_ARTICLES`` articles in this run and in each baseline
run (fewer: too noisy; say so, and pass). Runs whose layout changed are not part of later
baselines: a changed layout keeps failing until the parser follows it (or the history file is
removed, which accepts the new layout as normal).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from newscrawl.config import read_choice, read_float, read_int, read_share
from newscrawl.monitoring import figures
from newscrawl.monitoring.figures import count, shares, source_rank

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

Severity = Literal["fail", "warn"]

OK_FINISH_REASONS = frozenset({"finished", "max_articles", "closespider_timeout",
                               "closespider_itemcount", "closespider_pagecount"})
"""As :data:`newscrawl.extensions.health.OK_REASONS`."""
MIN_SLOW_SECONDS = 60.0
MIN_RUNTIME_RUNS = 3
FAILED_STAT = "newscrawl/monitor/failed"
WARNED_STAT = "newscrawl/monitor/warned"
REASON_STAT = "newscrawl/monitor/reason"
REASONS_STAT = "newscrawl/monitor/reasons"


@dataclass(frozen=True)
class Finding:
    """One monitor's conclusion."""

    name: str
    """The check: ``layout/body``, ``coverage/authors``, ``schema``, ``runtime``, …"""
    ok: bool
    severity: Severity
    """What a failed check means for the run: ``fail`` or ``warn``."""
    reason: str
    """One line for a human."""

    @property
    def failed(self) -> bool:
        return not self.ok and self.severity == "fail"

    @property
    def warned(self) -> bool:
        return not self.ok and self.severity == "warn"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        severity: Severity = "fail" if data.get("severity") == "fail" else "warn"
        return cls(str(data.get("name", "")), bool(data.get("ok")), severity,
                   str(data.get("reason", "")))


@dataclass(frozen=True)
class MonitorSettings:
    """The monitors' thresholds (``NEWSCRAWL_MONITOR_*``; defaults in ``settings.py``)."""

    baseline_runs: int = 5
    min_articles: int = 20
    provenance_drop: float = 0.3
    coverage_drop: float = 0.3
    layout_severity: Severity = "fail"
    schema_invalid_max_share: float = 0.01
    retry_max_share: float = 0.2
    error_status_max_share: float = 0.1
    slow_factor: float = 3.0

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> MonitorSettings:
        """Read and check every threshold (:class:`~newscrawl.config.BadSetting` when wrong)."""
        severity: Severity = "warn" if read_choice(
            settings, "NEWSCRAWL_MONITOR_LAYOUT_SEVERITY", ("fail", "warn")) == "warn" \
            else "fail"
        return cls(
            baseline_runs=read_int(settings, "NEWSCRAWL_MONITOR_BASELINE_RUNS", minimum=1),
            min_articles=read_int(settings, "NEWSCRAWL_MONITOR_MIN_ARTICLES", minimum=1),
            provenance_drop=read_share(settings, "NEWSCRAWL_MONITOR_PROVENANCE_DROP",
                                       above_zero=True),
            coverage_drop=read_share(settings, "NEWSCRAWL_MONITOR_COVERAGE_DROP",
                                     above_zero=True),
            layout_severity=severity,
            schema_invalid_max_share=read_share(
                settings, "NEWSCRAWL_MONITOR_SCHEMA_INVALID_MAX_SHARE"),
            retry_max_share=read_float(settings, "NEWSCRAWL_MONITOR_RETRY_MAX_SHARE"),
            error_status_max_share=read_share(settings,
                                              "NEWSCRAWL_MONITOR_ERROR_STATUS_MAX_SHARE"),
            slow_factor=read_float(settings, "NEWSCRAWL_MONITOR_SLOW_FACTOR", minimum=1.0,
                                   above=True),
        )


def _pct(share: float) -> str:
    return f"{share:.0%}"


def baseline_runs(history: Sequence[Mapping[str, Any]], config: MonitorSettings
                  ) -> list[Mapping[str, Any]]:
    """The runs this one is compared with: the last ``baseline_runs`` of the history whose
    layout did not change (oldest first)."""
    usable = [run for run in history if not run.get("layout_changed")]
    return usable[-config.baseline_runs:]


def _cumulative(field_shares: Mapping[str, float], ranked: Sequence[str]) -> list[float]:
    out, total = [], 0.0
    for source in ranked:
        total += field_shares.get(source, 0.0)
        out.append(total)
    return out


def _layout_field(field: str, current: Mapping[str, int],
                  baseline: Sequence[Mapping[str, int]], config: MonitorSettings
                  ) -> tuple[float, Finding] | None:
    """The layout finding of one field and how far it fell, or None when it cannot be
    compared."""
    if sum(current.values()) < config.min_articles:
        return None
    before = [counts for counts in baseline if sum(counts.values()) >= config.min_articles]
    if not before:
        return None
    ranked = sorted({*current, *(s for counts in before for s in counts)},
                    key=lambda s: (source_rank(s), s))
    now = shares(current)
    then_each = [shares(counts) for counts in before]
    then = {s: statistics.median(run.get(s, 0.0) for run in then_each) for s in ranked}
    cumulative_then = [statistics.median(values) for values in
                       zip(*(_cumulative(run, ranked) for run in then_each), strict=True)]
    drops = [b - c for b, c in zip(cumulative_then, _cumulative(now, ranked), strict=True)]
    drop = max(drops[:-1], default=0.0)  # the last is always 100% → 100%
    fell = max(ranked, key=lambda s: then.get(s, 0.0) - now.get(s, 0.0))
    rose = max(ranked, key=lambda s: now.get(s, 0.0) - then.get(s, 0.0))
    moved = (f"{field} from {fell} {_pct(then[fell])} → {_pct(now.get(fell, 0.0))} "
             f"({rose} {_pct(then[rose])} → {_pct(now.get(rose, 0.0))})")
    if drop > config.provenance_drop:
        return drop, Finding(f"layout/{field}", False, config.layout_severity,
                             f"layout changed: {moved}")
    return drop, Finding(f"layout/{field}", True, config.layout_severity,
                         f"{field} sources as in the last {len(before)} run(s)")


def layout_findings(stats: Mapping[str, Any], history: Sequence[Mapping[str, Any]],
                    config: MonitorSettings) -> list[Finding]:
    """``layout/<field>`` findings, the fields that moved furthest first; one ``layout``
    finding when there is nothing to compare."""
    baseline = baseline_runs(history, config)
    current = figures.provenance_counts(stats)
    judged = []
    for field, counts in current.items():
        result = _layout_field(field, counts,
                               [run.get("provenance", {}).get(field, {}) for run in baseline],
                               config)
        if result is not None:
            judged.append(result)
    if not judged:
        why = ("no previous run to compare with" if not baseline else
               f"fewer than {config.min_articles} articles to compare")
        return [Finding("layout", True, config.layout_severity, f"not compared: {why}")]
    judged.sort(key=lambda pair: (-round(pair[0], 2), _importance(pair[1].name)))
    return [finding for _, finding in judged]


KEY_FIELDS = ("body", "headline", "date_published", "authors")
"""Named first among fields that moved as far (a redesign moves many at once)."""


def _importance(name: str) -> tuple[int, str]:
    field = name.partition("/")[2]
    return (KEY_FIELDS.index(field) if field in KEY_FIELDS else len(KEY_FIELDS), field)


def coverage_findings(stats: Mapping[str, Any], history: Sequence[Mapping[str, Any]],
                      config: MonitorSettings) -> list[Finding]:
    """``coverage/<field>`` findings for the fields whose coverage fell, largest fall first;
    one ``coverage`` finding otherwise."""
    articles = count(stats, "item_scraped_count")
    current = figures.coverage_counts(stats)
    before = [run for run in baseline_runs(history, config)
              if run.get("articles", 0) >= config.min_articles and run.get("coverage")]
    if articles < config.min_articles or not current or not before:
        why = (f"fewer than {config.min_articles} articles" if articles < config.min_articles
               else "no previous run to compare with")
        return [Finding("coverage", True, config.layout_severity, f"not compared: {why}")]
    falls = []
    for field in sorted({*current, *(f for run in before for f in run["coverage"])}):
        then = statistics.median(run["coverage"].get(field, 0) / run["articles"]
                                 for run in before)
        now = current.get(field, 0) / articles
        if then - now > config.coverage_drop:
            falls.append((then - now, Finding(
                f"coverage/{field}", False, config.layout_severity,
                f"layout changed: {field} in {_pct(then)} → {_pct(now)} of the articles")))
    if not falls:
        return [Finding("coverage", True, config.layout_severity,
                        f"field coverage as in the last {len(before)} run(s)")]
    falls.sort(key=lambda pair: (-round(pair[0], 2), _importance(pair[1].name)))
    return [finding for _, finding in falls]


def schema_finding(stats: Mapping[str, Any], config: MonitorSettings) -> Finding:
    invalid = count(stats, "newscrawl/rejects/schema_invalid")
    checked = count(stats, "newscrawl/schema/checked")
    if not invalid:
        return Finding("schema", True, "warn",
                       f"{checked} article(s) checked against the schema, all valid")
    share = invalid / checked if checked else 1.0
    severity: Severity = "fail" if share > config.schema_invalid_max_share else "warn"
    return Finding("schema", False, severity,
                   f"{invalid} of {checked} article(s) did not match the schema "
                   f"(rejects: schema_invalid)")


def finish_finding(stats: Mapping[str, Any]) -> Finding:
    reason = str(stats.get("finish_reason") or "unknown")
    return Finding("finish_reason", reason in OK_FINISH_REASONS, "fail",
                   f"the spider closed for {reason!r}")


def traffic_findings(stats: Mapping[str, Any], config: MonitorSettings) -> list[Finding]:
    """``errors``, ``retries`` and ``status``."""
    errors = count(stats, "log_count/ERROR")
    requests = count(stats, "downloader/request_count")
    retries = count(stats, "retry/count")
    bad, responses = figures.error_status_share(stats)
    retry_share = retries / requests if requests else 0.0
    bad_share = bad / responses if responses else 0.0
    return [
        Finding("errors", not errors, "warn", f"{errors} error(s) logged"),
        Finding("retries", retry_share <= config.retry_max_share, "warn",
                f"{retries} retr{'y' if retries == 1 else 'ies'} for {requests} request(s) "
                f"({_pct(retry_share)}; at most {_pct(config.retry_max_share)})"),
        Finding("status", bad_share <= config.error_status_max_share, "warn",
                f"{bad} of {responses} response(s) with a 4xx/5xx status ({_pct(bad_share)}; "
                f"at most {_pct(config.error_status_max_share)})"),
    ]


def runtime_finding(stats: Mapping[str, Any], history: Sequence[Mapping[str, Any]],
                    config: MonitorSettings) -> Finding:
    elapsed = figures.number(stats, "elapsed_time_seconds")
    before = [float(run["elapsed_seconds"]) for run in baseline_runs(history, config)
              if run.get("elapsed_seconds") and run.get("finish_reason") in OK_FINISH_REASONS]
    if len(before) < MIN_RUNTIME_RUNS:
        return Finding("runtime", True, "warn",
                       f"{elapsed:.0f} s (fewer than {MIN_RUNTIME_RUNS} runs to compare with)")
    median = statistics.median(before)
    slow = elapsed >= MIN_SLOW_SECONDS and elapsed > config.slow_factor * median
    factor = f"{elapsed / median:.1f}×" if median else "∞×"
    return Finding("runtime", not slow, "warn",
                   f"{elapsed:.0f} s, {factor} the median of the last {len(before)} runs "
                   f"({median:.0f} s)")


def judge_monitors(stats: Mapping[str, Any], history: Sequence[Mapping[str, Any]],
                   settings: MonitorSettings | BaseSettings) -> list[Finding]:
    """Every monitor's finding on a run (see the module doc).

    ``history`` holds the previous runs' records (:mod:`newscrawl.monitoring.history`), oldest
    first, without this run; ``settings`` the thresholds, or the Scrapy settings to read them
    from."""
    config = settings if isinstance(settings, MonitorSettings) else \
        MonitorSettings.from_settings(settings)
    return [
        *layout_findings(stats, history, config),
        *coverage_findings(stats, history, config),
        schema_finding(stats, config),
        finish_finding(stats),
        *traffic_findings(stats, config),
        runtime_finding(stats, history, config),
    ]


def layout_changed(findings: Sequence[Finding]) -> bool:
    """True when a layout or coverage monitor found a change (whatever its severity)."""
    return any(not f.ok and f.name.startswith(("layout/", "coverage/")) for f in findings)


def summarize(findings: Sequence[Finding]) -> dict[str, Any]:
    """The stats a run's findings leave (``newscrawl/monitor/*``)."""
    failed = [f for f in findings if f.failed]
    warned = [f for f in findings if f.warned]
    return {
        FAILED_STAT: len(failed),
        WARNED_STAT: len(warned),
        REASON_STAT: failed[0].reason if failed else "",
        REASONS_STAT: "; ".join(f.reason for f in (*failed, *warned)),
    }


def failed_reason(stats: Mapping[str, Any]) -> str | None:
    """For the health verdict: the first failed monitor's reason, or None when none failed."""
    if count(stats, FAILED_STAT) <= 0:
        return None
    return str(stats.get(REASON_STAT) or "a monitor failed")

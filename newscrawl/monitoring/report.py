"""The run report: one self-contained HTML file that opens offline.

:func:`build_report` turns a :class:`~newscrawl.monitoring.rundata.RunData` and the run
history into HTML: inline CSS, charts as inline SVG (:mod:`newscrawl.monitoring.charts`),
tables as HTML, no script, and a Content-Security-Policy that forbids every fetch, so the
file shows the same anywhere and calls nothing. Sections (each a ``<section id=…>``):

``verdict``       the verdict, why, and every monitor's finding
``articles``      written: new / updated / unchanged; dropped by reason
``categories``    articles by category and by hour of publication
``body-length``   the body length distribution
``fields``        field coverage and provenance, against the previous runs, with trends
``requests``      requests by status, retries, bytes, pages per second over time
``pages``         the ten slowest and the ten largest pages
``history``       the last runs
``settings``      the settings that shape the dataset, and the run's files
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from newscrawl.monitoring import charts
from newscrawl.monitoring.figures import (
    by_suffix,
    count,
    key_figures,
    shares,
    source_rank,
)
from newscrawl.monitoring.observe import body_length_quantiles
from newscrawl.monitoring.rundata import RunData
from newscrawl.monitoring.verdict import Finding

SECTIONS = ("verdict", "articles", "categories", "body-length", "fields", "requests", "pages",
            "history", "settings")
TREND_RUNS = 20
"""Runs shown in the trends."""
TREND_FIELDS = ("headline", "body", "date_published", "authors", "category", "images")

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#212121;
background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
header{padding:18px 24px;color:#fff;background:#455a64}
header.ok{background:#2e7d32}header.degraded{background:#ef6c00}header.failed{background:#c62828}
header h1{margin:0;font-size:22px}header p{margin:4px 0 0}
section{background:#fff;border:1px solid #e0e0e0;border-radius:6px;margin:16px 0;
padding:8px 18px 14px}
h2{font-size:17px;margin:8px 0 10px}
table{border-collapse:collapse;margin:6px 0 10px;font-size:13px}
th,td{border-bottom:1px solid #eee;padding:3px 10px 3px 0;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.fail td{color:#b71c1c;font-weight:600}tr.warn td{color:#e65100}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;color:#fff}
.badge.ok{background:#2e7d32}.badge.warn{background:#ef6c00}.badge.fail{background:#c62828}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:8px 24px}
svg.chart{width:100%;height:auto;max-width:720px}
.url{word-break:break-all;font-size:12px}.muted{color:#757575}
"""
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
       "form-action 'none'; base-uri 'none'")


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
          numeric: Sequence[int] = (), row_class: Sequence[str] | None = None) -> str:
    """An HTML table; cells are escaped unless they are :class:`Markup`."""
    head = "".join(f'<th class="n">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>"
                   for i, h in enumerate(headers))
    body = []
    for r, row in enumerate(rows):
        cells = "".join(
            f'<td class="n">{_cell(c)}</td>' if i in numeric else f"<td>{_cell(c)}</td>"
            for i, c in enumerate(row))
        cls = f' class="{row_class[r]}"' if row_class and row_class[r] else ""
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class Markup(str):
    """HTML that :func:`table` places as it is."""


def _cell(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _num(value)
    return _e(value)


def _section(anchor: str, title: str, *parts: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{"".join(parts)}</section>'


def _p(text: str) -> str:
    return f"<p>{_e(text)}</p>"


# -- sections --------------------------------------------------------------------------------


def _grouped(findings: Sequence[Finding]) -> list[Finding]:
    """The findings to list: the per-field ones that passed folded into one row each."""
    out: list[Finding] = []
    passed: dict[str, list[Finding]] = {}
    for finding in findings:
        group = finding.name.partition("/")[0]
        if finding.ok and "/" in finding.name:
            passed.setdefault(group, []).append(finding)
        else:
            out.append(finding)
    for group, members in passed.items():
        fields = ", ".join(f.name.partition("/")[2] for f in members)
        out.append(Finding(group, True, members[0].severity,
                           f"{len(members)} field(s) as in the previous runs: {fields}"))
    return sorted(out, key=lambda f: (f.ok, f.severity != "fail"))


def verdict_section(data: RunData) -> str:
    ordered = _grouped(data.findings)
    rows = [(f.name, Markup(_badge(f.ok, f.severity)), f.reason) for f in ordered]
    classes = ["" if f.ok else f.severity for f in ordered]
    return _section(
        "verdict", "Verdict",
        f"<p><strong>{_e(data.status.upper())}</strong>: {_e(data.why)}</p>",
        table(("check", "result", "why"), rows, row_class=classes),
    )


def _badge(ok: bool, severity: str) -> str:
    if ok:
        return '<span class="badge ok">ok</span>'
    return f'<span class="badge {_e(severity)}">{_e(severity)}</span>'


def articles_section(data: RunData) -> str:
    figures = key_figures(data.stats)
    written = figures["articles"]
    rows = [("written", written), ("… new", figures["new"]), ("… updated", figures["updated"]),
            ("unchanged (refetched, not written again)", figures["unchanged"]),
            ("parsed from article pages", figures["parsed"]),
            ("dropped", sum(figures["dropped"].values()))]
    dropped = figures["dropped"]
    parts = [table(("articles", "count"), rows, numeric=(1,))]
    if dropped:
        ordered = sorted(dropped.items(), key=lambda kv: -kv[1])
        parts.append(table(("dropped by reason", "count"), ordered, numeric=(1,)))
        parts.append(charts.bar_chart([k for k, _ in ordered], [v for _, v in ordered],
                                      title="Dropped by reason", horizontal=True,
                                      colour=charts.ACCENT))
    else:
        parts.append(_p("Nothing was dropped."))
    return _section("articles", "Articles", *parts)


def categories_section(data: RunData) -> str:
    categories = data.observed.get("categories") or {}
    hours = data.observed.get("hours") or {}
    parts = []
    if categories:
        parts.append(charts.bar_chart(list(categories), list(categories.values()),
                                      title="Articles by category", horizontal=True))
    else:
        parts.append(_p("No article written."))
    if any(hours.values()):
        parts.append(charts.bar_chart([f"{int(h):02d}" for h in hours], list(hours.values()),
                                      title="Articles by hour of publication (site time)",
                                      xlabel="articles"))
    return _section("categories", "By category and hour of publication",
                    f'<div class="grid">{"".join(parts)}</div>')


def body_section(data: RunData) -> str:
    lengths = data.observed.get("body_lengths") or {}
    bucket = int(data.observed.get("body_length_bucket") or 250)
    if not lengths:
        return _section("body-length", "Body length", _p("No article written."))
    quantiles = body_length_quantiles(lengths, bucket)
    starts = [int(k) for k in lengths]
    chart = charts.histogram(starts, list(lengths.values()), bucket,
                             title="Body length (characters)", xlabel="characters",
                             marks={f"median ≈{quantiles['median']:.0f}": quantiles["median"]})
    summary = (f"10% of bodies are under ≈{quantiles['p10']:.0f} characters, half under "
               f"≈{quantiles['median']:.0f}, 90% under ≈{quantiles['p90']:.0f} "
               f"(buckets of {bucket}).")
    return _section("body-length", "Body length", chart, _p(summary))


def fields_section(data: RunData, history: Sequence[Mapping[str, Any]]) -> str:
    """Coverage and provenance now, against the median of the previous runs, and trends."""
    figures = key_figures(data.stats)
    written = figures["articles"]
    previous = [run for run in history[:-1] if run.get("articles")]
    provenance = figures["provenance"]
    names = sorted({*figures["coverage"], *provenance})
    rows = []
    for name in names:
        now = figures["coverage"].get(name, 0) / written if written else None
        before = [run.get("coverage", {}).get(name, 0) / run["articles"] for run in previous
                  if run.get("coverage")]
        then = statistics.median(before) if before else None
        rows.append((name, _pct(now), _pct(then), _sources(provenance.get(name, {})),
                     _sources(_median_shares([run.get("provenance", {}).get(name, {})
                                              for run in previous]))))
    flagged = {f.name.partition("/")[2] for f in data.findings if not f.ok
               and f.name.startswith(("layout/", "coverage/"))}
    classes = ["fail" if name in flagged else "" for name in names]
    parts = [table(("field", "coverage", f"before (median of {len(previous)})", "sources",
                    "sources before"), rows, row_class=classes)]
    if provenance:
        all_sources = sorted({s for c in provenance.values() for s in c},
                             key=lambda s: (source_rank(s), s))
        parts.append(charts.stacked_shares({k: shares(v) for k, v in provenance.items()},
                                           all_sources, title="Where each field came from"))
    parts.append(_field_trends(history[-TREND_RUNS:]))
    return _section("fields", "Field coverage and provenance", *parts)


def _sources(field_shares: Mapping[str, float] | Mapping[str, int]) -> str:
    total = sum(field_shares.values())
    values = {k: v / total for k, v in field_shares.items()} if total else {}
    ordered = sorted(values.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{source} {share:.0%}" for source, share in ordered if share >= 0.005) \
        or "–"


def _median_shares(runs: Sequence[Mapping[str, int]]) -> dict[str, float]:
    each = [shares(run) for run in runs if run]
    if not each:
        return {}
    sources = {s for run in each for s in run}
    return {s: statistics.median(run.get(s, 0.0) for run in each) for s in sources}


def _run_labels(runs: Sequence[Mapping[str, Any]]) -> list[str]:
    labels = []
    for run in runs:
        try:
            labels.append(datetime.fromisoformat(str(run.get("run"))).strftime("%m-%d %H:%M"))
        except ValueError:
            labels.append("?")
    return labels


def _field_trends(runs: Sequence[Mapping[str, Any]]) -> str:
    if len(runs) < 2:
        return _p("Trends appear from the second run on (the history keeps the last runs).")
    x = list(range(len(runs)))
    body = [shares(run.get("provenance", {}).get("body", {})) for run in runs]
    sources = sorted({s for b in body for s in b}, key=lambda s: (source_rank(s), s))
    body_chart = charts.line_chart(
        x, {s: [b.get(s, 0.0) for b in body] for s in sources},
        title=f"Body: where it came from, last {len(runs)} runs", xlabel="run",
        ylabel="share of articles", xticklabels=_run_labels(runs), percent=True)
    coverage = {name: [run.get("coverage", {}).get(name, 0) / run["articles"]
                       if run.get("articles") else 0.0 for run in runs]
                for name in TREND_FIELDS}
    coverage_chart = charts.line_chart(
        x, coverage, title=f"Coverage of key fields, last {len(runs)} runs", xlabel="run",
        ylabel="share of articles", xticklabels=_run_labels(runs), percent=True)
    return f'<div class="grid">{body_chart}{coverage_chart}</div>'


def requests_section(data: RunData) -> str:
    figures = key_figures(data.stats)
    rows = [("requests", figures["requests"]), ("responses", figures["responses"]),
            ("retries", figures["retries"]),
            ("bytes received", figures["bytes"]),
            ("errors logged", figures["errors"]), ("time (s)", figures["elapsed_seconds"]),
            ("pages per second", figures["pages_per_second"])]
    reasons = by_suffix(data.stats, "retry/reason_count/")
    parts = [table(("requests", ""), rows, numeric=(1,))]
    if reasons:
        parts.append(table(("retried for", "count"), sorted(reasons.items()), numeric=(1,)))
    grid = []
    if figures["status"]:
        grid.append(charts.bar_chart(list(figures["status"]), list(figures["status"].values()),
                                     title="Responses by status", xlabel="responses"))
    timeline = data.observed.get("timeline") or []
    slot = float(data.observed.get("timeline_seconds") or 1)
    if len(timeline) < 2:
        grid.append(_p("Pages per second over time: the run was too short to draw it."))
    else:
        widths = [slot] * len(timeline)
        last = figures["elapsed_seconds"] - slot * (len(timeline) - 1)
        if 0 < last < slot:  # the run ended inside the last slot
            widths[-1] = last
        grid.append(charts.line_chart([i * slot for i in range(len(timeline))],
                                      {"pages/s": [n / w for n, w in zip(timeline, widths,
                                                                         strict=True)]},
                                      title="Pages per second over time",
                                      xlabel="seconds since start", ylabel="pages per second"))
    parts.append(f'<div class="grid">{"".join(grid)}</div>')
    return _section("requests", "Requests", *parts)


def pages_section(data: RunData) -> str:
    parts = []
    for key, title in (("slowest", "Ten slowest pages"), ("largest", "Ten largest pages")):
        pages = data.observed.get(key) or []
        rows = [(Markup(f'<span class="url">{_e(p["url"])}</span>'), p["status"],
                 f"{p['seconds']:.3f}", p["bytes"]) for p in pages]
        parts.append(f"<h3>{_e(title)}</h3>" + (
            table(("URL", "status", "seconds", "bytes"), rows, numeric=(1, 2, 3))
            if rows else _p("No page was fetched.")))
    return _section("pages", "Slowest and largest pages", *parts)


def history_section(history: Sequence[Mapping[str, Any]]) -> str:
    runs = list(history[-TREND_RUNS:])
    rows = [(run.get("run") or "?", "ok" if run.get("ok") else
             ("FAILED" if run.get("ok") is False else "–"), run.get("articles", 0),
             run.get("responses", 0), run.get("elapsed_seconds", 0),
             "yes" if run.get("layout_changed") else "")
            for run in reversed(runs)]
    classes = ["fail" if run.get("ok") is False else "" for run in reversed(runs)]
    parts = [table(("finished (UTC)", "verdict", "articles", "pages", "seconds",
                    "layout changed"), rows, numeric=(2, 3, 4), row_class=classes)]
    if len(runs) >= 2:
        x = list(range(len(runs)))
        parts.append(charts.line_chart(
            x, {"articles written": [float(run.get("articles", 0)) for run in runs],
                "pages fetched": [float(run.get("responses", 0)) for run in runs]},
            title=f"Last {len(runs)} runs", xlabel="run", ylabel="count",
            xticklabels=_run_labels(runs)))
    return _section("history", "Last runs", *parts)


def settings_section(data: RunData) -> str:
    rows = [(name, value if not isinstance(value, list) else ", ".join(map(str, value)))
            for name, value in data.settings.items()]
    files = [(kind, Markup(f'<span class="url">{_e(path)}</span>'))
             for kind, path in (("articles", data.feed), *data.files.items(),
                                ("run history", data.history_path)) if path]
    return _section("settings", "Settings and files",
                    table(("setting", "value"), rows), table(("file", "path"), files),
                    _p(f"Article schema version {data.schema_version}."))


def build_report(data: RunData, history: Sequence[Mapping[str, Any]]) -> str:
    """The report as one HTML document. ``history``: the run records up to and including
    this run, oldest first (the last one is this run)."""
    finished = data.finished or "?"
    articles = count(data.stats, "item_scraped_count")
    title = f"{data.spider} run {finished}: {data.status}"
    head = (f'<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
            f'content="{CSP}"><meta name="viewport" content="width=device-width">'
            f"<title>{_e(title)}</title><style>{CSS}</style>")
    header = (f'<header class="{_e(data.status)}"><h1>{_e(data.spider)}: run '
              f"{_e(data.status.upper())}</h1><p>finished {_e(finished)} · {articles:,} "
              f"article(s) written to {_e(data.feed or '(no local feed)')}</p></header>")
    sections = [verdict_section(data), articles_section(data), categories_section(data),
                body_section(data), fields_section(data, history), requests_section(data),
                pages_section(data), history_section(history), settings_section(data)]
    return (f'<!DOCTYPE html><html lang="en"><head>{head}</head><body>{header}<main>'
            f'{"".join(sections)}</main></body></html>\n')

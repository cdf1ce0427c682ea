"""The dataset card: a short Markdown file beside each run's output, saying what it holds.

``<feed stem>.card.md`` gives the file's name and format, the schema and its version, the
counts (written, new, updated, dropped by reason), the time range of ``date_published``,
the verdict, the settings that shaped the crawl, and one row per field (its type, its
coverage in this file, and its documentation, from the schema).
"""

from __future__ import annotations

from typing import Any

from newscrawl.monitoring.figures import key_figures
from newscrawl.monitoring.rundata import RunData
from newscrawl.monitoring.schema import SCHEMA_FILE, article_schema


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " or ".join(_type(option) for option in prop["anyOf"])
    kind = prop.get("type", "?")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}"
    return " or ".join(kind) if isinstance(kind, list) else str(kind)


def _md(text: Any) -> str:
    """A value safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _setting(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def build_card(data: RunData) -> str:
    """The card's Markdown text."""
    figures = key_figures(data.stats)
    observed = data.observed
    written = figures["articles"]
    dropped = figures["dropped"]
    schema = article_schema()
    lines = [
        f"# Dataset card: {data.feed or '(no local feed)'}",
        "",
        f"News articles from `{_md(data.settings.get('NEWSCRAWL_BASE_URL', '?'))}`, crawled "
        f"by the `{data.spider}` spider of newscrawl; run finished "
        f"{data.finished or '?'} (UTC), verdict **{data.status}**: {data.why}.",
        "",
        "## What the file holds",
        "",
        "JSON Lines, UTF-8: one article per line, validated against the JSON Schema "
        f"`{SCHEMA_FILE}` (version `{data.schema_version}`, `$id` `{schema['$id']}`). "
        "An incremental run writes only what is new or changed since the previous run "
        "(`updated: true` and a higher `version` mark a changed article); rejected articles "
        "and pages are in the rejects file with their reason.",
        "",
        "| count | |",
        "|---|---:|",
        f"| articles written | {written} |",
        f"| new | {figures['new']} |",
        f"| updated | {figures['updated']} |",
        f"| refetched unchanged (not written) | {figures['unchanged']} |",
        f"| dropped (rejects file) | {sum(dropped.values())} |",
        *(f"| … {_md(reason)} | {n} |" for reason, n in sorted(dropped.items())),
        "",
        f"`date_published` from {observed.get('date_published_min') or '–'} to "
        f"{observed.get('date_published_max') or '–'}.",
        "",
        "## Settings that shaped it",
        "",
        "| setting | value |",
        "|---|---|",
        *(f"| `{name}` | `{_md(_setting(value))}` |" for name, value in data.settings.items()),
        "",
        "## Fields",
        "",
        "| field | type | in this file | meaning |",
        "|---|---|---:|---|",
    ]
    coverage = observed.get("coverage") or {}
    for name, prop in schema["properties"].items():
        share = f"{coverage.get(name, 0) / written:.0%}" if written else "–"
        lines.append(f"| `{name}` | {_md(_type(prop))} | {share} | "
                     f"{_md(prop.get('description', ''))} |")
    files = [f"- {kind}: `{path}`" for kind, path in data.files.items()]
    if files:
        lines += ["", "## Files of this run", "", *files]
    return "\n".join(lines) + "\n"

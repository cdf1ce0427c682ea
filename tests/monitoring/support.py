"""The monitoring components' settings, until ``settings.py`` registers them.

``settings.py`` is the only place defaults live; while it does not have these yet (the lead
wires them in, see ``docs/notes/watch.md``), the tests pass them explicitly. A name that
``settings.py`` already has is taken from there, so the tests keep testing the real defaults.
"""

from __future__ import annotations

import json
from typing import Any

from newscrawl import settings as project

DEFAULTS: dict[str, Any] = {
    "NEWSCRAWL_MONITOR_ENABLED": True,
    "NEWSCRAWL_MONITOR_HISTORY_PATH": "",
    "NEWSCRAWL_MONITOR_HISTORY_RUNS": 100,
    "NEWSCRAWL_MONITOR_BASELINE_RUNS": 5,
    "NEWSCRAWL_MONITOR_MIN_ARTICLES": 20,
    "NEWSCRAWL_MONITOR_PROVENANCE_DROP": 0.3,
    "NEWSCRAWL_MONITOR_COVERAGE_DROP": 0.3,
    "NEWSCRAWL_MONITOR_LAYOUT_SEVERITY": "fail",
    "NEWSCRAWL_MONITOR_SCHEMA_INVALID_MAX_SHARE": 0.01,
    "NEWSCRAWL_MONITOR_RETRY_MAX_SHARE": 0.2,
    "NEWSCRAWL_MONITOR_ERROR_STATUS_MAX_SHARE": 0.1,
    "NEWSCRAWL_MONITOR_SLOW_FACTOR": 3.0,
    "NEWSCRAWL_SCHEMA_CHECK_ENABLED": True,
    "NEWSCRAWL_REPORT_ENABLED": True,
    "NEWSCRAWL_REPORT_URI": "",
    "NEWSCRAWL_CARD_ENABLED": True,
    "NEWSCRAWL_CARD_URI": "",
    "NEWSCRAWL_ALERT_ON": "degraded",
    "NEWSCRAWL_ALERT_EMAIL_TO": [],
    "NEWSCRAWL_ALERT_WEBHOOK_URL": "",
    "NEWSCRAWL_ALERT_COMMAND": "",
    "NEWSCRAWL_ALERT_TIMEOUT_SECONDS": 30.0,
    "NEWSCRAWL_PROGRESS_ENABLED": True,
    "NEWSCRAWL_PROGRESS_INTERVAL_SECONDS": 60.0,
}
EXTENSIONS = {
    "newscrawl.extensions.monitor.RunMonitor": 525,  # before RunHealth (530): feeds it
    "newscrawl.extensions.report.RunReport": 535,
    "newscrawl.extensions.card.DatasetCard": 536,
    "newscrawl.extensions.alerts.RunAlerts": 540,
    "newscrawl.extensions.progress.RunProgress": 600,
}
PIPELINES = {"newscrawl.monitoring.pipeline.SchemaPipeline": 250}  # after CleanPipeline


def defaults(**overrides: Any) -> dict[str, Any]:
    """The monitoring defaults ``settings.py`` does not have yet, with ``overrides``."""
    missing = {k: v for k, v in DEFAULTS.items() if not hasattr(project, k)}
    return {**missing, **overrides}


def components() -> dict[str, Any]:
    """``EXTENSIONS`` and ``ITEM_PIPELINES`` of ``settings.py`` plus the monitoring ones."""
    return {"EXTENSIONS": {**project.EXTENSIONS, **EXTENSIONS},
            "ITEM_PIPELINES": {**project.ITEM_PIPELINES, **PIPELINES}}


def settings(**overrides: Any) -> dict[str, Any]:
    """Everything a crawl needs for the monitoring components, with ``overrides``."""
    return {**defaults(), **components(), **overrides}


def cli_settings(**overrides: Any) -> dict[str, str]:
    """:func:`settings` as ``scrapy crawl -s NAME=VALUE`` values (lists comma-separated,
    dicts as JSON)."""
    return {name: value if isinstance(value, str) else
            ",".join(value) if isinstance(value, list) else json.dumps(value)
            for name, value in settings(**overrides).items()}

"""The monitoring components' settings, until ``settings.py`` registers them.

``settings.py`` is the only place defaults live; while it does not have these yet (the lead
wires them in, see ``docs/notes/watch.md``), the tests pass them explicitly. A name that
``settings.py`` already has is taken from there, so the tests keep testing the real defaults.
"""

from __future__ import annotations

import json
from typing import Any

from newscrawl import settings as project
from tests.support import newscrawl_defaults

EXTENSIONS = {
    "newscrawl.extensions.monitor.RunMonitor": 525,  # before RunHealth (530): feeds it
    "newscrawl.extensions.report.RunReport": 535,
    "newscrawl.extensions.card.DatasetCard": 536,
    "newscrawl.extensions.alerts.RunAlerts": 540,
    "newscrawl.extensions.progress.RunProgress": 600,
}
PIPELINES = {"newscrawl.monitoring.pipeline.SchemaPipeline": 250}  # after CleanPipeline


def defaults(**overrides: Any) -> dict[str, Any]:
    """Every ``NEWSCRAWL_*`` default of ``settings.py``, with ``overrides``."""
    return newscrawl_defaults(**overrides)


def components() -> dict[str, Any]:
    """``EXTENSIONS`` and ``ITEM_PIPELINES`` of ``settings.py`` plus the monitoring ones."""
    return {"EXTENSIONS": {**project.EXTENSIONS, **EXTENSIONS},
            "ITEM_PIPELINES": {**project.ITEM_PIPELINES, **PIPELINES}}


def settings(**overrides: Any) -> dict[str, Any]:
    """The monitoring components on top of ``settings.py``'s, with ``overrides`` (the defaults
    are ``settings.py``'s own: a crawl loads them)."""
    return {**components(), **overrides}


def cli_settings(**overrides: Any) -> dict[str, str]:
    """:func:`settings` as ``scrapy crawl -s NAME=VALUE`` values (lists comma-separated,
    dicts as JSON)."""
    return {name: value if isinstance(value, str) else
            ",".join(value) if isinstance(value, list) else json.dumps(value)
            for name, value in settings(**overrides).items()}

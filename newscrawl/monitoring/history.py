"""The run history: the key figures of the last runs, one JSON line per run.

The file sits beside the state store: ``NEWSCRAWL_MONITOR_HISTORY_PATH``, by default
``<NEWSCRAWL_STATE_PATH without its suffix>.runs.jsonl`` (``state/kangnamtimes-www.kangnamtimes
.com.runs.jsonl``). The monitors compare a run with it; the report draws its trends from it.

Each run appends one line with one ``os.write`` on a file opened with ``O_APPEND``, so a
killed run leaves whole lines (the run lock keeps writers to one); unreadable lines are
skipped and counted. When the file holds more than twice ``NEWSCRAWL_MONITOR_HISTORY_RUNS``
lines it is rewritten (a temporary file, then ``os.replace``) to the newest that many.

A record (:func:`run_record`) is :func:`newscrawl.monitoring.figures.key_figures` plus
``run`` (when the run finished, ISO 8601 UTC), ``started``, ``spider``, ``feed``, ``ok`` and
``verdict`` (the health verdict), ``layout_changed`` and the ``findings`` that were not ok.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newscrawl.monitoring.figures import key_figures
from newscrawl.monitoring.verdict import Finding, layout_changed

logger = logging.getLogger(__name__)

HISTORY_SUFFIX = ".runs.jsonl"


def history_path_for_state(state_path: Path) -> Path:
    """``state/x.sqlite3`` gives ``state/x.runs.jsonl``."""
    return state_path.with_name(state_path.stem + HISTORY_SUFFIX)


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    return str(value) if value else None


def run_record(stats: Mapping[str, Any], findings: Sequence[Finding], *,
               spider: str, feed: str | None, ok: bool | None, verdict: str,
               finished: datetime | None = None) -> dict[str, Any]:
    """The history line of a finished run."""
    finished_at = stats.get("finish_time") or finished or datetime.now(UTC)
    return {
        "run": _iso(finished_at),
        "started": _iso(stats.get("start_time")),
        "spider": spider,
        "feed": feed,
        "ok": ok,
        "verdict": verdict,
        **key_figures(stats),
        "layout_changed": layout_changed(findings),
        "findings": [f.to_dict() for f in findings if not f.ok],
    }


class RunHistory:
    """The history file of one spider and site."""

    def __init__(self, path: Path, keep: int = 100) -> None:
        self.path = path
        self.keep = max(1, keep)
        self.bad_lines = 0

    def read(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The records, oldest first (the last ``limit`` of them)."""
        if not self.path.exists():
            return []
        records: list[dict[str, Any]] = []
        self.bad_lines = 0
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if isinstance(record, dict):
                    records.append(record)
                else:
                    self.bad_lines += 1
        if self.bad_lines:
            logger.warning("run history %s: %d unreadable line(s) skipped", self.path,
                           self.bad_lines)
        return records[-limit:] if limit else records

    def append(self, record: Mapping[str, Any]) -> None:
        """Add one run (one ``os.write``), then trim the file when it has grown too long."""
        line = (json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        self._trim()

    def _trim(self) -> None:
        records = self.read()
        if len(records) <= 2 * self.keep:
            return
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                for record in records[-self.keep:]:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

"""One run, as its report and dataset card see it, and its saved form ``<stem>.run.json``.

The file holds the run's whole stats (JSON-ready), the monitors' findings, the health
verdict, what :class:`~newscrawl.monitoring.observe.RunObserver` counted, the settings that
shape the dataset, and where the run history is, so ``scrapy report PATH`` can build the
report of any earlier run again without the crawler.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newscrawl.monitoring.verdict import Finding

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

FORMAT = 1

SHAPING_SETTINGS = (
    "NEWSCRAWL_BASE_URL", "NEWSCRAWL_HOST_ALIASES", "NEWSCRAWL_FOLLOW_BLOCKS",
    "NEWSCRAWL_MAX_ARTICLES", "NEWSCRAWL_FULL_CRAWL_ENABLED", "NEWSCRAWL_STATE_ENABLED",
    "NEWSCRAWL_RECRAWL_WINDOW_HOURS", "NEWSCRAWL_JS_ENABLED", "NEWSCRAWL_JS_CATEGORY_ITEMS",
    "NEWSCRAWL_NFKC_ENABLED", "NEWSCRAWL_DEDUPE_ENABLED", "NEWSCRAWL_DEDUPE_THRESHOLD",
    "NEWSCRAWL_DEDUPE_WINDOW_DAYS", "NEWSCRAWL_SCHEMA_CHECK_ENABLED", "DEPTH_LIMIT",
    "ROBOTSTXT_OBEY", "CLOSESPIDER_ITEMCOUNT", "CLOSESPIDER_TIMEOUT", "USER_AGENT",
)
"""The settings that decide what a run's file holds (shown in the card and the report)."""


def jsonable(value: Any) -> Any:
    """*value* as JSON can hold it (times as ISO 8601, anything else unknown as text)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def shaping_settings(settings: BaseSettings) -> dict[str, Any]:
    """The values of :data:`SHAPING_SETTINGS` that the settings have."""
    return {name: jsonable(settings.get(name)) for name in SHAPING_SETTINGS
            if settings.get(name) is not None}


@dataclass
class RunData:
    """Everything a report or a card shows about one run."""

    spider: str
    stats: dict[str, Any]
    observed: dict[str, Any]
    findings: list[Finding]
    ok: bool | None
    """The health verdict (None when the health check was off)."""
    verdict: str
    settings: dict[str, Any] = field(default_factory=dict)
    feed: str | None = None
    history_path: str | None = None
    schema_version: str = ""
    files: dict[str, str] = field(default_factory=dict)
    """Where the run's other files are: ``rejects``, ``summary``, ``report``, ``card``."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "spider": self.spider,
            "feed": self.feed,
            "ok": self.ok,
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in self.findings],
            "schema_version": self.schema_version,
            "history_path": self.history_path,
            "files": self.files,
            "settings": self.settings,
            "observed": self.observed,
            "stats": jsonable(self.stats),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunData:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a run file of format {FORMAT}: {data.get('format')!r}")
        ok = data.get("ok")
        return cls(
            spider=str(data.get("spider") or ""),
            stats=dict(data.get("stats") or {}),
            observed=dict(data.get("observed") or {}),
            findings=[Finding.from_dict(f) for f in data.get("findings") or []],
            ok=ok if isinstance(ok, bool) else None,
            verdict=str(data.get("verdict") or ""),
            settings=dict(data.get("settings") or {}),
            feed=data.get("feed"),
            history_path=data.get("history_path"),
            schema_version=str(data.get("schema_version") or ""),
            files=dict(data.get("files") or {}),
        )

    @property
    def status(self) -> str:
        """``failed`` (the verdict or a monitor failed), ``degraded`` (a monitor warned) or
        ``ok``."""
        if self.ok is False or any(f.failed for f in self.findings):
            return "failed"
        if any(not f.ok for f in self.findings):
            return "degraded"
        return "ok"

    @property
    def why(self) -> str:
        """The reason for the status: the failed verdict's, else the first failed monitor's
        (the health verdict may not know the monitors), else the verdict's."""
        failed = [f for f in self.findings if f.failed]
        if self.ok is not False and failed:
            return failed[0].reason
        return self.verdict

    @property
    def finished(self) -> str | None:
        value = jsonable(self.stats.get("finish_time"))
        return str(value) if value else None

    def save(self, path: Path) -> None:
        """Write atomically (a temporary file renamed over *path*)."""
        write_atomically(path, json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> RunData:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def write_atomically(path: Path, text: str) -> None:
    """Write *text* to a temporary file beside *path*, then rename it over *path*."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

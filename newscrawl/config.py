"""Settings checked once, at start: :func:`validate_settings` and the User-Agent add-on.

``scrapy crawl`` (:mod:`newscrawl.commands.crawl`) calls :func:`validate_settings` with the
spider arguments applied, before anything opens: a bad value stops the run with one line
(``bad settings: …``) and exit status 2. Paths come from settings only; nothing read from a
page decides where a file goes.

:class:`ContactUserAgent` (``ADDONS``) derives ``USER_AGENT`` from ``NEWSCRAWL_CONTACT``
when the user changed the contact but not the User-Agent, so the contact is set in one place.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl.feeds import effective_feeds
from newscrawl.paths import fill_params, local_path

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

PROJECT_UA = "newscrawl/0.1"
BLOCKS = frozenset({"latest", "ranking", "related", "recommend", "topics", "category", "inline",
                    "sitemap"})

#: (setting, minimum, strict): numbers that must be >= minimum (> minimum when strict).
_NUMBERS: tuple[tuple[str, float, bool], ...] = (
    ("DOWNLOAD_DELAY", 0, False), ("DOWNLOAD_TIMEOUT", 0, True),
    ("DOWNLOAD_MAXSIZE", 0, False), ("DOWNLOAD_WARNSIZE", 0, False),
    ("CONCURRENT_REQUESTS", 1, False), ("CONCURRENT_REQUESTS_PER_DOMAIN", 1, False),
    ("AUTOTHROTTLE_START_DELAY", 0, False), ("AUTOTHROTTLE_MAX_DELAY", 0, False),
    ("AUTOTHROTTLE_TARGET_CONCURRENCY", 0, True),
    ("RETRY_TIMES", 0, False), ("REDIRECT_MAX_TIMES", 0, False), ("DEPTH_LIMIT", 0, False),
    ("NEWSCRAWL_MAX_ARTICLES", 0, False), ("NEWSCRAWL_RETRY_BACKOFF", 0, False),
    ("NEWSCRAWL_RETRY_BACKOFF_MAX", 0, False), ("NEWSCRAWL_RETRY_AFTER_MAX", 0, False),
    ("NEWSCRAWL_RECRAWL_WINDOW", 0, False), ("NEWSCRAWL_KEEP_OUTPUTS", 0, False),
    ("NEWSCRAWL_DEDUPE_SHINGLE", 1, False), ("NEWSCRAWL_DEDUPE_NUM_PERM", 16, False),
    ("NEWSCRAWL_DEDUPE_WINDOW", 0, False),
    ("NEWSCRAWL_JS_MAX_PAGES", 1, False), ("NEWSCRAWL_JS_TIMEOUT", 0, True),
    ("NEWSCRAWL_JS_CATEGORY_ITEMS", 0, False), ("NEWSCRAWL_JS_MAX_CLICKS", 0, False),
)
_SHARES = ("NEWSCRAWL_DEDUPE_THRESHOLD", "NEWSCRAWL_MIN_PARSED_SHARE")
_BOOLS = ("ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "RETRY_ENABLED", "NEWSCRAWL_JS",
          "NEWSCRAWL_FULL", "NEWSCRAWL_NFKC", "NEWSCRAWL_DEDUPE_ENABLED",
          "NEWSCRAWL_REJECTS_ENABLED", "NEWSCRAWL_STATE_ENABLED", "NEWSCRAWL_HEALTH_ENABLED",
          "NEWSCRAWL_FAIL_ON_ERROR")
_ENUMS = {"NEWSCRAWL_JS_ON_MISSING": ("fail", "continue"),
          "NEWSCRAWL_STATE_BACKEND": ("sqlite", "memory")}
_CONTACT = re.compile(r"^(?:https?://\S+|mailto:\S+@\S+|[^@\s]+@[^@\s]+\.[^@\s]+)$")


def user_agent(contact: str) -> str:
    """The User-Agent naming the project and its contact."""
    return f"{PROJECT_UA} (+{contact})"


def _writable_dir(path: Path) -> str | None:
    """Why files cannot be created at ``path`` (its directory, or the nearest existing
    ancestor that would hold it), or None."""
    parent = path.parent if str(path.parent) else Path(".")
    probe = parent
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is not a directory"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"{probe} is not writable"
    try:  # root passes os.access everywhere: try for real (nothing is left behind)
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        return f"{probe} is not writable: {exc.strerror or exc}"
    if path.is_dir():
        return f"{path} is a directory"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path} is not writable"
    return None


def _paths(settings: BaseSettings) -> list[tuple[str, str]]:
    params = {"name": "spider", "time": "2000-01-01T00-00-00", "site": "site",
              "batch_time": "0", "batch_id": "1"}
    out: list[tuple[str, str]] = []
    for uri in effective_feeds(settings):
        path = local_path(fill_params(str(uri), params))
        if path is not None:
            out.append((f"FEEDS {uri}", str(path)))
    for name in ("NEWSCRAWL_REJECTS_URI", "NEWSCRAWL_SUMMARY_URI", "LOG_FILE"):
        value = settings.get(name)
        if value:
            path = local_path(fill_params(str(value), params))
            if path is not None:
                out.append((name, str(path)))
    if settings.getbool("NEWSCRAWL_STATE_ENABLED"):
        for name in ("NEWSCRAWL_STATE", "NEWSCRAWL_LOCK"):
            if name == "NEWSCRAWL_STATE" and settings.get("NEWSCRAWL_STATE_BACKEND") == "memory":
                continue
            value = settings.get(name)
            if value:
                out.append((name, fill_params(str(value), params)))
    return out


def validate_settings(settings: BaseSettings) -> list[str]:
    """Every problem with the run's settings, one short sentence each; empty when fine."""
    problems: list[str] = []
    for name, minimum, strict in _NUMBERS:
        raw = settings.get(name)
        if raw is None or raw == "":
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            problems.append(f"{name} must be a number, got {raw!r}")
            continue
        if value < minimum or (strict and value == minimum):
            relation = "more than" if strict else "at least"
            problems.append(f"{name} must be {relation} {minimum:g}, got {raw!r}")
    for name in _SHARES:
        raw = settings.get(name)
        try:
            share = float(raw)
        except (TypeError, ValueError):
            problems.append(f"{name} must be a number within 0..1, got {raw!r}")
            continue
        if not 0 <= share <= 1:
            problems.append(f"{name} must be within 0..1, got {raw!r}")
    for name in _BOOLS:
        try:
            settings.getbool(name)
        except ValueError:
            problems.append(f"{name} must be true or false (1/0), got {settings.get(name)!r}")
    for name, allowed in _ENUMS.items():
        choice = str(settings.get(name) or "").strip().lower()
        if choice and choice not in allowed:
            problems.append(f"{name} must be one of {', '.join(allowed)}, got {choice!r}")
    base_url = str(settings.get("NEWSCRAWL_BASE_URL") or "")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(f"NEWSCRAWL_BASE_URL (base_url) must be an http(s) URL, got {base_url!r}")
    unknown = sorted(set(settings.getlist("NEWSCRAWL_FOLLOW_BLOCKS")) - BLOCKS)
    if unknown:
        problems.append(f"NEWSCRAWL_FOLLOW_BLOCKS: unknown block(s) {', '.join(unknown)} "
                        f"(known: {', '.join(sorted(BLOCKS))})")
    contact = str(settings.get("NEWSCRAWL_CONTACT") or "").strip()
    if not _CONTACT.match(contact):
        problems.append("NEWSCRAWL_CONTACT must be an http(s) URL or an e-mail address, "
                        f"got {contact!r}")
    for name, path in _paths(settings):
        why = _writable_dir(Path(path))
        if why is not None:
            problems.append(f"{name}: cannot write {path} ({why})")
    return problems


class BadSettings(ValueError):
    """The run's settings are not usable; ``str()`` is the one line to show."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("bad settings: " + "; ".join(problems))
        self.problems = problems


class ContactUserAgent:
    """Add-on: ``USER_AGENT`` from ``NEWSCRAWL_CONTACT`` unless the user set ``USER_AGENT``.

    ``settings.py`` computes the default User-Agent from the default contact; a user who sets
    only ``-s NEWSCRAWL_CONTACT=mailto:ops@example.org`` gets ``newscrawl/0.1
    (+mailto:ops@example.org)``. A ``USER_AGENT`` set above project priority wins.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        contact = str(settings.get("NEWSCRAWL_CONTACT") or "").strip()
        if contact and (settings.getpriority("USER_AGENT") or 0) <= SETTINGS_PRIORITIES[
                "project"]:
            settings.set("USER_AGENT", user_agent(contact), priority="project")

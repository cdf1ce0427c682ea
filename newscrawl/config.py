"""Typed settings: one strict reader per kind, used by the component that owns each setting.

Every component reads its own settings once, in ``__init__``, with these readers; defaults live
in ``settings.py`` only. A value that cannot be used raises :class:`BadSetting`, whose ``str()``
is the one line to show (``bad setting NEWSCRAWL_X: must be …, got '…'``). Scrapy builds every
component inside ``Crawler.crawl()``, so the error reaches whatever started the crawl: the
project's ``scrapy crawl`` and ``scrapy runspider`` commands turn it into that one line and exit
status 2 (:mod:`newscrawl.commands`); Scrapyd runs ``scrapy crawl``; an embedded
``CrawlerProcess`` gets the exception. ``NotConfigured`` means "switched off", never "wrong".

Readers are strict where Scrapy's ``getbool`` is lenient: ``-1``, ``""`` and ``"abc"`` are not
booleans here.

Two add-ons (``ADDONS``) live here too: :class:`RenamedSettings` accepts the names of the
previous release for one more release, with a warning, and :class:`ContactUserAgent` derives
``USER_AGENT`` from ``NEWSCRAWL_CONTACT``.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.settings import SETTINGS_PRIORITIES

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

PROJECT_UA = "newscrawl/0.1"

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_CONTACT = re.compile(r"^(?:https?://\S+|mailto:\S+@\S+|[^@\s]+@[^@\s]+\.[^@\s]+)$")


class BadSetting(ValueError):
    """A setting whose value cannot be used. ``str()`` is the one line to show."""

    def __init__(self, name: str, problem: str, value: Any = None) -> None:
        shown = "" if value is None else f", got {value!r}"
        super().__init__(f"bad setting {name}: {problem}{shown}")
        self.name = name
        self.problem = problem


def _raw(settings: BaseSettings, name: str) -> Any:
    value = settings.get(name)
    return value.strip() if isinstance(value, str) else value


def read_bool(settings: BaseSettings, name: str) -> bool:
    """``True``/``False``, ``1``/``0``, ``true``/``false``, ``yes``/``no``, ``on``/``off``."""
    value = _raw(settings, name)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).lower() if value is not None else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadSetting(name, "must be true or false (1/0)", value)


def _number(settings: BaseSettings, name: str, kind: type[int] | type[float]) -> float:
    value = _raw(settings, name)
    if isinstance(value, bool) or value is None or value == "":
        raise BadSetting(name, f"must be {'a whole number' if kind is int else 'a number'}",
                         value)
    try:
        number = kind(value) if kind is float or not isinstance(value, str) else int(value, 10)
    except (TypeError, ValueError):
        raise BadSetting(name, f"must be {'a whole number' if kind is int else 'a number'}",
                         value) from None
    if kind is int and isinstance(value, float) and not value.is_integer():
        raise BadSetting(name, "must be a whole number", value)
    if not math.isfinite(number):
        raise BadSetting(name, "must be a finite number", value)
    return number


def _check_range(name: str, number: float, value: Any, minimum: float | None,
                 maximum: float | None, above: bool) -> None:
    if minimum is not None and (number < minimum or (above and number == minimum)):
        raise BadSetting(name, f"must be {'more than' if above else 'at least'} {minimum:g}",
                         value)
    if maximum is not None and number > maximum:
        raise BadSetting(name, f"must be at most {maximum:g}", value)


def read_int(settings: BaseSettings, name: str, *, minimum: int | None = 0,
             maximum: int | None = None) -> int:
    """A whole number within ``minimum..maximum`` (0 or more by default)."""
    number = int(_number(settings, name, int))
    _check_range(name, number, settings.get(name), minimum, maximum, False)
    return number


def read_float(settings: BaseSettings, name: str, *, minimum: float | None = 0.0,
               maximum: float | None = None, above: bool = False) -> float:
    """A number within ``minimum..maximum`` (``above``: strictly more than ``minimum``)."""
    number = float(_number(settings, name, float))
    _check_range(name, number, settings.get(name), minimum, maximum, above)
    return number


def read_share(settings: BaseSettings, name: str, *, above_zero: bool = False) -> float:
    """A share within 0..1 (``above_zero``: within (0, 1])."""
    return read_float(settings, name, minimum=0.0, maximum=1.0, above=above_zero)


def read_choice(settings: BaseSettings, name: str, choices: Collection[str]) -> str:
    """One of ``choices`` (case folded)."""
    value = _raw(settings, name)
    choice = str(value).lower() if value is not None else ""
    if choice not in choices:
        raise BadSetting(name, f"must be one of {', '.join(choices)}", value)
    return choice


def read_list(settings: BaseSettings, name: str, *, allowed: Collection[str] | None = None,
              allow_empty: bool = True) -> list[str]:
    """A list (or a comma-separated string) of names, each in ``allowed`` when given."""
    items = [str(item).strip() for item in settings.getlist(name) if str(item).strip()]
    if not items and not allow_empty:
        raise BadSetting(name, "must name at least one value", settings.get(name))
    if allowed is not None:
        unknown = sorted(set(items) - set(allowed))
        if unknown:
            raise BadSetting(name, f"unknown value(s) {', '.join(unknown)} "
                                   f"(known: {', '.join(sorted(allowed))})")
    return items


def read_log_level(settings: BaseSettings, name: str) -> int:
    """A logging level: a name (``WARNING``) or a number."""
    value = _raw(settings, name)
    level = logging.getLevelName(str(value).upper()) if isinstance(value, str) else value
    if isinstance(level, bool) or not isinstance(level, int):
        raise BadSetting(name, "must be a logging level (DEBUG, INFO, WARNING, ERROR)", value)
    return level


def read_url(settings: BaseSettings, name: str) -> str:
    """An absolute http(s) URL with a host and a valid port."""
    value = _raw(settings, name)
    text = str(value or "")
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError as exc:
        raise BadSetting(name, f"must be an http(s) URL ({exc})", value) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadSetting(name, "must be an http(s) URL", value)
    if port == 0:
        raise BadSetting(name, "must not use port 0", value)
    return text


def read_contact(settings: BaseSettings, name: str) -> str:
    """An http(s) URL or an e-mail address (``mailto:`` optional)."""
    value = str(_raw(settings, name) or "")
    if not _CONTACT.match(value):
        raise BadSetting(name, "must be an http(s) URL or an e-mail address", value)
    return value


def writable_problem(path: Path) -> str | None:
    """Why files cannot be created at ``path`` (its directory, or the nearest existing
    ancestor that would hold it), or None."""
    parent = path.parent if str(path.parent) else Path(".")
    probe = parent
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is not a directory"
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


def read_path(settings: BaseSettings, name: str, params: Mapping[str, str] | None = None,
              ) -> Path | None:
    """A file path (``%(name)s``-style placeholders filled from ``params``) where files can
    be written; None when the setting is empty."""
    from newscrawl.paths import fill_params  # paths imports nothing of ours

    value = _raw(settings, name)
    if not value:
        return None
    path = Path(fill_params(str(value), params or {}))
    problem = writable_problem(path)
    if problem is not None:
        raise BadSetting(name, f"cannot write {path} ({problem})")
    return path


def path_params(settings: BaseSettings, spider_name: str) -> dict[str, str]:
    """The placeholders of the path settings: ``%(name)s``, the spider's name, and
    ``%(site)s``, the site's key (:func:`newscrawl.paths.site_key` of ``NEWSCRAWL_BASE_URL``)."""
    from newscrawl.paths import site_key  # paths imports nothing of ours

    return {"name": spider_name, "site": site_key(read_url(settings, "NEWSCRAWL_BASE_URL"))}


# --- Names of the previous release ---------------------------------------------------------

RENAMED: dict[str, str] = {
    "NEWSCRAWL_JS": "NEWSCRAWL_JS_ENABLED",
    "NEWSCRAWL_NFKC": "NEWSCRAWL_NFKC_ENABLED",
    "NEWSCRAWL_FULL": "NEWSCRAWL_FULL_CRAWL_ENABLED",
    "NEWSCRAWL_FEED": "NEWSCRAWL_FEED_URI",
    "NEWSCRAWL_STATE": "NEWSCRAWL_STATE_PATH",
    "NEWSCRAWL_LOCK": "NEWSCRAWL_LOCK_PATH",
    "NEWSCRAWL_CHROMIUM": "NEWSCRAWL_CHROMIUM_PATH",
    "NEWSCRAWL_RECRAWL_WINDOW": "NEWSCRAWL_RECRAWL_WINDOW_HOURS",
    "NEWSCRAWL_DEDUPE_WINDOW": "NEWSCRAWL_DEDUPE_WINDOW_DAYS",
    "NEWSCRAWL_DEDUPE_SHINGLE": "NEWSCRAWL_DEDUPE_SHINGLE_CHARS",
    "NEWSCRAWL_JS_TIMEOUT": "NEWSCRAWL_JS_TIMEOUT_SECONDS",
    "NEWSCRAWL_RETRY_BACKOFF": "NEWSCRAWL_RETRY_BACKOFF_SECONDS",
    "NEWSCRAWL_RETRY_BACKOFF_MAX": "NEWSCRAWL_RETRY_BACKOFF_MAX_SECONDS",
    "NEWSCRAWL_RETRY_AFTER_MAX": "NEWSCRAWL_RETRY_AFTER_MAX_SECONDS",
}
"""Old name → new name. The old names are accepted until release 0.3, with a warning."""


def migrate_renamed(settings: BaseSettings) -> list[str]:
    """Copy every old-named setting onto its new name (unless the new one was set at a higher
    priority); return the warnings, one per old name in use."""
    warnings = []
    for old, new in RENAMED.items():
        priority = settings.getpriority(old)
        if priority is None:
            continue
        if priority >= (settings.getpriority(new) or 0):
            settings.set(new, settings.get(old), priority=priority)
        warnings.append(f"{old} is deprecated and will be removed in 0.3: use {new}")
    return warnings


class RenamedSettings:
    """Add-on: the previous release's setting names still work, with a warning each."""

    def update_settings(self, settings: BaseSettings) -> None:
        for warning in migrate_renamed(settings):
            logger.warning("%s", warning)


def user_agent(contact: str) -> str:
    """The User-Agent naming the project and its contact."""
    return f"{PROJECT_UA} (+{contact})"


class ContactUserAgent:
    """Add-on: ``USER_AGENT`` from ``NEWSCRAWL_CONTACT`` unless the user set ``USER_AGENT``.

    ``settings.py`` computes the default User-Agent from the default contact; a user who sets
    only ``-s NEWSCRAWL_CONTACT=mailto:ops@example.org`` gets ``newscrawl/0.1
    (+mailto:ops@example.org)``. A ``USER_AGENT`` set above project priority wins. A contact
    that is neither a URL nor an e-mail address is a :class:`BadSetting`.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        contact = read_contact(settings, "NEWSCRAWL_CONTACT")
        if (settings.getpriority("USER_AGENT") or 0) <= SETTINGS_PRIORITIES["project"]:
            settings.set("USER_AGENT", user_agent(contact), priority="project")

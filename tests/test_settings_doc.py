"""The README's settings tables and ``settings.py`` name the same ``NEWSCRAWL_*`` settings with
the same defaults, and the previous release's names map onto settings that exist."""

from __future__ import annotations

import re
from typing import Any

from newscrawl import settings as project
from newscrawl.config import RENAMED
from tests.support import ROOT

ROW = re.compile(r"^\| `(NEWSCRAWL_[A-Z0-9_]+)`(?: \(`-a [^`]+`\))? \| ([^|]+) \|", re.MULTILINE)
#: Settings whose README default is prose, not a literal value.
PROSE_DEFAULTS = {"NEWSCRAWL_CONTACT": "the project's URL",
                  "NEWSCRAWL_JS_CATEGORIES": "the seven categories"}


def documented() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return {name: cell.strip() for name, cell in ROW.findall(text)}


def declared() -> dict[str, Any]:
    return {name: getattr(project, name) for name in dir(project)
            if name.startswith("NEWSCRAWL_")}


def literal(cell: str) -> str:
    match = re.match(r"`([^`]*)`", cell)
    assert match, f"the default {cell!r} is not a `literal`"
    return match.group(1)


def matches(value: Any, text: str) -> bool:
    if isinstance(value, bool):
        return text == str(value)
    if isinstance(value, int | float):
        return float(text) == float(value)
    if isinstance(value, str):
        return text == (value or '""')
    if isinstance(value, list):
        return text == (" ".join(value) if value else "[]")
    return False


def test_every_setting_is_documented_once_and_nothing_else() -> None:
    assert sorted(documented()) == sorted(declared())


def test_documented_defaults_are_the_declared_ones() -> None:
    docs = documented()
    wrong = {}
    for name, value in declared().items():
        cell = docs[name]
        if name in PROSE_DEFAULTS:
            ok = cell == PROSE_DEFAULTS[name]
        else:
            ok = matches(value, literal(cell))
        if not ok:
            wrong[name] = (value, cell)
    assert wrong == {}


def test_old_names_map_onto_declared_settings() -> None:
    assert set(RENAMED.values()) <= set(declared())
    assert not set(RENAMED) & set(declared())

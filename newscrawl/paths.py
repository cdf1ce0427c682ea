"""File paths of a run: ``%(name)s``-style templates, local feed paths, side files.

Every path the project writes comes from a setting (never from page content) and goes through
these functions.

A run's files form a family around its first local feed: ``out.jsonl``, ``out.rejects.jsonl``,
``out.summary.json``. A family kept under another name (the output of a killed run, or an
earlier run's output that a new ``-O`` run would have replaced) takes a time token after the
stem: ``out.2026-11-25T09-00-00+00-00.recovered.jsonl``, ``out.2026-…+00-00.rejects.jsonl``
(:func:`aside_path`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlsplit

from w3lib.url import file_uri_to_path

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
"""A ``%(key)s`` (or ``%(key)d``) placeholder, as in Scrapy's feed URIs."""


def fill_params(template: str, params: Mapping[str, str]) -> str:
    """Fill ``%(key)s`` placeholders of *template*, leaving unknown ones and other ``%`` alone."""
    return PLACEHOLDER.sub(lambda m: params.get(m.group(1), m.group(0)), template)


def local_path(uri: str) -> Path | None:
    """The filesystem path of a feed URI, or None when the feed is not a local file."""
    scheme = urlparse(uri).scheme
    if scheme == "file":
        return Path(file_uri_to_path(uri))
    if scheme == "" or len(scheme) == 1:  # a plain path, or a Windows drive letter
        return Path(uri)
    return None


REJECTS_SUFFIX = ".rejects.jsonl"
SUMMARY_SUFFIX = ".summary.json"
SIDE_SUFFIXES = (REJECTS_SUFFIX, SUMMARY_SUFFIX)
"""The side files of a feed ``out.jsonl``: ``out.rejects.jsonl`` and ``out.summary.json``."""
PART_SUFFIX = ".part"
"""A file being written: ``out.jsonl.part`` becomes ``out.jsonl`` when it is complete."""
RECOVERED = "recovered"
TOKEN_PATTERN = r"(?:\.[0-9T+\-]+(?:\.recovered)?)?"
"""The regex of the optional ``.<time>[.recovered]`` that :func:`aside_path` inserts."""


def time_token(moment: datetime | None = None) -> str:
    """A time as Scrapy's ``%(time)s`` writes it: ``2026-11-25T09-00-00+00-00`` (UTC)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return moment.isoformat().replace(":", "-")


def family_suffix(path: Path) -> str:
    """The suffix that names a file's role: ``.rejects.jsonl``, ``.summary.json``, or its last
    suffix (``.jsonl``)."""
    for suffix in SIDE_SUFFIXES:
        if path.name.endswith(suffix) and len(path.name) > len(suffix):
            return suffix
    return path.suffix


def aside_path(path: Path, token: str, *, recovered: bool = False,
               suffix: str | None = None) -> Path:
    """*path* with ``.<token>`` (and ``.recovered``) inserted before its family suffix:
    ``out.jsonl`` → ``out.<token>.recovered.jsonl``, ``out.rejects.jsonl`` →
    ``out.<token>.rejects.jsonl``."""
    suffix = family_suffix(path) if suffix is None else suffix
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    tail = f".{RECOVERED}{suffix}" if recovered else suffix
    return path.with_name(f"{stem}.{token}{tail}")


def free_token(paths: list[Path], token: str, *, recovered: bool = False) -> str:
    """*token*, or ``token-2``, ``token-3``…: the first for which no :func:`aside_path` of
    *paths* exists (one token for a whole family)."""
    candidate, number = token, 1
    while any(aside_path(p, candidate, recovered=recovered).exists() for p in paths):
        number += 1
        candidate = f"{token}-{number}"
    return candidate


def lock_path_for(template: str) -> Path:
    """The lock file of an output template: a hidden file in its deepest directory without
    a placeholder, named after the rest: ``output/n/%(time)s.jsonl`` gives
    ``output/n/.{time}.jsonl.lock``, ``out.jsonl`` gives ``.out.jsonl.lock``."""
    path = Path(PLACEHOLDER.sub(lambda m: "{" + m.group(1) + "}", template))
    parts = path.parts
    fixed = 0
    while fixed < len(parts) - 1 and "{" not in parts[fixed]:
        fixed += 1
    directory = Path(*parts[:fixed]) if fixed else Path(".")
    return directory / ("." + "_".join(parts[fixed:]) + ".lock")


def sibling_path(path: Path, suffix: str) -> Path:
    """``output/demo.jsonl`` with suffix ``.rejects.jsonl`` gives ``output/demo.rejects.jsonl``."""
    return path.with_name(path.stem + suffix)


def site_key(base_url: str) -> str:
    """The site part of state and lock file names: ``www.kangnamtimes.com``, ``127.0.0.1-8765``."""
    return urlsplit(base_url).netloc.lower().replace(":", "-") or "site"

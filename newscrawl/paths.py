"""File paths of a run: ``%(name)s``-style templates, local feed paths, side files.

Every path the project writes comes from a setting (never from page content) and goes through
these functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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


def sibling_path(path: Path, suffix: str) -> Path:
    """``output/demo.jsonl`` with suffix ``.rejects.jsonl`` gives ``output/demo.rejects.jsonl``."""
    return path.with_name(path.stem + suffix)


def site_key(base_url: str) -> str:
    """The site part of state and lock file names: ``www.kangnamtimes.com``, ``127.0.0.1-8765``."""
    return urlsplit(base_url).netloc.lower().replace(":", "-") or "site"

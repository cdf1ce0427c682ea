"""The store's record and interface, and the plain functions of the incremental policy."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, NamedTuple, Protocol


@dataclass
class ArticleState:
    """What is remembered of one delivered article."""

    article_id: str
    content_hash: str
    """:func:`content_hash` of the delivered version."""
    version: int = 1
    """The ``version`` of the last delivered line."""
    date_published: str | None = None
    date_modified: str | None = None
    """The article's own times (ISO 8601), as delivered."""
    first_seen: str | None = None
    last_seen: str | None = None
    """When the crawl first delivered / last saw the article, ISO 8601 in UTC."""
    etag: str | None = None
    last_modified: str | None = None
    """The HTTP validators of the last 200 response, for conditional requests."""
    duplicate_of: str | None = None
    """Set when the article was never delivered because the dedupe pipeline found it a copy
    of this delivered article (``version`` is then 0). Remembered so later runs do not fetch
    the copy again and, not seeing the original, write it."""


class StoredFingerprint(NamedTuple):
    """The dedupe fingerprint of a written article (:meth:`newscrawl.neardup.Deduper.preload`)."""

    article_id: str
    body_hash: bytes
    signature: bytes | None
    """The MinHash signature, ``num_perm`` little-endian uint32 (None for an empty body)."""


class JournalMark(NamedTuple):
    """How far an output file has been read into the store."""

    offset: int
    """Bytes of the file already reconciled (always the end of a whole line)."""
    head: str
    """:func:`newscrawl.state.journal.head_digest` of the file when it was read: a file
    replaced under the same name has another first line, and is read again from the start."""


class CrawlState(Protocol):
    """Per-article memory between runs. Implementations: SQLite (default), memory (tests)."""

    def check(self) -> str | None:
        """Why the store cannot be used (not a store, damaged), or None. Called when the
        run's components are built, so a bad store stops the run before it starts; it
        opens nothing for the run and creates nothing."""

    def open(self) -> None:
        """Connect; called when the spider opens, never in ``__init__``."""

    def transaction(self) -> AbstractContextManager[None]:
        """Group the writes inside it into one commit (all or nothing)."""
        ...

    def get(self, article_id: str) -> ArticleState | None: ...

    def record(self, state: ArticleState) -> None:
        """Insert or replace, durably: call only once the article's line is in the output."""

    def touch(self, article_id: str, last_seen: str) -> None:
        """Update ``last_seen`` of a known article (a 304, for instance)."""

    def __iter__(self) -> Iterator[ArticleState]: ...

    def __len__(self) -> int: ...

    def record_fingerprint(self, article_id: str, scheme: str, body_hash: bytes,
                           signature: bytes | None, seen: str) -> None:
        """Keep the dedupe fingerprint of a written article (replacing an older version's;
        the first ``seen``, ISO 8601 in UTC, is kept)."""

    def fingerprints(self, scheme: str, since: str | None = None) -> list[StoredFingerprint]:
        """The fingerprints of *scheme* first seen at or after *since* (all when None)."""
        ...

    def journal_mark(self, path: str) -> JournalMark | None:
        """How far the output file at *path* was reconciled (None when never)."""

    def set_journal_mark(self, path: str, mark: JournalMark) -> None: ...

    def forget_journal(self, path: str) -> None: ...

    def journal_paths(self) -> list[str]: ...

    def close(self) -> None: ...


# --- Content hash ---------------------------------------------------------------------------

HASHED_FIELDS = ("headline", "summary", "authors", "body", "category", "tags", "images",
                 "credits", "date_published", "date_modified")
"""The fields whose change makes a new version. Crawl-time fields (``crawled_at``,
``discovered_via``, ``related``, ``comment_count``) change without the article changing."""


def content_hash(item: Mapping[str, Any]) -> str:
    """A stable hash of an article's content, equal for an item and its JSON line.

    ``item`` is a JSON line, or an :class:`~itemadapter.ItemAdapter` of the item (only the
    hashed fields are read: no need for a whole ``asdict()``, which walks ``related``)."""
    content = {name: item.get(name) for name in HASHED_FIELDS}
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(encoded.encode("utf-8"), digest_size=16).hexdigest()


# --- Incremental policy ---------------------------------------------------------------------

FetchDecision = Literal["fetch", "conditional", "skip"]


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time with offset, or None when absent or unreadable (or naive)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def decide_fetch(
    known: ArticleState | None,
    *,
    now: datetime,
    listing_modified: str | None = None,
    recrawl_window: timedelta = timedelta(hours=24),
    full: bool = False,
) -> FetchDecision:
    """Whether to request an article again.

    ``fetch`` an unknown article (or any, in a full run); ``conditional`` (with
    ``If-None-Match`` / ``If-Modified-Since``) a known one whose listing shows a newer modified
    time, or that is younger than the recrawl window; ``skip`` the others.
    """
    if full or known is None:
        return "fetch"
    shown = parse_time(listing_modified)
    if shown is not None:
        stored = parse_time(known.date_modified) or parse_time(known.date_published)
        if stored is None or shown > stored:
            return "conditional"
    born = parse_time(known.date_published) or parse_time(known.first_seen)
    if born is not None and now - born < recrawl_window:
        return "conditional"
    return "skip"


Change = Literal["new", "updated", "unchanged"]


def classify(known: ArticleState | None, new_hash: str) -> tuple[Change, int]:
    """Whether an article is new, updated or unchanged, and the ``version`` its line gets."""
    if known is None:
        return "new", 1
    if known.content_hash == new_hash:
        return "unchanged", known.version
    if known.duplicate_of:  # a copy never delivered, changed since: judge it afresh
        return "new", 1
    return "updated", known.version + 1

"""What the crawl remembers between runs, per article, and the plain functions around it.

The store is behind :class:`CrawlState` so the SQLite default can be swapped for Redis later
(``NEWSCRAWL_STATE_BACKEND``). Nothing here needs a crawler:

* :func:`content_hash` says whether an article's content changed;
* :func:`decide_fetch` is the incremental policy for one article request;
* :mod:`newscrawl.state.journal` treats the output files as the journal of delivered articles;
* :mod:`newscrawl.state.service` is how the run's components reach the state.
"""

from __future__ import annotations

from newscrawl.state.base import (
    HASHED_FIELDS,
    ArticleState,
    Change,
    CrawlState,
    FetchDecision,
    JournalMark,
    StoredFingerprint,
    classify,
    content_hash,
    decide_fetch,
    parse_time,
)
from newscrawl.state.memory import MemoryState
from newscrawl.state.service import STATE_BACKENDS
from newscrawl.state.sqlite import SQLiteState

__all__ = [
    "HASHED_FIELDS",
    "STATE_BACKENDS",
    "ArticleState",
    "Change",
    "CrawlState",
    "FetchDecision",
    "JournalMark",
    "MemoryState",
    "SQLiteState",
    "StoredFingerprint",
    "classify",
    "content_hash",
    "decide_fetch",
    "open_state",
    "parse_time",
]


def open_state(backend: str, path: str) -> CrawlState:
    """The store named by ``NEWSCRAWL_STATE_BACKEND`` (not yet connected)."""
    if backend == "sqlite":
        return SQLiteState(path)
    if backend == "memory":
        return MemoryState()
    raise ValueError(f"NEWSCRAWL_STATE_BACKEND must be 'sqlite' or 'memory', got {backend!r}")

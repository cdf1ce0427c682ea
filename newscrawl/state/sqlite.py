"""The default :class:`~newscrawl.state.base.CrawlState`: one SQLite file per spider.

WAL mode with ``synchronous=NORMAL``: a committed record survives a killed process (only a
power cut can lose the last commits, and the output journal restores those). Every
:meth:`SQLiteState.record` commits at once; a run records at most a few thousand articles.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import astuple, fields
from pathlib import Path

from newscrawl.state.base import ArticleState, StoredFingerprint

logger = logging.getLogger(__name__)

_COLUMNS = tuple(f.name for f in fields(ArticleState))
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY,
    {", ".join(f"{name} {'INTEGER' if name == 'version' else 'TEXT'}" for name in _COLUMNS[1:])}
);
CREATE TABLE IF NOT EXISTS journal (
    path TEXT PRIMARY KEY,
    offset INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS fingerprints (
    article_id TEXT PRIMARY KEY,
    scheme TEXT NOT NULL,
    body_hash BLOB NOT NULL,
    signature BLOB,
    first_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fingerprints_first_seen ON fingerprints (scheme, first_seen);
"""


class SQLiteState:
    """Articles, output-file offsets and the dedupe fingerprints of written articles, in one
    SQLite database at *path*."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("SQLiteState used before open() or after close()")
        return self._db

    def open(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        present = {row[1] for row in db.execute("PRAGMA table_info(articles)")}
        for name in _COLUMNS:
            if name not in present:  # a database of an earlier version of this module
                kind = "INTEGER NOT NULL DEFAULT 1" if name == "version" else "TEXT"
                db.execute(f"ALTER TABLE articles ADD COLUMN {name} {kind}")
        self._db = db
        logger.debug("state opened: %s", self.path)

    def get(self, article_id: str) -> ArticleState | None:
        row = self.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        return ArticleState(*row) if row else None

    def record(self, state: ArticleState) -> None:
        placeholders = ", ".join("?" for _ in _COLUMNS)
        self.db.execute(
            f"INSERT OR REPLACE INTO articles ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
            astuple(state),
        )

    def touch(self, article_id: str, last_seen: str) -> None:
        self.db.execute("UPDATE articles SET last_seen = ? WHERE article_id = ?",
                        (last_seen, article_id))

    def __iter__(self) -> Iterator[ArticleState]:
        rows = self.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM articles ORDER BY article_id").fetchall()
        return (ArticleState(*row) for row in rows)

    def __len__(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def record_fingerprint(self, article_id: str, scheme: str, body_hash: bytes,
                           signature: bytes | None, seen: str) -> None:
        self.db.execute(
            "INSERT INTO fingerprints (article_id, scheme, body_hash, signature, first_seen) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
            "scheme = excluded.scheme, body_hash = excluded.body_hash, "
            "signature = excluded.signature",
            (article_id, scheme, body_hash, signature, seen))

    def fingerprints(self, scheme: str, since: str | None = None) -> list[StoredFingerprint]:
        query = "SELECT article_id, body_hash, signature FROM fingerprints WHERE scheme = ?"
        params: tuple[str, ...] = (scheme,)
        if since is not None:
            query += " AND first_seen >= ?"
            params = (scheme, since)
        return list(map(StoredFingerprint._make, self.db.execute(query, params)))

    def journal_offset(self, path: str) -> int:
        row = self.db.execute("SELECT offset FROM journal WHERE path = ?", (path,)).fetchone()
        return int(row[0]) if row else 0

    def set_journal_offset(self, path: str, offset: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO journal (path, offset) VALUES (?, ?)",
                        (path, offset))

    def forget_journal(self, path: str) -> None:
        self.db.execute("DELETE FROM journal WHERE path = ?", (path,))

    def journal_paths(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT path FROM journal ORDER BY path")]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

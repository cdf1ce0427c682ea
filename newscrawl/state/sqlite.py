"""The default :class:`~newscrawl.state.base.CrawlState`: one SQLite file per spider.

WAL mode with ``synchronous=NORMAL``: a committed record survives a killed process (only a
power cut can lose the last commits, and the output journal restores those: a line is
fsync'd before its article is recorded, never the other way round). Writes outside
:meth:`SQLiteState.transaction` commit at once; the run records a batch of lines in one.

:meth:`SQLiteState.check` refuses a file that is not a SQLite database, a damaged one
(``PRAGMA quick_check``, which also finds a truncated file) and a database of another
program, so a bad file stops the run instead of being taken for an empty state.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, fields
from pathlib import Path
from urllib.parse import quote

from newscrawl.state.base import ArticleState, JournalMark, StoredFingerprint

logger = logging.getLogger(__name__)

_COLUMNS = tuple(f.name for f in fields(ArticleState))
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY,
    {", ".join(f"{name} {'INTEGER' if name == 'version' else 'TEXT'}" for name in _COLUMNS[1:])}
);
CREATE TABLE IF NOT EXISTS journal (
    path TEXT PRIMARY KEY,
    offset INTEGER NOT NULL,
    head TEXT NOT NULL DEFAULT ''
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

    def check(self) -> str | None:
        path = Path(self.path)
        if self.path == ":memory:" or not path.exists() or (
                path.is_file() and path.stat().st_size == 0):
            return None  # a new state
        try:
            db = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=rw", uri=True,
                                 timeout=30)
        except sqlite3.Error as exc:
            return f"cannot open it: {exc}"
        try:
            verdict = [row[0] for row in db.execute("PRAGMA quick_check(3)")]
            if verdict != ["ok"]:
                return f"it is damaged ({'; '.join(map(str, verdict))})"
            tables = {row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.Error as exc:  # not a database, or cut short
            return f"it is not a readable SQLite database ({exc})"
        finally:
            db.close()
        if tables and "articles" not in tables:
            names = ", ".join(sorted(tables))
            return f"it is the SQLite database of something else (tables: {names})"
        return None

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
        if "head" not in {row[1] for row in db.execute("PRAGMA table_info(journal)")}:
            db.execute("ALTER TABLE journal ADD COLUMN head TEXT NOT NULL DEFAULT ''")
        self._db = db
        logger.debug("state opened: %s", self.path)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        db = self.db
        if db.in_transaction:  # nested: the outer one commits
            yield
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

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

    def journal_mark(self, path: str) -> JournalMark | None:
        row = self.db.execute("SELECT offset, head FROM journal WHERE path = ?",
                              (path,)).fetchone()
        return JournalMark(int(row[0]), str(row[1])) if row else None

    def set_journal_mark(self, path: str, mark: JournalMark) -> None:
        self.db.execute("INSERT OR REPLACE INTO journal (path, offset, head) VALUES (?, ?, ?)",
                        (path, mark.offset, mark.head))

    def forget_journal(self, path: str) -> None:
        self.db.execute("DELETE FROM journal WHERE path = ?", (path,))

    def journal_paths(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT path FROM journal ORDER BY path")]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

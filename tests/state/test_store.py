"""The state stores: same behaviour in memory and in SQLite; SQLite persists across opens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.state import (
    ArticleState,
    CrawlState,
    JournalMark,
    MemoryState,
    SQLiteState,
    open_state,
)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CrawlState]:
    state = open_state(request.param, str(tmp_path / "sub" / "state.sqlite3"))
    state.open()
    yield state
    state.close()


def test_record_get_touch_iterate(store: CrawlState) -> None:
    assert store.get("1") is None
    store.record(ArticleState("1", "aa", version=1, date_modified="2025-12-12T09:10:00+09:00",
                              first_seen="2026-01-01T00:00:00+00:00", etag='"e1"'))
    store.record(ArticleState("2", "bb"))
    store.record(ArticleState("1", "cc", version=2, first_seen="2026-01-01T00:00:00+00:00"))
    got = store.get("1")
    assert got is not None and (got.content_hash, got.version, got.etag) == ("cc", 2, None)
    store.touch("1", "2026-02-02T00:00:00+00:00")
    store.touch("404", "2026-02-02T00:00:00+00:00")  # unknown: nothing happens
    saved = store.get("1")
    assert saved is not None and saved.last_seen == "2026-02-02T00:00:00+00:00"
    assert len(store) == 2
    assert sorted(s.article_id for s in store) == ["1", "2"]


def test_a_returned_record_is_a_copy(store: CrawlState) -> None:
    store.record(ArticleState("1", "aa"))
    got = store.get("1")
    assert got is not None
    got.content_hash = "changed"
    saved = store.get("1")
    assert saved is not None and saved.content_hash == "aa"


def test_journal_marks(store: CrawlState) -> None:
    assert store.journal_mark("/out/a.jsonl") is None
    store.set_journal_mark("/out/a.jsonl", JournalMark(120, "h1"))
    store.set_journal_mark("/out/b.jsonl", JournalMark(7, "h2"))
    assert store.journal_mark("/out/a.jsonl") == JournalMark(120, "h1")
    store.forget_journal("/out/b.jsonl")
    assert store.journal_paths() == ["/out/a.jsonl"]


def test_a_transaction_is_all_or_nothing_in_sqlite(tmp_path: Path) -> None:
    state = SQLiteState(str(tmp_path / "state.sqlite3"))
    state.open()
    with pytest.raises(RuntimeError), state.transaction():
        state.record(ArticleState("1", "h"))
        raise RuntimeError("killed half way")
    assert state.get("1") is None
    with state.transaction():
        state.record(ArticleState("2", "h"))
    state.close()
    state.open()
    assert state.get("2") is not None
    state.close()


def test_sqlite_persists_and_uses_wal(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite3")
    first = SQLiteState(path)
    first.open()
    first.record(ArticleState("7", "hash", version=3))
    first.close()  # no explicit commit: every record is committed
    second = SQLiteState(path)
    second.open()
    assert second.get("7") == ArticleState("7", "hash", version=3)
    assert second.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    second.close()


def test_sqlite_is_not_connected_before_open(tmp_path: Path) -> None:
    state = SQLiteState(str(tmp_path / "never.sqlite3"))
    assert not (tmp_path / "never.sqlite3").exists()
    with pytest.raises(RuntimeError):
        state.get("1")


def test_factory_rejects_unknown_backends() -> None:
    assert isinstance(open_state("memory", ""), MemoryState)
    with pytest.raises(ValueError, match="redis"):
        open_state("redis", "")


def test_sqlite_adds_columns_to_an_older_database(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE articles (article_id TEXT PRIMARY KEY, content_hash TEXT)")
        db.execute("INSERT INTO articles VALUES ('1', 'h')")
    state = SQLiteState(str(path))
    state.open()
    assert state.get("1") == ArticleState("1", "h", version=1)
    state.record(ArticleState("2", "h2", duplicate_of="1"))
    saved = state.get("2")
    assert saved is not None and saved.duplicate_of == "1"
    state.close()


def test_a_new_or_empty_state_file_is_fine(tmp_path: Path) -> None:
    assert SQLiteState(str(tmp_path / "missing.sqlite3")).check() is None
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    assert SQLiteState(str(tmp_path / "empty.sqlite3")).check() is None
    assert not (tmp_path / "missing.sqlite3").exists()  # checking creates nothing


def full_state(path: Path, articles: int = 400) -> None:
    state = SQLiteState(str(path))
    state.open()
    with state.transaction():
        for n in range(articles):
            state.record(ArticleState(str(n), "h" * 32, first_seen="2026-01-01T00:00:00+00:00"))
            state.record_fingerprint(str(n), "s", b"b" * 16, b"s" * 512, "2026-01-01")
    state.close()


@pytest.mark.parametrize("damage", ["random bytes", "cut in half", "first page only",
                                    "another program's database"])
def test_a_damaged_state_file_is_refused(tmp_path: Path, damage: str) -> None:
    import random
    import sqlite3

    path = tmp_path / "state.sqlite3"
    full_state(path)
    data = path.read_bytes()
    assert SQLiteState(str(path)).check() is None
    if damage == "random bytes":
        path.write_bytes(random.Random(7).randbytes(len(data)))
    elif damage == "cut in half":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "first page only":
        path.write_bytes(data[:4096])
    else:
        path.unlink()
        with sqlite3.connect(path) as other:
            other.execute("CREATE TABLE invoices (id INTEGER)")
    problem = SQLiteState(str(path)).check()
    assert problem is not None and "\n" not in problem

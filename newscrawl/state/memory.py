"""A :class:`~newscrawl.state.base.CrawlState` in dicts, for tests and one-off runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from newscrawl.state.base import ArticleState, JournalMark, StoredFingerprint


class MemoryState:
    """Forgets everything when the process ends."""

    def __init__(self) -> None:
        self._articles: dict[str, ArticleState] = {}
        self._journal: dict[str, JournalMark] = {}
        self._fingerprints: dict[str, tuple[str, StoredFingerprint, str]] = {}

    def check(self) -> str | None:
        return None

    def open(self) -> None:
        pass

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def get(self, article_id: str) -> ArticleState | None:
        found = self._articles.get(article_id)
        return replace(found) if found else None

    def record(self, state: ArticleState) -> None:
        self._articles[state.article_id] = replace(state)

    def touch(self, article_id: str, last_seen: str) -> None:
        if article_id in self._articles:
            self._articles[article_id].last_seen = last_seen

    def __iter__(self) -> Iterator[ArticleState]:
        return (replace(s) for s in list(self._articles.values()))

    def __len__(self) -> int:
        return len(self._articles)

    def record_fingerprint(self, article_id: str, scheme: str, body_hash: bytes,
                           signature: bytes | None, seen: str) -> None:
        known = self._fingerprints.get(article_id)
        first_seen = known[2] if known else seen
        self._fingerprints[article_id] = (
            scheme, StoredFingerprint(article_id, body_hash, signature), first_seen)

    def fingerprints(self, scheme: str, since: str | None = None) -> list[StoredFingerprint]:
        return [record for kind, record, first_seen in self._fingerprints.values()
                if kind == scheme and (since is None or first_seen >= since)]

    def journal_mark(self, path: str) -> JournalMark | None:
        return self._journal.get(path)

    def set_journal_mark(self, path: str, mark: JournalMark) -> None:
        self._journal[path] = mark

    def forget_journal(self, path: str) -> None:
        self._journal.pop(path, None)

    def journal_paths(self) -> list[str]:
        return sorted(self._journal)

    def close(self) -> None:
        pass

"""A :class:`~newscrawl.state.base.CrawlState` in dicts, for tests and one-off runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from newscrawl.state.base import ArticleState


class MemoryState:
    """Forgets everything when the process ends."""

    def __init__(self) -> None:
        self._articles: dict[str, ArticleState] = {}
        self._journal: dict[str, int] = {}

    def open(self) -> None:
        pass

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

    def journal_offset(self, path: str) -> int:
        return self._journal.get(path, 0)

    def set_journal_offset(self, path: str, offset: int) -> None:
        self._journal[path] = offset

    def forget_journal(self, path: str) -> None:
        self._journal.pop(path, None)

    def journal_paths(self) -> list[str]:
        return sorted(self._journal)

    def close(self) -> None:
        pass

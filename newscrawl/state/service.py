"""The one way components reach the crawl state: :func:`state_service` on the crawler.

The state extension (:class:`newscrawl.extensions.state.CrawlStateKeeper`) implements
:class:`StateService`; the incremental middleware, the state and dedupe pipelines and the feed
storage ask ``state_service(crawler)`` for it and import nothing of each other. ``None`` means
the state is off (``NEWSCRAWL_STATE_ENABLED``) or the component was built outside a crawl.

Two sides:

* what earlier runs delivered, for deciding what to fetch and write (:meth:`~StateService.get`,
  validators, dedupe fingerprints);
* the delivery journal, for the feed storage: the state records an article only from its line
  in an output file, once that line is on disk (:meth:`~StateService.watch`,
  :meth:`~StateService.flush`), and a file whose lines it counts as delivered is never
  overwritten (:meth:`~StateService.holds_delivered`).

:func:`configured_state` reads the state's settings (one reader, used by the extension and by
the run lock, which is keyed on the state file).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newscrawl.config import BadSetting, path_params, read_bool, read_choice, read_path

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from newscrawl.state.base import ArticleState, StoredFingerprint

STATE_BACKENDS = ("sqlite", "memory")
"""The values of ``NEWSCRAWL_STATE_BACKEND``."""


@dataclass(frozen=True)
class StateConfig:
    backend: str
    path: Path | None
    """The store's file (None for the ``memory`` backend)."""
    full: bool
    """``NEWSCRAWL_FULL_CRAWL_ENABLED``: ignore the state when deciding what to fetch."""


def configured_state(settings: BaseSettings, spider_name: str) -> StateConfig | None:
    """The state a run uses, from ``NEWSCRAWL_STATE_*`` (None when it is off)."""
    if not read_bool(settings, "NEWSCRAWL_STATE_ENABLED"):
        return None
    full = read_bool(settings, "NEWSCRAWL_FULL_CRAWL_ENABLED")
    backend = read_choice(settings, "NEWSCRAWL_STATE_BACKEND", STATE_BACKENDS)
    if backend == "memory":
        return StateConfig(backend, None, full)
    path = read_path(settings, "NEWSCRAWL_STATE_PATH", path_params(settings, spider_name))
    if path is None:
        raise BadSetting("NEWSCRAWL_STATE_PATH", "must name a file when the state is on")
    return StateConfig(backend, path, full)


class StateService(ABC):
    """The run's crawl state, as the other components see it."""

    full: bool
    """A full run (``NEWSCRAWL_FULL_CRAWL_ENABLED``): nothing is skipped or preloaded."""

    # -- what earlier runs delivered ---------------------------------------------------------

    @abstractmethod
    def get(self, article_id: str) -> ArticleState | None:
        """The delivered state of an article (None when unknown or the state is closed)."""

    @abstractmethod
    def note_validators(self, article_id: str, etag: str | None,
                        last_modified: str | None) -> None:
        """Keep a 200 response's ``ETag`` / ``Last-Modified`` until its line is recorded."""

    @abstractmethod
    def touch(self, article_id: str) -> None:
        """The article was seen unchanged (a 304)."""

    @abstractmethod
    def fingerprints(self, scheme: str, since: str | None = None) -> list[StoredFingerprint]:
        """Dedupe fingerprints of delivered articles first seen at or after *since*."""

    @abstractmethod
    def record_fingerprint(self, article_id: str, scheme: str, body_hash: bytes,
                           signature: bytes | None) -> None:
        """Keep the dedupe fingerprint of an article; stored once its line is recorded."""

    @abstractmethod
    def when_reconciled(self, listener: Callable[[dict[str, Any]], None]) -> None:
        """Call *listener* with each article line the state records from earlier output when
        the run opens (a line a killed run wrote and did not record), before the spider runs:
        the dedupe pipeline fingerprints it, so the original's copies stay copies."""

    # -- the delivery journal (for the feed storage and the rejects file) ----------------------

    @abstractmethod
    def note_part(self, part_path: Path) -> None:
        """A ``.part`` file this run is about to create: entered in the journal first, so
        that the next run publishes it if this one is killed, whatever its name."""

    @abstractmethod
    def watch(self, part_path: Path) -> None:
        """A feed file this run writes (noted before): its lines are recorded as they reach
        the disk."""

    @abstractmethod
    def flush(self, part_path: Path) -> None:
        """Sync the file and record every whole line in it now (before it is published)."""

    @abstractmethod
    def holds_delivered(self, path: Path) -> bool:
        """Whether the published file at *path* holds lines the state counts as delivered."""


def state_service(crawler: Crawler) -> StateService | None:
    """The run's :class:`StateService`, or None when the state is off (or outside a crawl)."""
    try:
        # an abstract class is what isinstance() needs here; mypy wants a concrete one
        return crawler.get_extension(StateService)  # type: ignore[type-abstract]
    except RuntimeError:  # built before the extensions, or without a crawl (a test)
        return None

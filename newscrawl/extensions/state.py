"""The run's crawl state: the :class:`~newscrawl.state.service.StateService` of the crawler.

* when built: checks the settings and the store file (a file of random bytes, a truncated or
  damaged SQLite file, another program's database: one line, exit 2, instead of a crawl with
  no state), and that the run has a local JSON Lines feed, the journal the state records from;
* ``spider_opened``: connects the store and reconciles it with the lines earlier runs wrote
  (:mod:`newscrawl.state.journal`; the run lock has published killed runs' ``.part`` files);
* while the run writes: records articles **from the feed file**. The feed storage registers
  the ``.part`` file it writes (:meth:`watch`); after each item the feed exporter handled,
  the file is fsync'd (in a thread, so the crawl does not wait), then the whole lines it held
  when the sync began are read back and recorded, with their validators, in one
  transaction. Requests made while a sync runs are served by the next one. A line never
  written (disk full) is never recorded; a line written but not yet recorded when the run is
  killed is in a ``.part`` that the next run publishes and reconciles. The dedupe
  fingerprint of an article is kept at once, right after its line is written (so the next
  run knows the originals a killed run wrote), unless a feed failed.
  The storage calls :meth:`flush` before it publishes the file;
* ``item_dropped``: remembers an article the dedupe pipeline dropped as a copy of another
  (``duplicate_of``), once that other article is recorded, so later runs skip it;
* once the feeds are stored (``feed_exporter_closed``; ``engine_stopped`` without a feed
  exporter): records what is left and closes the store, before the run lock is released.

The other components reach it through :func:`newscrawl.state.service.state_service`.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter, is_item
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from newscrawl.config import BadSetting
from newscrawl.exporters import STAT_FAILED as FEED_FAILED_STAT
from newscrawl.exporters import stop_run
from newscrawl.feeds import output_files
from newscrawl.paths import PLACEHOLDER
from newscrawl.state import (
    ArticleState,
    CrawlState,
    JournalMark,
    StoredFingerprint,
    content_hash,
    open_state,
)
from newscrawl.state.journal import (
    PART_HEAD,
    delivered_state,
    feed_pattern,
    head_digest,
    is_article_line,
    journal_files,
    read_whole_lines,
    reconcile,
    recover_journal_parts,
)
from newscrawl.state.service import StateService, configured_state
from newscrawl.urls import site_from_settings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

COPY_REASONS = frozenset({"duplicate_body", "near_duplicate"})
"""Drop reasons (``Rejected.reason``) that make an article a remembered copy."""
STATE_FAILED = "state_failed"
STAT_RECOVERED = "newscrawl/delivery/recovered_files"
"""Finish reason of a run whose state could not record what it wrote."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class _Watched:
    """A feed file of this run, read back by a descriptor of our own."""

    path: Path
    fd: int
    read: int = 0
    """Bytes read back and recorded so far (whole lines)."""


class CrawlStateKeeper(StateService):
    """Owns the run's :class:`~newscrawl.state.CrawlState` connection."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlStateKeeper:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        name = crawler.spider.name if crawler.spider else "default"
        config = configured_state(crawler.settings, name)
        if config is None:
            raise NotConfigured("NEWSCRAWL_STATE_ENABLED is False")
        self.crawler = crawler
        self.stats = crawler.stats
        self.full = config.full
        self.spider_name = name
        self.site = site_from_settings(crawler.settings)
        self.path = str(config.path or ":memory:")
        self.state: CrawlState = open_state(config.backend, self.path)
        problem = self.state.check()
        if problem is not None:
            raise BadSetting("NEWSCRAWL_STATE_PATH", f"{self.path} cannot be used as the "
                             f"crawl state: {problem}. Move it away to start afresh (the "
                             "output files rebuild what it knew), or restore a copy")
        journal = output_files(crawler).journal
        if not journal:
            raise BadSetting("FEEDS", "the crawl state records what a local JSON Lines feed "
                             "holds, and this run has none: name one (-O FILE.jsonl, "
                             "NEWSCRAWL_FEED_URI) or set NEWSCRAWL_STATE_ENABLED=False")
        self.journal = journal
        self._opened = False
        self._failed = False
        self._watched: dict[Path, _Watched] = {}
        self._sync_running: Deferred[Any] | None = None
        self._sync_again = False
        self._validators: dict[str, tuple[str | None, str | None]] = {}
        self._copies: dict[str, list[ArticleState]] = defaultdict(list)
        self._reconciled_listeners: list[Callable[[dict[str, Any]], None]] = []
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.finish, signal=signals.feed_exporter_closed)
        crawler.signals.connect(self.finish, signal=signals.engine_stopped)

    # -- signals ----------------------------------------------------------------------------

    def spider_opened(self) -> None:
        try:
            self.state.open()
            self._opened = True
            reserved = [Path(t) for t in self.journal if not PLACEHOLDER.search(t)]
            recovered = recover_journal_parts(self.state, reserved)
            files = {path for template in self.journal
                     for pattern in [feed_pattern(template, self.spider_name)] if pattern
                     for path in pattern.files()}
            files.update(journal_files(self.state))
            report = reconcile(self.state, sorted(files), self.site, self._reconciled)
        except (sqlite3.Error, OSError) as exc:
            self._fail("could not open and reconcile the state", exc)
            return
        if recovered:
            self.stats.inc_value(STAT_RECOVERED, len(recovered))
        if report.recorded:
            logger.warning("reconciled the state with earlier output: %d article(s) were "
                           "written by a run that stopped before recording them",
                           report.recorded)
        if report.bad_lines:
            logger.error("%d unreadable line(s) in earlier output files", report.bad_lines)
        self.stats.set_value("newscrawl/state/reconciled", report.recorded)
        self.stats.set_value("newscrawl/state/known_at_start", len(self.state))
        logger.info("state %s: %d article(s) known%s", self.path, len(self.state),
                    " (ignored: full run)" if self.full else "")

    def item_scraped(self, item: Any) -> None:
        """The feed exporter has written the item (or failed to): sync the file (in a
        thread), then read back and record the lines it held when the sync began."""
        if self._opened and self._watched and not self._failed:
            self._request_sync()

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        """Remember an article dropped as a copy of another, unless it was delivered itself;
        kept until that other article is recorded (it may still be on its way to the disk)."""
        duplicate_of = getattr(exception, "duplicate_of", None)
        if getattr(exception, "reason", None) not in COPY_REASONS or not duplicate_of:
            return
        if not is_item(item) or not self._opened:
            return
        adapter = ItemAdapter(item)
        article_id = str(adapter.get("article_id") or "")
        if not article_id or article_id == duplicate_of:
            return
        known = self.state.get(article_id)
        if known is not None and not known.duplicate_of:
            return  # delivered before: its own record stands
        now = utc_now()
        self._validators.pop(article_id, None)
        copy = ArticleState(
            article_id=article_id, content_hash=content_hash(adapter), version=0,
            date_published=adapter.get("date_published"),
            date_modified=adapter.get("date_modified"),
            first_seen=known.first_seen if known and known.first_seen else now,
            last_seen=now, duplicate_of=str(duplicate_of))
        original = self.state.get(str(duplicate_of))
        if original is not None and not original.duplicate_of:
            self._record_copy(copy)
        else:
            self._copies[str(duplicate_of)].append(copy)

    async def finish(self) -> None:
        """Record what the feed files hold and close the store (once)."""
        while self._sync_running is not None:  # let the thread finish with the descriptors
            await maybe_deferred_to_future(self._sync_running)
        self.close()

    def close(self) -> None:
        """Record every whole line of the feed files, then close them and the store."""
        while self._watched:  # each file once, even when a store call below raises
            _, watched = self._watched.popitem()
            self.flush(watched.path)
            os.close(watched.fd)
            if self._opened and not watched.path.exists():  # published
                self.state.forget_journal(os.path.abspath(watched.path))
        if self._opened:
            self.state.close()
            self._opened = False

    # -- the journal: recording from the feed file ------------------------------------------

    def note_part(self, part_path: Path) -> None:
        if self._opened and not self._failed:
            self.state.set_journal_mark(os.path.abspath(part_path), JournalMark(0, PART_HEAD))

    def watch(self, part_path: Path) -> None:
        """Read the part back from now on (it was noted in the journal before it existed)."""
        if part_path in self._watched or not self._opened:
            return
        self.note_part(part_path)
        self._watched[part_path] = _Watched(part_path, os.open(part_path, os.O_RDONLY))

    def flush(self, part_path: Path) -> None:
        watched = self._watched.get(part_path)
        if watched is None or not self._opened or self._failed:
            return
        try:
            os.fsync(watched.fd)
            end = os.fstat(watched.fd).st_size
        except OSError as exc:
            self._fail(f"could not sync {part_path}", exc)
            return
        self._record_up_to([(watched, end)])

    def holds_delivered(self, path: Path) -> bool:
        if not self._opened or not path.exists():
            return False
        mark = self.state.journal_mark(os.path.abspath(path))
        return mark is not None and mark.offset > 0 and mark.head == head_digest(path)

    def _request_sync(self) -> None:
        """fsync the feed files in a thread, then record the lines they held before it."""
        if self._sync_running is not None:
            self._sync_again = True
            return
        targets = [(w, size) for w in self._watched.values()
                   if (size := os.fstat(w.fd).st_size) > w.read]
        if not targets:
            return
        synced: Deferred[Any] = deferToThread(_fsync_all, [w.fd for w, _ in targets])
        synced.addCallback(lambda _: self._record_up_to(targets))
        synced.addErrback(self._sync_failed)
        synced.addBoth(self._sync_done)
        if not synced.called:
            self._sync_running = synced

    def _sync_failed(self, failure: Failure) -> None:
        self._fail("could not sync the feed", failure.value or Exception(str(failure)))

    def _sync_done(self, _: Any) -> None:
        self._sync_running = None
        if self._sync_again and self._opened:
            self._sync_again = False
            self._request_sync()

    def _record_up_to(self, targets: list[tuple[_Watched, int]]) -> None:
        """Record the whole lines of each file up to the size it had when its sync began."""
        if not self._opened or self._failed:
            return
        for watched, end in targets:
            if end <= watched.read:
                continue
            try:
                lines, watched.read = read_whole_lines(watched.fd, watched.read, end)
                recorded = self._record_lines(_article_lines(lines))
            except (sqlite3.Error, OSError) as exc:
                self._fail(f"could not record the lines of {watched.path}", exc)
                return
            self.stats.inc_value("newscrawl/state/recorded", recorded)

    def _record_lines(self, records: list[dict[str, Any]]) -> int:
        now = utc_now()
        recorded = 0
        with self.state.transaction():
            for record in records:
                article_id = str(record["article_id"])
                known = self.state.get(article_id)
                if known is not None and not known.duplicate_of and \
                        known.version > int(record.get("version") or 1):
                    continue  # never go back a version
                etag, last_modified = self._validators.pop(
                    article_id, (known.etag, known.last_modified) if known else (None, None))
                self.state.record(delivered_state(record, known, now, etag, last_modified))
                recorded += 1
                for copy in self._copies.pop(article_id, []):
                    self._record_copy(copy)
        return recorded

    def record_waiting_copies(self) -> int:
        """Record the copies still waiting for their original, if the state knows it by now;
        returns how many. For a process that shares its state with others (a worker of a
        distributed crawl): the original of a copy it dropped may be another worker's line,
        which this keeper never reads back, so only the shared state can tell it was written."""
        recorded = 0
        for original_id in list(self._copies):
            original = self.state.get(original_id)
            if original is not None and not original.duplicate_of:
                for copy in self._copies.pop(original_id):
                    self._record_copy(copy)
                    recorded += 1
        return recorded

    def _record_copy(self, copy: ArticleState) -> None:
        known = self.state.get(copy.article_id)
        if known is not None and not known.duplicate_of:
            return
        self.state.record(copy)
        self.stats.inc_value("newscrawl/state/recorded_copies")

    def _fail(self, what: str, exc: BaseException) -> None:
        """One line, a stat, and the run stops: what was written stays in the journal."""
        if self._failed:
            return
        self._failed = True
        logger.error("%s: %s; the run stops (its output stays, and the next run records it)",
                     what, exc)
        self.stats.set_value("newscrawl/state/failed", 1)
        stop_run(self.crawler, STATE_FAILED)

    # -- for the middleware and the pipelines -------------------------------------------------

    def get(self, article_id: str) -> ArticleState | None:
        return self.state.get(article_id) if self._opened else None

    def note_validators(self, article_id: str, etag: str | None,
                        last_modified: str | None) -> None:
        if etag or last_modified:
            self._validators[article_id] = (etag, last_modified)

    def touch(self, article_id: str) -> None:
        if self._opened:
            self.state.touch(article_id, utc_now())

    def fingerprints(self, scheme: str, since: str | None = None) -> list[StoredFingerprint]:
        return self.state.fingerprints(scheme, since) if self._opened else []

    def when_reconciled(self, listener: Callable[[dict[str, Any]], None]) -> None:
        self._reconciled_listeners.append(listener)

    def _reconciled(self, record: dict[str, Any]) -> None:
        for listener in self._reconciled_listeners:
            listener(record)

    def record_fingerprint(self, article_id: str, scheme: str, body_hash: bytes,
                           signature: bytes | None) -> None:
        """Kept at once (the dedupe pipeline calls it on ``item_scraped``, right after the
        feed exporter wrote the line, before it is synced): the next run must know the
        originals a killed run wrote. Not kept once a feed failed (its line may be missing:
        the article is fetched again, and fingerprinted again)."""
        if self._opened and not self._failed and not self.stats.get_value(FEED_FAILED_STAT):
            self.state.record_fingerprint(article_id, scheme, body_hash, signature, utc_now())


def _article_lines(lines: list[bytes]) -> list[dict[str, Any]]:
    records = []
    for raw in lines:
        try:
            record = json.loads(raw)
        except ValueError:
            continue  # never written by this run's exporter; reconcile reports it
        if is_article_line(record):
            records.append(record)
    return records


def _fsync_all(fds: list[int]) -> None:
    for fd in fds:
        os.fsync(fd)

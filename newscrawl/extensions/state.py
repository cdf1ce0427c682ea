"""The run's link to the crawl state: opens the store, reconciles it, records delivered lines.

* ``spider_opened``: connect the store (``NEWSCRAWL_STATE_PATH``), publish the ``.part`` files of
  killed runs, and reconcile the state with the lines earlier runs wrote
  (:mod:`newscrawl.state.journal`).
* ``item_scraped``: record the article. This handler is connected after Scrapy's
  ``FeedExporter`` (extensions are built, and connect, in order: ``FeedExporter`` is at 0 in
  ``EXTENSIONS_BASE``, this one later), so the line is already in the file when the state
  records it; a kill between the two is repaired by the next run's reconciliation.
* ``item_dropped``: remember an article the dedupe pipeline dropped as a copy of another
  (``duplicate_of``), so later runs skip it like a delivered one.
* ``spider_closed``: close the store.

The store also keeps the dedupe fingerprints of written articles; the dedupe pipeline loads
and records them through :meth:`fingerprints` and :meth:`record_fingerprint`.

The incremental middleware, the state pipeline and the dedupe pipeline reach the store
through this extension (``crawler.get_extension(CrawlStateKeeper)``), so a run has one
connection.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter, is_item
from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.config import BadSetting, read_bool, read_choice, read_path
from newscrawl.extensions.lock import RunLock
from newscrawl.paths import site_key
from newscrawl.state import (
    STATE_BACKENDS,
    ArticleState,
    CrawlState,
    StoredFingerprint,
    content_hash,
    open_state,
)
from newscrawl.state.journal import (
    delivered_state,
    journal_patterns,
    publish_part_files,
    reconcile,
)
from newscrawl.urls import site_from_settings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


COPY_REASONS = frozenset({"duplicate_body", "near_duplicate"})
"""Drop reasons (``Rejected.reason``) that make an article a remembered copy."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class CrawlStateKeeper:
    """Owns the run's :class:`~newscrawl.state.CrawlState` connection."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlStateKeeper:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not read_bool(settings, "NEWSCRAWL_STATE_ENABLED"):
            raise NotConfigured("NEWSCRAWL_STATE_ENABLED is False")
        self.crawler = crawler
        self.stats = crawler.stats
        self.full = read_bool(settings, "NEWSCRAWL_FULL_CRAWL_ENABLED")
        name = crawler.spider.name if crawler.spider else "default"
        self.spider_name = name
        self.site = site_from_settings(settings)
        params = {"name": name, "site": site_key(self.site.base_url)}
        backend = read_choice(settings, "NEWSCRAWL_STATE_BACKEND", STATE_BACKENDS)
        path = read_path(settings, "NEWSCRAWL_STATE_PATH", params) if backend != "memory" \
            else None
        if backend != "memory" and path is None:
            raise BadSetting("NEWSCRAWL_STATE_PATH", "must name a file when the state is on")
        self.path = str(path or ":memory:")
        self.state: CrawlState = open_state(backend, self.path)
        self._opened = False
        self._validators: dict[str, tuple[str | None, str | None]] = {}
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    # -- signals ----------------------------------------------------------------------------

    def spider_opened(self) -> None:
        self.state.open()
        self._opened = True
        patterns = journal_patterns(self.crawler.settings.getdict("FEEDS"), self.spider_name)
        lock = self.crawler.get_extension(RunLock)
        if lock is not None and lock.held:
            published = publish_part_files(patterns)
            self.stats.set_value("newscrawl/state/published_parts", len(published))
        else:
            logger.warning("no run lock (NEWSCRAWL_LOCK_PATH): .part files of killed runs are "
                           "left alone, as they may belong to a live run")
        files = [path for pattern in patterns for path in pattern.files()]
        report = reconcile(self.state, files, self.site)
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
        if not is_item(item):
            return
        adapter = ItemAdapter(item)
        article_id = adapter.get("article_id")
        if not article_id or not self._opened:
            return
        article_id = str(article_id)
        known = self.state.get(article_id)
        now = utc_now()
        etag, last_modified = self._validators.pop(
            article_id, (known.etag, known.last_modified) if known else (None, None))
        self.state.record(delivered_state(adapter, known, now, etag, last_modified))
        self.stats.inc_value("newscrawl/state/recorded")

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        """Remember an article dropped as a copy of another, unless it was delivered itself."""
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
        self.state.record(ArticleState(
            article_id=article_id, content_hash=content_hash(adapter), version=0,
            date_published=adapter.get("date_published"),
            date_modified=adapter.get("date_modified"),
            first_seen=known.first_seen if known and known.first_seen else now,
            last_seen=now, duplicate_of=str(duplicate_of)))
        self.stats.inc_value("newscrawl/state/recorded_copies")

    def spider_closed(self) -> None:
        if self._opened:
            self.state.close()
            self._opened = False

    # -- for the middleware and the pipeline ------------------------------------------------

    def get(self, article_id: str) -> ArticleState | None:
        return self.state.get(article_id) if self._opened else None

    def note_validators(self, article_id: str, etag: str | None,
                        last_modified: str | None) -> None:
        """Keep a 200 response's ``ETag`` / ``Last-Modified`` until its article is recorded."""
        if etag or last_modified:
            self._validators[article_id] = (etag, last_modified)

    def touch(self, article_id: str) -> None:
        if self._opened:
            self.state.touch(article_id, utc_now())

    def fingerprints(self, scheme: str, since: str | None = None) -> list[StoredFingerprint]:
        return self.state.fingerprints(scheme, since) if self._opened else []

    def record_fingerprint(self, article_id: str, scheme: str, body_hash: bytes,
                           signature: bytes | None) -> None:
        if self._opened:
            self.state.record_fingerprint(article_id, scheme, body_hash, signature, utc_now())

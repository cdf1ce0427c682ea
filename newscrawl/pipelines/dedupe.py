"""Drop the second copy of an article, an identical body, and near-copies of a story.

The rule (:mod:`newscrawl.neardup`): an article is a copy only of an article that precedes it
in publication order (``date_published``, then the smaller id). Articles reach this pipeline in
that order (:mod:`newscrawl.middlewares.hold` holds them until the crawl is idle), so the
earliest member of each story is the one written, whatever order the crawl met them in.
Without the hold, an original met after a copy of it is written too (stat
``newscrawl/dedupe/original_after_copy``): a copy never hides its original.

Within a run the dedupe state is in memory. With the crawl state on
(``NEWSCRAWL_STATE_ENABLED``), it also spans runs: the body hash and MinHash signature of
every written article are kept in the state's SQLite file (recorded on ``item_scraped``, once
the line is in the output, like the state itself), and an incremental run loads those of the
articles first seen within ``NEWSCRAWL_DEDUPE_WINDOW_DAYS`` days when the spider opens, so a
copy of a story an earlier run wrote is dropped too; a loaded article's publication date is
read from the state when a later article first resembles it. A full run loads nothing (it
writes every story again) but still records.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.config import read_bool, read_float, read_int, read_share
from newscrawl.items import Article
from newscrawl.neardup import Deduper, Fingerprint, MemoryDedupeStore
from newscrawl.rejects import Rejected
from newscrawl.state.service import state_service

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def window_start(now: datetime, days: float) -> str | None:
    """The earliest ``first_seen`` (ISO 8601, UTC) loaded for a window of *days* (0: all)."""
    if days <= 0:
        return None
    return (now - timedelta(days=days)).astimezone(UTC).isoformat(timespec="seconds")


class DedupePipeline:
    """Drops a copy of an article that precedes it as ``duplicate_id``, ``duplicate_body`` or
    ``near_duplicate``, with ``duplicate_of`` naming that article (see
    :class:`newscrawl.neardup.Deduper`), which may have been written by an earlier run. Other
    items pass."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        if not read_bool(settings, "NEWSCRAWL_DEDUPE_ENABLED"):
            raise NotConfigured("NEWSCRAWL_DEDUPE_ENABLED is False")
        self.shingle = read_int(settings, "NEWSCRAWL_DEDUPE_SHINGLE_CHARS", minimum=1)
        self.threshold = read_share(settings, "NEWSCRAWL_DEDUPE_THRESHOLD", above_zero=True)
        self.num_perm = read_int(settings, "NEWSCRAWL_DEDUPE_NUM_PERM", minimum=16)
        self.window = read_float(settings, "NEWSCRAWL_DEDUPE_WINDOW_DAYS")
        self.deduper: Deduper | None = None
        # Pipelines are built after the extensions, so these handlers run after the state
        # keeper's: the state is open when the fingerprints load, the line written when they
        # are recorded.
        self.keeper = state_service(crawler)
        self._pending: dict[str, Fingerprint] = {}
        if self.keeper is not None:
            self.keeper.when_reconciled(self.reconciled)
            crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
            crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
            crawler.signals.connect(self.item_gone, signal=signals.item_dropped)
            crawler.signals.connect(self.item_gone, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        store = MemoryDedupeStore(self.threshold, self.num_perm, published_of=self._published_of)
        self.deduper = Deduper(
            store, shingle=self.shingle, threshold=self.threshold, num_perm=self.num_perm
        )

    def _published_of(self, article_id: str) -> str | None:
        """When an article an earlier run wrote was published, as the state recorded it: its
        ``date_published``, or when the crawl first saw it if its page stated no date."""
        known = self.keeper.get(article_id) if self.keeper is not None else None
        return (known.date_published or known.first_seen) if known is not None else None

    def close_spider(self) -> None:
        if self.deduper is not None:
            logger.info("Dedupe kept %s articles", len(self.deduper.store))
        self.deduper = None
        self._pending.clear()

    # -- across runs ------------------------------------------------------------------------

    def spider_opened(self) -> None:
        """Load the fingerprints earlier runs recorded (not in a full run)."""
        if self.keeper is None or self.keeper.full:
            return
        if self.deduper is None:
            self.open_spider()
        assert self.deduper is not None
        started = time.perf_counter()
        since = window_start(datetime.now(UTC), self.window)
        # The scheme before shingling was capped gives the same signatures for every body
        # within the cap: its fingerprints are loaded too (first, so newer versions win).
        loaded = 0
        for scheme in (self.deduper.legacy_scheme, self.deduper.scheme):
            loaded += self.deduper.preload(self.keeper.fingerprints(scheme, since))
        self.stats.set_value("newscrawl/dedupe/preloaded", loaded)
        logger.info("Dedupe loaded %d article(s) of earlier runs%s in %.2f s", loaded,
                    f" first seen since {since}" if since else "",
                    time.perf_counter() - started)

    def reconciled(self, record: dict[str, Any]) -> None:
        """An article line of earlier output the state had not recorded (a run killed between
        writing the line and recording it): its fingerprint may be missing too, and without it
        the article's copies would be written as originals. Kept now, before the preload."""
        if self.keeper is None or not isinstance(record.get("body"), str):
            return
        if self.deduper is None:
            self.open_spider()
        assert self.deduper is not None
        fingerprint = self.deduper.fingerprint(record["body"])
        self.keeper.record_fingerprint(str(record["article_id"]), self.deduper.scheme,
                                       fingerprint.body_hash, Deduper.signature(fingerprint))
        self.stats.inc_value("newscrawl/dedupe/recorded_from_output")

    def item_scraped(self, item: Any) -> None:
        if not isinstance(item, Article) or not item.article_id or self.keeper is None:
            return
        fingerprint = self._pending.pop(item.article_id, None)
        if fingerprint is None or self.deduper is None:
            return
        self.keeper.record_fingerprint(item.article_id, self.deduper.scheme,
                                       fingerprint.body_hash, Deduper.signature(fingerprint))
        self.stats.inc_value("newscrawl/dedupe/recorded")

    def item_gone(self, item: Any) -> None:
        """Dropped or failed after this pipeline: not written, so not recorded."""
        if isinstance(item, Article) and item.article_id:
            self._pending.pop(item.article_id, None)

    # -- per item ---------------------------------------------------------------------------

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if self.deduper is None:  # used without open_spider (a test, a script)
            self.open_spider()
        assert self.deduper is not None
        article_id = item.article_id or item.url
        body = item.body or ""
        canonical_url = item.canonical_url or item.url
        published = item.date_published
        duplicate = self.deduper.check(article_id, canonical_url, body, published)
        if duplicate is None:
            self.deduper.add(article_id, canonical_url, body, published)
            if self.deduper.last_preceded:
                self.stats.inc_value("newscrawl/dedupe/original_after_copy")
                logger.info("%s was published before %s, which resembles it and was kept "
                            "first (a copy met before its original): both are written",
                            article_id, ", ".join(self.deduper.last_preceded))
            if self.keeper is not None and item.article_id:
                self._pending[item.article_id] = self.deduper.fingerprint(body)  # cached
            return item
        if not self.deduper.store.has_id(duplicate.duplicate_of):
            self.stats.inc_value("newscrawl/dedupe/earlier_run")  # the kept one: a past run's
        detail = ""
        if duplicate.reason == "near_duplicate":
            detail = f"similarity={duplicate.similarity}"
        raise Rejected(
            duplicate.reason, duplicate_of=duplicate.duplicate_of, detail=detail, log_level="INFO"
        )

"""Write every dropped item and rejected page to a JSON Lines file next to the output.

The rejects file is written like a feed (:class:`newscrawl.exporters.StagedLineFile`): to
``<path>.part`` (created at the first reject), one ``os.write`` per line, and renamed to
``<path>`` once the feeds are stored (``feed_exporter_closed``; ``engine_stopped`` when
there is no feed exporter), so an earlier run's rejects file kept aside by the feed's
publication is never replaced; a run without rejects publishes an empty file. A killed run's
rejects ``.part`` is published by the next run under its own name, like its feed
(:func:`newscrawl.state.journal.recover_parts`; with the state on, whatever output the next
run names: the part is noted in the state's journal before it is created). A write that
fails (disk full) leaves only whole lines and stops the run (finish reason
``rejects_failed``).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter, is_item
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured

from newscrawl.config import read_bool
from newscrawl.exporters import StagedLineFile, stop_run, write_atomically
from newscrawl.feeds import OutputFiles, output_files
from newscrawl.rejects import Reject, Rejected, page_rejected
from newscrawl.state.service import state_service

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

REJECTS_FAILED = "rejects_failed"
STAT_FAILED = "newscrawl/rejects/write_failed"


def reject_from_drop(item: Any, exception: BaseException) -> Reject:
    """The reject record of an item a pipeline dropped."""
    adapter = ItemAdapter(item) if is_item(item) else None
    url = adapter.get("url") if adapter is not None else None
    article_id = adapter.get("article_id") if adapter is not None else None
    if isinstance(exception, Rejected):
        return Reject(
            reason=exception.reason,
            url=url,
            article_id=article_id,
            duplicate_of=exception.duplicate_of,
            detail=exception.detail,
        )
    return Reject(reason="dropped", url=url, article_id=article_id, detail=str(exception))


def rejects_path(crawler: Crawler) -> Path | None:
    """``NEWSCRAWL_REJECTS_URI`` filled in, else ``<stem>.rejects.jsonl`` beside the first
    local feed; None when there is neither (:class:`newscrawl.feeds.OutputFiles`)."""
    return output_files(crawler).rejects_path(crawler)


class RejectsFeed:
    """Records dropped items (``item_dropped``, ``item_error``) and pages the spider
    reported with :func:`newscrawl.rejects.report_reject`, counting
    ``newscrawl/rejects/<reason>``."""

    def __init__(self, crawler: Crawler) -> None:
        if not read_bool(crawler.settings, "NEWSCRAWL_REJECTS_ENABLED"):
            raise NotConfigured("NEWSCRAWL_REJECTS_ENABLED is False")
        self.crawler = crawler
        self.files: OutputFiles = output_files(crawler)  # checks NEWSCRAWL_REJECTS_URI now
        self.path: Path | None = None
        self.file: StagedLineFile | None = None
        self.count = 0
        self.failed = False
        self.published = False
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.publish, signal=signals.feed_exporter_closed)
        crawler.signals.connect(self.publish, signal=signals.engine_stopped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.page_rejected, signal=page_rejected)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.path = self.files.rejects_path(self.crawler)
        if self.path is None:
            logger.warning(
                "No local feed and no NEWSCRAWL_REJECTS_URI: rejects are counted in stats, "
                "not written"
            )
            return
        logger.info("Writing rejects to %s", self.path)

    def _open(self) -> StagedLineFile | None:
        """The ``.part`` file, created at the first reject (the state, open by then, notes it
        in its journal first)."""
        if self.file is None and self.path is not None and not self.failed:
            file = StagedLineFile(self.path)
            service = state_service(self.crawler)
            if service is not None:
                service.note_part(file.part_path)
            try:
                file.open()
            except OSError as exc:
                self._fail(exc)
                return None
            self.file = file
        return self.file

    def publish(self) -> None:
        """Publish the rejects file, empty when nothing was rejected (once: at the first of
        the two signals)."""
        if self.path is None or self.published:
            return
        self.published = True
        file, self.file = self.file, None
        try:
            if file is not None:
                file.publish()
            elif not self.failed:
                write_atomically(self.path, b"")
        except OSError as exc:
            self._fail(exc)
            return
        logger.info("Stored %s rejects in %s", self.count, self.path)

    def item_dropped(
        self, item: Any, response: Response | None, exception: BaseException, spider: Spider
    ) -> None:
        self.record(reject_from_drop(item, exception))

    def item_error(
        self, item: Any, response: Response | None, failure: Failure, spider: Spider
    ) -> None:
        exception = failure.value or Exception(str(failure))
        reject = reject_from_drop(item, exception)
        reject.reason = "error"
        reject.detail = f"{type(exception).__name__}: {exception}"
        self.record(reject)

    def page_rejected(self, reject: Reject) -> None:
        self.record(reject)

    def record(self, reject: Reject) -> None:
        """Count *reject* and write it as one line."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"newscrawl/rejects/{reject.reason}")
        self.count += 1
        file = self._open()
        if file is None or self.failed:
            return
        line = json.dumps(reject.to_dict(), ensure_ascii=False) + "\n"
        try:
            file.write(line.encode("utf-8"))
        except OSError as exc:
            self._fail(exc)

    def _fail(self, exc: OSError) -> None:
        self.failed = True
        logger.error("could not write the rejects file %s (%s): the run stops", self.path,
                     exc.strerror or exc)
        self.crawler.stats.set_value(STAT_FAILED, 1)
        stop_run(self.crawler, REJECTS_FAILED)

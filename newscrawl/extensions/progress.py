"""Progress on long runs: a live line on a terminal, a periodic log line elsewhere.

:class:`RunProgress` samples the crawl (``response_received_count``, ``item_scraped_count``,
the scheduler's and the downloader's queues) and hands it to a
:class:`~newscrawl.monitoring.progress.ProgressMeter` on ``sys.stderr``: redrawn every second
when stderr is a terminal, logged every ``NEWSCRAWL_PROGRESS_INTERVAL_SECONDS`` when it is
not. ``NEWSCRAWL_PROGRESS_ENABLED`` turns it off.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sized
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from newscrawl.config import read_bool, read_float, read_int
from newscrawl.monitoring.progress import LIVE_REFRESH_SECONDS, ProgressMeter, Snapshot

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class RunProgress:
    """Shows the crawl's progress while it runs (see the module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not read_bool(settings, "NEWSCRAWL_PROGRESS_ENABLED"):
            raise NotConfigured("NEWSCRAWL_PROGRESS_ENABLED is False")
        self.interval = read_float(settings, "NEWSCRAWL_PROGRESS_INTERVAL_SECONDS", above=True)
        limits = [read_int(settings, name) for name in ("NEWSCRAWL_MAX_ARTICLES",
                                                          "CLOSESPIDER_ITEMCOUNT")]
        self.article_limit = min((n for n in limits if n > 0), default=0)
        self.time_limit = read_float(settings, "CLOSESPIDER_TIMEOUT")
        self.crawler = crawler
        self.meter = ProgressMeter(sys.stderr)
        self.task: Any = None
        self.started = time.monotonic()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.meter.attach()
        self.task = create_looping_call(self.tick)
        every = LIVE_REFRESH_SECONDS if self.meter.live else self.interval
        self.task.start(every, now=False)

    def snapshot(self) -> Snapshot:
        stats = self.crawler.stats
        assert stats is not None
        engine = self.crawler.engine
        queued = 0
        if engine is not None:
            scheduler = engine.scheduler
            queued = len(scheduler) if isinstance(scheduler, Sized) else 0
            queued += len(engine.downloader.active)
        return Snapshot(
            elapsed=time.monotonic() - self.started,
            pages=int(stats.get_value("response_received_count", 0)),
            articles=int(stats.get_value("item_scraped_count", 0)),
            queued=queued, article_limit=self.article_limit, time_limit=self.time_limit)

    def tick(self) -> None:
        self.meter.show(self.snapshot())

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.meter.detach()

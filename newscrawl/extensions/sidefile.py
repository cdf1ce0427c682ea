"""One file the run monitor's data is rendered into when the run ends (report, card).

A subclass names its switch, its path setting and suffix, and how to render the file; this
class checks the settings at start, finds the path at ``spider_closed`` (the setting, or
``<feed stem><suffix>``) and writes the file atomically. A file that cannot be written (a full
disk) is one warning: the run's verdict already says why. Needs
:class:`~newscrawl.extensions.monitor.RunMonitor`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Self

from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured

from newscrawl.config import read_bool
from newscrawl.extensions.monitor import RunMonitor
from newscrawl.monitoring.files import check_uri_setting, run_file
from newscrawl.monitoring.rundata import write_atomically

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RunSideFile:
    """Base of :class:`~newscrawl.extensions.report.RunReport` and
    :class:`~newscrawl.extensions.card.DatasetCard`."""

    what: ClassVar[str]
    """What the file is, for log lines: ``report``, ``dataset card``."""
    switch: ClassVar[str]
    uri_setting: ClassVar[str]
    suffix: ClassVar[str]

    def __init__(self, crawler: Crawler) -> None:
        if not read_bool(crawler.settings, self.switch):
            raise NotConfigured(f"{self.switch} is False")
        check_uri_setting(crawler, self.uri_setting)
        self.crawler = crawler
        self.path: Path | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def render(self, monitor: RunMonitor, spider: Spider) -> str:
        raise NotImplementedError

    def written(self, path: Path) -> None:
        logger.info("Stored the %s in %s", self.what, path)

    def spider_closed(self, spider: Spider) -> None:
        monitor = self.crawler.get_extension(RunMonitor)
        if monitor is None:
            logger.warning("no %s: the run monitor is off (NEWSCRAWL_MONITOR_ENABLED)",
                           self.what)
            return
        self.path = run_file(self.crawler, spider, self.suffix, self.uri_setting)
        if self.path is None:
            logger.warning("no %s: the run has no local feed and %s is empty", self.what,
                           self.uri_setting)
            return
        try:
            write_atomically(self.path, self.render(monitor, spider))
        except OSError as exc:  # a full disk: the run's verdict says so already
            logger.warning("no %s: cannot write %s (%s)", self.what, self.path,
                           exc.strerror or exc)
            return
        self.written(self.path)

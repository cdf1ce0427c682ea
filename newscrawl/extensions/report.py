"""Write the run's report, ``<feed stem>.report.html``, when the run ends.

:class:`RunReport` (``EXTENSIONS``, after ``RunHealth``: it shows the verdict) builds the
report from :meth:`newscrawl.extensions.monitor.RunMonitor.run_data` and the run history, and
logs its path (``Report: output/demo.report.html``; also in the stat
``newscrawl/report/path``). ``scrapy report PATH`` builds it again later from the run's
``.run.json``. Needs :class:`~newscrawl.extensions.monitor.RunMonitor`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured

from newscrawl.config import read_bool
from newscrawl.extensions.monitor import RunMonitor
from newscrawl.monitoring.files import REPORT_SUFFIX, check_uri_setting, run_file
from newscrawl.monitoring.report import build_report
from newscrawl.monitoring.rundata import write_atomically

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

PATH_STAT = "newscrawl/report/path"


class RunReport:
    """At ``spider_closed``: the HTML report beside the output."""

    def __init__(self, crawler: Crawler) -> None:
        if not read_bool(crawler.settings, "NEWSCRAWL_REPORT_ENABLED"):
            raise NotConfigured("NEWSCRAWL_REPORT_ENABLED is False")
        check_uri_setting(crawler, "NEWSCRAWL_REPORT_URI")
        self.crawler = crawler
        self.path: Path | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_closed(self, spider: Spider) -> None:
        monitor = self.crawler.get_extension(RunMonitor)
        if monitor is None:
            logger.warning("no report: the run monitor is off (NEWSCRAWL_MONITOR_ENABLED)")
            return
        self.path = run_file(self.crawler, spider, REPORT_SUFFIX, "NEWSCRAWL_REPORT_URI")
        if self.path is None:
            logger.warning("no report: the run has no local feed and NEWSCRAWL_REPORT_URI "
                           "is empty")
            return
        data = monitor.run_data(spider)
        try:
            write_atomically(self.path, build_report(data, monitor.history_with_this_run(data)))
        except OSError as exc:  # a full disk: the run's verdict says so already
            logger.warning("no report: cannot write %s (%s)", self.path, exc.strerror or exc)
            return
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(PATH_STAT, str(self.path))
        logger.info("Report: %s", self.path)

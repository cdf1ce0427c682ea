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

from scrapy import Spider

from newscrawl.extensions.monitor import RunMonitor
from newscrawl.extensions.sidefile import RunSideFile
from newscrawl.monitoring.files import REPORT_SUFFIX
from newscrawl.monitoring.report import build_report

logger = logging.getLogger(__name__)

PATH_STAT = "newscrawl/report/path"


class RunReport(RunSideFile):
    """At ``spider_closed``: the HTML report beside the output."""

    what = "report"
    switch = "NEWSCRAWL_REPORT_ENABLED"
    uri_setting = "NEWSCRAWL_REPORT_URI"
    suffix = REPORT_SUFFIX

    def render(self, monitor: RunMonitor, spider: Spider) -> str:
        data = monitor.run_data(spider)
        return build_report(data, monitor.history_with_this_run(data))

    def written(self, path: Path) -> None:
        self.crawler.stats.set_value(PATH_STAT, str(path))
        logger.info("Report: %s", path)

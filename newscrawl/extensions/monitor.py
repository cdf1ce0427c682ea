"""The run's monitors: what was written and fetched, judged against the previous runs.

:class:`RunMonitor` (``EXTENSIONS``, before ``RunHealth``):

* counts each written article (field coverage, category, hour of publication, body length,
  ``date_published`` range) and each response (slowest and largest pages, responses over
  time) in a :class:`~newscrawl.monitoring.observe.RunObserver`;
* at ``spider_closed``, before the health verdict, sets ``newscrawl/monitor/coverage/<field>``
  and runs :func:`~newscrawl.monitoring.verdict.judge_monitors` against the run history,
  leaving ``newscrawl/monitor/failed``, ``…/warned``, ``…/reason`` (the first failure) and
  ``…/reasons`` in the stats for the health verdict; each finding that is not ok is logged
  (WARNING: the monitors must not count themselves among the errors);
* after every other ``spider_closed`` handler (it connects that one when the spider opens,
  after all extensions connected theirs), appends the run to the history and saves
  ``<stem>.run.json``, from which ``scrapy report PATH`` builds the report again.

The report, the dataset card and the alerts read the run through :meth:`RunMonitor.run_data`.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter, is_item
from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.config import path_params, read_bool, read_int, read_path
from newscrawl.monitoring.files import RUN_SUFFIX, feed_path, run_file
from newscrawl.monitoring.history import RunHistory, history_path_for_state, run_record
from newscrawl.monitoring.observe import RunObserver
from newscrawl.monitoring.rundata import RunData, shaping_settings
from newscrawl.monitoring.schema import article_schema, schema_version
from newscrawl.monitoring.verdict import (
    Finding,
    MonitorSettings,
    judge_monitors,
    summarize,
)

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

COVERAGE_STAT = "newscrawl/monitor/coverage/"
HEALTH_OK_STAT = "newscrawl/health/ok"
HEALTH_REASON_STAT = "newscrawl/health/reason"


def history_path(crawler: Crawler) -> Path | None:
    """``NEWSCRAWL_MONITOR_HISTORY_PATH``, else ``<state path stem>.runs.jsonl``; None when
    neither names a file."""
    settings = crawler.settings
    name = crawler.spider.name if crawler.spider else "default"
    params = path_params(settings, name)
    own = read_path(settings, "NEWSCRAWL_MONITOR_HISTORY_PATH", params)
    if own is not None:
        return own
    state = read_path(settings, "NEWSCRAWL_STATE_PATH", params)
    return history_path_for_state(state) if state is not None else None


class RunMonitor:
    """Observes the run, judges it at close, keeps its history (see the module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not read_bool(settings, "NEWSCRAWL_MONITOR_ENABLED"):
            raise NotConfigured("NEWSCRAWL_MONITOR_ENABLED is False")
        self.crawler = crawler
        self.config = MonitorSettings.from_settings(settings)
        keep = read_int(settings, "NEWSCRAWL_MONITOR_HISTORY_RUNS", minimum=1)
        path = history_path(crawler)
        self.history = RunHistory(path, keep=keep) if path is not None else None
        self.previous: list[dict[str, Any]] = []
        self.observer = RunObserver()
        self.findings: list[Finding] = []
        self.run_path: Path | None = None
        self._opened_at = time.monotonic()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    # -- signals ----------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        self._opened_at = time.monotonic()
        if self.history is not None:
            self.previous = self.history.read()
            logger.info("run history %s: %d earlier run(s)", self.history.path,
                        len(self.previous))
        # Connected now, after every extension connected its own: runs after the verdict.
        self.crawler.signals.connect(self.record_run, signal=signals.spider_closed)

    def item_scraped(self, item: Any) -> None:
        if is_item(item):
            self.observer.article(ItemAdapter(item))

    def response_received(self, response: Response, request: Request) -> None:
        latency = request.meta.get("download_latency")
        self.observer.response(
            response.url, response.status,
            float(latency) if isinstance(latency, int | float) else 0.0,
            len(response.body), time.monotonic() - self._opened_at)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        if stats.get_value("finish_reason") is None:
            stats.set_value("finish_reason", reason)
        for name, covered in self.observer.coverage.items():
            stats.set_value(f"{COVERAGE_STAT}{name}", covered)
        self.findings = judge_monitors(stats.get_stats(), self.previous, self.config)
        for name, value in summarize(self.findings).items():
            stats.set_value(name, value)
        for finding in self.findings:
            if not finding.ok:
                logger.warning("monitor %s (%s): %s", finding.name, finding.severity,
                               finding.reason)

    def record_run(self, spider: Spider) -> None:
        """Append the run to the history and save its ``.run.json``."""
        data = self.run_data(spider)
        if self.history is not None:
            try:
                self.history.append(run_record(data.stats, self.findings, spider=data.spider,
                                               feed=data.feed, ok=data.ok,
                                               verdict=data.verdict))
            except OSError as exc:  # the next run compares with the runs before this one
                logger.warning("cannot add this run to the history %s (%s)",
                               self.history.path, exc.strerror or exc)
        self.run_path = run_file(self.crawler, spider, RUN_SUFFIX)
        if self.run_path is not None:
            try:
                data.save(self.run_path)
            except OSError as exc:  # a full disk: the run's verdict says so already
                logger.warning("cannot write %s (%s): `scrapy report` cannot rebuild this "
                               "run's report", self.run_path, exc.strerror or exc)
                self.run_path = None
                return
            logger.info("Stored the run's monitoring data in %s", self.run_path)

    # -- for the report, the card and the alerts --------------------------------------------

    def run_data(self, spider: Spider | None = None) -> RunData:
        """The run as it stands (call it at ``spider_closed``, after the health verdict)."""
        stats = self.crawler.stats
        assert stats is not None
        values = stats.get_stats()
        ok = values.get(HEALTH_OK_STAT)
        failed = [f for f in self.findings if f.failed]
        verdict = str(values.get(HEALTH_REASON_STAT) or "")
        if not isinstance(ok, bool):  # health off: the monitors alone
            ok = None
            verdict = failed[0].reason if failed else "no health verdict (health check off)"
        feed = feed_path(self.crawler)
        spider = spider or self.crawler.spider
        files = {kind: str(path) for kind, path in (
            ("rejects", run_file(self.crawler, spider, ".rejects.jsonl",
                                 "NEWSCRAWL_REJECTS_URI")),
            ("summary", run_file(self.crawler, spider, ".summary.json",
                                 "NEWSCRAWL_SUMMARY_URI")),
            ("report", run_file(self.crawler, spider, ".report.html", "NEWSCRAWL_REPORT_URI")),
            ("card", run_file(self.crawler, spider, ".card.md", "NEWSCRAWL_CARD_URI")),
        ) if path is not None}
        return RunData(
            spider=spider.name if spider else "",
            stats=values,
            observed=self.observer.to_dict(),
            findings=list(self.findings),
            ok=ok,
            verdict=verdict,
            settings=shaping_settings(self.crawler.settings),
            feed=str(feed) if feed is not None else None,
            history_path=str(self.history.path) if self.history is not None else None,
            schema_version=schema_version(article_schema()),
            files=files,
        )

    def history_with_this_run(self, data: RunData) -> list[dict[str, Any]]:
        """The previous runs and this one (as its history record), for the report's trends."""
        record = run_record(data.stats, self.findings, spider=data.spider, feed=data.feed,
                            ok=data.ok, verdict=data.verdict)
        return [*self.previous, record]

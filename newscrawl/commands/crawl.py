"""``scrapy crawl`` with an exit status a scheduler can trust.

Scrapy's own ``crawl`` exits 0 whenever the crawl could start. This one (``COMMANDS_MODULE``)
exits:

* ``0`` when :func:`newscrawl.extensions.health.judge` finds the run healthy;
* ``1`` when it does not (the reason is the last log line), or the crawl could not start;
* ``75`` when another run holds the lock (one log line naming it, no traceback);
* ``2`` when a setting is bad (:func:`newscrawl.config.validate_settings`: one line).

After the run it keeps the newest ``NEWSCRAWL_KEEP_OUTPUTS`` output files of the spider and,
when ``LOG_FILE`` is set, the newest as many ``*.log`` files of its directory (0 keeps all).
When ``LOG_FILE`` is set, a refusal or a failure is also printed to stderr, so cron mails it.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from twisted.internet.defer import Deferred

from newscrawl.config import BadSettings, validate_settings
from newscrawl.extensions.health import judge_crawler
from newscrawl.extensions.lock import EXIT_LOCKED, RunLocked
from newscrawl.state.journal import journal_patterns, rotate

if TYPE_CHECKING:
    import argparse

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

EXIT_BAD_SETTINGS = 2


def settings_with_arguments(settings: BaseSettings, spargs: dict[str, Any]) -> BaseSettings:
    """A copy of ``settings`` with the spider arguments applied, as the spider will."""
    from newscrawl.spiders.kangnamtimes import apply_spider_arguments

    copy = settings.copy()
    apply_spider_arguments(copy, spargs)  # type: ignore[arg-type]
    return copy


def rotate_run_files(crawler: Crawler, spider_name: str) -> list[Path]:
    """Apply ``NEWSCRAWL_KEEP_OUTPUTS`` to the spider's output files and to the logs."""
    keep = crawler.settings.getint("NEWSCRAWL_KEEP_OUTPUTS")
    if keep <= 0:
        return []
    removed: list[Path] = []
    for pattern in journal_patterns(crawler.settings.getdict("FEEDS"), spider_name):
        removed += rotate(pattern.files(), keep)
    log_file = crawler.settings.get("LOG_FILE")
    if log_file:
        logs = [p for p in Path(log_file).parent.glob("*.log") if p.is_file()]
        removed += rotate(logs, keep)
    if removed:
        logger.info("rotation (NEWSCRAWL_KEEP_OUTPUTS=%d) removed %d file(s)", keep, len(removed))
    return removed


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider; exit non-zero when the run failed or another run is active"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        spider_name = args[0]
        crawler = self._create_crawler(spider_name)
        # --- Faults and safety: bad settings stop the run here, with one line (exit 2)
        bad = validate_settings(settings_with_arguments(crawler.settings, opts.spargs))
        if bad:
            self._last_line(logging.ERROR, str(BadSettings(bad)), crawler)
            self.exitcode = EXIT_BAD_SETTINGS
            return
        problems: list[BaseException] = []
        running = self.crawler_process.crawl(crawler, **opts.spargs)
        if isinstance(running, asyncio.Future):
            running.add_done_callback(lambda task: _keep_problem(task, problems))
        elif isinstance(running, Deferred):  # CrawlerProcess (FORCE_CRAWLER_PROCESS)
            running.addErrback(_trap_lock, problems)
        self.crawler_process.start()

        locked = [p for p in problems if isinstance(p, RunLocked)]
        if locked:
            self._last_line(logging.ERROR, f"not started: {locked[0]}", crawler)
            self.exitcode = EXIT_LOCKED
            return
        if self.crawler_process.bootstrap_failed or problems or crawler.stats is None:
            self._last_line(logging.ERROR, "run FAILED: the crawl could not start "
                                           "(see the errors above)", crawler)
            self.exitcode = 1
            return
        rotate_run_files(crawler, spider_name)
        verdict = judge_crawler(crawler)
        self._last_line(logging.INFO if verdict.ok else logging.ERROR, str(verdict), crawler)
        self.exitcode = 0 if verdict.ok else 1

    @staticmethod
    def _last_line(level: int, message: str, crawler: Crawler) -> None:
        logger.log(level, "%s", message)
        if level >= logging.ERROR and crawler.settings.get("LOG_FILE"):
            print(message, file=sys.stderr)


def _keep_problem(task: asyncio.Future[Any], problems: list[BaseException]) -> None:
    if task.cancelled():
        return
    exc = task.exception()  # retrieved here, so asyncio does not print it again
    if exc is None:
        return
    problems.append(exc)
    if not isinstance(exc, RunLocked):
        logger.error("the crawl could not run: %s", exc, exc_info=exc)


def _trap_lock(failure: Any, problems: list[BaseException]) -> Any:
    problems.append(failure.value)
    if isinstance(failure.value, RunLocked):
        return None
    return failure

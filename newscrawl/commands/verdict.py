"""Run one crawler and turn its outcome into a log line and an exit status.

* ``0`` when :func:`newscrawl.extensions.health.judge` finds the run healthy;
* ``1`` when it does not (the reason is the last log line), or the crawl could not start;
* ``2`` when a setting is bad: a component raised :class:`~newscrawl.config.BadSetting` while
  Scrapy built it (one line, no traceback), or ``LOG_FILE`` cannot be written;
* ``75`` when another run holds the lock (one line naming it).

When ``LOG_FILE`` is set, a refusal or a failure is also printed to stderr, so cron mails it.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twisted.internet.defer import Deferred

from newscrawl.config import BadSetting, writable_problem
from newscrawl.extensions.health import judge_crawler
from newscrawl.extensions.lock import EXIT_LOCKED, RunLocked

if TYPE_CHECKING:
    from scrapy.crawler import Crawler, CrawlerProcessBase
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_BAD_SETTINGS = 2


def check_log_file(settings: BaseSettings) -> None:
    """Exit 2 with one line when ``LOG_FILE`` cannot be written: Scrapy opens it before any
    component exists, and would fail with a traceback."""
    log_file = settings.get("LOG_FILE")
    if not log_file:
        return
    problem = writable_problem(Path(str(log_file)))
    if problem is not None:
        print(f"bad setting LOG_FILE: cannot write {log_file} ({problem})", file=sys.stderr)
        sys.exit(EXIT_BAD_SETTINGS)


def last_line(level: int, message: str, crawler: Crawler) -> None:
    """Log the run's last line; an error goes to stderr too when the log is a file."""
    logger.log(level, "%s", message)
    if level >= logging.ERROR and crawler.settings.get("LOG_FILE"):
        print(message, file=sys.stderr)


def run_to_verdict(process: CrawlerProcessBase, crawler: Crawler,
                   spargs: dict[str, Any]) -> int:
    """Crawl with ``crawler`` to the end and return the exit status (see the module doc)."""
    problems: list[BaseException] = []
    running = process.crawl(crawler, **spargs)
    if isinstance(running, asyncio.Future):
        running.add_done_callback(lambda task: _keep_problem(task, problems))
    elif isinstance(running, Deferred):  # CrawlerProcess (FORCE_CRAWLER_PROCESS)
        running.addErrback(lambda failure: _keep_problem_failure(failure, problems))
    process.start()
    return _exit_status(process, crawler, problems)


def _exit_status(process: CrawlerProcessBase, crawler: Crawler,
                 problems: list[BaseException]) -> int:
    bad = [p for p in problems if isinstance(p, BadSetting)]
    if bad:
        last_line(logging.ERROR, str(bad[0]), crawler)
        return EXIT_BAD_SETTINGS
    locked = [p for p in problems if isinstance(p, RunLocked)]
    if locked:
        last_line(logging.ERROR, f"not started: {locked[0]}", crawler)
        return EXIT_LOCKED
    if process.bootstrap_failed or problems or not hasattr(crawler, "_stats") or \
            crawler._stats is None:
        last_line(logging.ERROR, "run FAILED: the crawl could not start (see the errors "
                                 "above)", crawler)
        return EXIT_FAILED
    verdict = judge_crawler(crawler)
    last_line(logging.INFO if verdict.ok else logging.ERROR, str(verdict), crawler)
    return 0 if verdict.ok else EXIT_FAILED


def _expected(exc: BaseException) -> bool:
    return isinstance(exc, BadSetting | RunLocked)


def _keep_problem(task: asyncio.Future[Any], problems: list[BaseException]) -> None:
    if task.cancelled():
        return
    exc = task.exception()  # retrieved here, so asyncio does not print it again
    if exc is None:
        return
    problems.append(exc)
    if not _expected(exc):
        logger.error("the crawl could not run: %s", exc, exc_info=exc)


def _keep_problem_failure(failure: Any, problems: list[BaseException]) -> Any:
    problems.append(failure.value)
    if _expected(failure.value):
        return None
    return failure

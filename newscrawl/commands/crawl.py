"""``scrapy crawl`` with an exit status a scheduler can trust (:mod:`.verdict`).

After the run it keeps the newest ``NEWSCRAWL_KEEP_OUTPUTS`` output files of the spider and,
when ``LOG_FILE`` is set, the newest as many ``*.log`` files of its directory (0 keeps all).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl.commands.verdict import (
    EXIT_BAD_SETTINGS,
    check_log_file,
    last_line,
    run_to_verdict,
)
from newscrawl.config import BadSetting, read_int
from newscrawl.state.journal import journal_patterns, rotate

if TYPE_CHECKING:
    import argparse

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def rotate_run_files(crawler: Crawler, spider_name: str, keep: int) -> list[Path]:
    """Keep the newest ``keep`` output files of the spider and logs (0 keeps all)."""
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

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        check_log_file(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        try:
            keep = read_int(crawler.settings, "NEWSCRAWL_KEEP_OUTPUTS")
        except BadSetting as exc:
            last_line(logging.ERROR, str(exc), crawler)
            self.exitcode = EXIT_BAD_SETTINGS
            return
        self.exitcode = run_to_verdict(self.crawler_process, crawler, opts.spargs)
        if crawler._engine is not None:  # the crawl ran (Scrapy's documented pre-start read)
            rotate_run_files(crawler, args[0], keep)

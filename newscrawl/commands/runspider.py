"""``scrapy runspider`` with the same exit statuses as ``crawl`` (:mod:`.verdict`).

Scrapy's own ``runspider`` exits 0 whatever happened in the crawl; inside this project (where
``COMMANDS_MODULE`` is read) a bad setting exits 2 with one line, a failed run 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.commands.runspider import Command as ScrapyRunSpiderCommand
from scrapy.commands.runspider import _import_file
from scrapy.exceptions import UsageError
from scrapy.utils.spider import iter_spider_classes

from newscrawl.commands.verdict import check_log_file, run_to_verdict

if TYPE_CHECKING:
    import argparse


class Command(ScrapyRunSpiderCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        check_log_file(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError
        filename = Path(args[0])
        if not filename.exists():
            raise UsageError(f"File not found: {filename}\n")
        try:
            module = _import_file(filename)
        except (ImportError, ValueError) as e:
            raise UsageError(f"Unable to load {str(filename)!r}: {e}\n") from e
        spider_classes = list(iter_spider_classes(module))
        if not spider_classes:
            raise UsageError(f"No spider found in file: {filename}\n")
        assert self.crawler_process
        crawler = self._create_crawler(spider_classes.pop())
        self.exitcode = run_to_verdict(self.crawler_process, crawler, opts.spargs)

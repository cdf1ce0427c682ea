"""Write the dataset card, ``<feed stem>.card.md``, beside the run's output.

:class:`DatasetCard` (``EXTENSIONS``, after ``RunHealth``) writes
:func:`newscrawl.monitoring.card.build_card` of the run at ``spider_closed``. Needs
:class:`~newscrawl.extensions.monitor.RunMonitor`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured

from newscrawl.config import read_bool
from newscrawl.extensions.monitor import RunMonitor
from newscrawl.monitoring.card import build_card
from newscrawl.monitoring.files import CARD_SUFFIX, check_uri_setting, run_file
from newscrawl.monitoring.rundata import write_atomically

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class DatasetCard:
    """At ``spider_closed``: the Markdown card beside the output."""

    def __init__(self, crawler: Crawler) -> None:
        if not read_bool(crawler.settings, "NEWSCRAWL_CARD_ENABLED"):
            raise NotConfigured("NEWSCRAWL_CARD_ENABLED is False")
        check_uri_setting(crawler, "NEWSCRAWL_CARD_URI")
        self.crawler = crawler
        self.path: Path | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_closed(self, spider: Spider) -> None:
        monitor = self.crawler.get_extension(RunMonitor)
        self.path = run_file(self.crawler, spider, CARD_SUFFIX, "NEWSCRAWL_CARD_URI")
        if monitor is None or self.path is None:
            logger.warning("no dataset card: %s", "the run monitor is off" if monitor is None
                           else "the run has no local feed and NEWSCRAWL_CARD_URI is empty")
            return
        try:
            write_atomically(self.path, build_card(monitor.run_data(spider)))
        except OSError as exc:  # a full disk: the run's verdict says so already
            logger.warning("no dataset card: cannot write %s (%s)", self.path,
                           exc.strerror or exc)
            return
        logger.info("Stored the dataset card in %s", self.path)

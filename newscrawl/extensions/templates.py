"""The site template the crawl learns from its own pages (issue 13), kept between runs.

Owns the run's :class:`~newscrawl.pages.template.TemplateLearner`: loaded at ``spider_opened``
from ``NEWSCRAWL_TEMPLATE_PATH`` (empty: ``<NEWSCRAWL_STATE_PATH without its suffix>.templates
.json``; no file when neither names one), fed by the spider with the pages whose body did not
come from the site's own markup, and saved atomically at ``spider_closed``. A file that cannot
be read is logged and the run starts with an empty learner: a template is an optimisation of
extraction, never a reason to fail a run. Stats: ``newscrawl/template/<event>`` (observed,
learned, relearned, unlearnable) and ``newscrawl/template/layouts``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.config import path_params, read_bool, read_path
from newscrawl.monitoring.rundata import write_atomically
from newscrawl.pages.template import TemplateLearner

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

SUFFIX = ".templates.json"


def template_path(crawler: Crawler) -> Path | None:
    """``NEWSCRAWL_TEMPLATE_PATH``, else the state file's path with :data:`SUFFIX`."""
    settings = crawler.settings
    name = crawler.spider.name if crawler.spider else "default"
    params = path_params(settings, name)
    own = read_path(settings, "NEWSCRAWL_TEMPLATE_PATH", params)
    if own is not None:
        return own
    if not read_bool(settings, "NEWSCRAWL_STATE_ENABLED"):
        return None
    state = read_path(settings, "NEWSCRAWL_STATE_PATH", params)
    return state.with_suffix(SUFFIX) if state is not None else None


class SiteTemplates:
    """``EXTENSIONS`` entry; the spider asks it for :attr:`learner`."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        if not read_bool(crawler.settings, "NEWSCRAWL_TEMPLATE_ENABLED"):
            raise NotConfigured("NEWSCRAWL_TEMPLATE_ENABLED is False")
        self.crawler = crawler
        self.path = template_path(crawler)
        self.full = read_bool(crawler.settings, "NEWSCRAWL_FULL_CRAWL_ENABLED")
        self.learner = TemplateLearner()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_opened(self) -> None:
        if self.path is None or self.full or not self.path.exists():
            return
        try:
            self.learner = TemplateLearner.from_json(
                json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("site template %s unreadable (%s): learning it again", self.path,
                           exc)
            self.learner = TemplateLearner()
        else:
            logger.info("site template %s: %d layout(s) known", self.path,
                        len(self.learner.templates))

    def spider_closed(self) -> None:
        stats = self.crawler.stats
        for event, count in self.learner.counts.items():
            stats.set_value(f"newscrawl/template/{event}", count)
        stats.set_value("newscrawl/template/layouts", len(self.learner.templates))
        if self.path is not None:
            write_atomically(self.path, json.dumps(self.learner.to_json(), ensure_ascii=False))

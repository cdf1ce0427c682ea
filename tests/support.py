"""Helpers shared by the whole suite (imported as ``tests.support``): project settings,
crawlers built in process, stories. Fixtures built on them are in ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.spiders import Spider
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_reactor_settings

from newscrawl import settings as project
from newscrawl.spiders.kangnamtimes import KangnamTimesSpider

ROOT = Path(__file__).resolve().parents[1]


def project_settings(**overrides: Any) -> Settings:
    """``settings.py`` as ``scrapy crawl`` loads it, with ``overrides`` at cmdline priority."""
    settings = get_project_settings().copy()
    settings.setdict(overrides, priority="cmdline")
    return settings


def built_crawler(tmp_path: Path, spargs: Mapping[str, Any] | None = None, /,
                  **overrides: Any) -> Crawler:
    """A crawler of the project's spider with every component built, as ``Crawler.crawl()``
    builds them (spider, add-ons, extensions, engine with its middlewares and pipelines),
    without opening the spider. Run files go under ``tmp_path`` unless overridden.

    A component that rejects its settings raises :class:`~newscrawl.config.BadSetting` here,
    exactly where a real crawl raises it.
    """
    files = {"NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite3"),
             "NEWSCRAWL_LOCK_PATH": str(tmp_path / "run.lock"),
             "FEEDS": {str(tmp_path / "out.jsonl"): {"format": "jsonl"}}}
    settings = project_settings(**{**files, **overrides}, **get_reactor_settings())
    crawler = Crawler(KangnamTimesSpider, settings)
    crawler.spider = crawler._create_spider(**(spargs or {}))
    crawler._apply_settings()
    crawler.engine = crawler._create_engine()
    return crawler


def spider_of(crawler: Crawler) -> Spider:
    """The spider of a crawler :func:`built_crawler` made (it always has one)."""
    assert crawler.spider is not None
    return crawler.spider


def text(reply: bytes | str) -> str:
    """A Redis key or member as text: redis-py types replies ``bytes | str``, and the suite's
    clients (``decode_responses`` off) get bytes."""
    return reply.decode() if isinstance(reply, bytes) else reply


def story(truth: dict[str, dict[str, Any]], article_id: str) -> str:
    """The story an article tells: itself, or the original it is a copy of."""
    return str(truth[article_id].get("near_duplicate_of") or article_id)


#: A crawler built around one component writes no run files into the work tree: no lock, no
#: default feed, the state in memory (a test that needs them names its own paths).
UNIT_RUN_FILES = {"NEWSCRAWL_LOCK_PATH": "", "NEWSCRAWL_FEED_URI": "",
                  "NEWSCRAWL_STATE_BACKEND": "memory"}


def newscrawl_defaults(**overrides: Any) -> dict[str, Any]:
    """Every ``NEWSCRAWL_*`` default of ``settings.py`` (the only place defaults live), with
    ``overrides``: for crawlers built with ``get_crawler`` around a single component."""
    defaults = {name: getattr(project, name) for name in dir(project)
                if name.startswith("NEWSCRAWL_")}
    return {**defaults, **UNIT_RUN_FILES, **overrides}

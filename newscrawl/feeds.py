"""The run's output files, in one place: the feeds, the rejects file and the summary.

* :class:`DefaultFeed` (add-on): ``FEEDS`` = ``NEWSCRAWL_FEED_URI`` when the run names no feed
  of its own. Scrapy merges ``-o``/``-O`` with ``FEEDS``, so a default feed in ``settings.py``
  would be written next to every ``-O file.jsonl``; ``FEEDS`` stays empty there instead. A run
  with no feed at all (``NEWSCRAWL_FEED_URI=`` and no ``-o``/``-O``) would write its articles
  nowhere: it is refused (:class:`~newscrawl.config.BadSetting`, exit 2). The add-on also
  gives every feed the ``uri_params`` hook :func:`run_uri_params`, so ``%(time)s`` is the
  run's start time in the feed, the rejects and the summary names alike.
* :class:`OutputFiles` reads ``NEWSCRAWL_REJECTS_URI`` and ``NEWSCRAWL_SUMMARY_URI`` (the only
  reader) and says where each file of the run goes, and which patterns a run owns (for the
  run lock and for recovering a killed run's ``.part`` files).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl.config import BadSetting, writable_problem
from newscrawl.paths import (
    REJECTS_SUFFIX,
    SUMMARY_SUFFIX,
    fill_params,
    local_path,
    time_token,
)
from newscrawl.state.journal import FeedPattern, feed_pattern

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

#: Options of the default feed: line-atomic JSON Lines (newscrawl.exporters), articles only.
DEFAULT_FEED_OPTIONS: dict[str, Any] = {
    "format": "jsonl-atomic",
    "encoding": "utf-8",
    "item_classes": ["newscrawl.items.Article"],
}
URI_PARAMS = "newscrawl.feeds.run_uri_params"
RUN_TIME_STAT = "newscrawl/output/time"
"""The run's ``%(time)s`` (kept in the stats: every file name of the run uses the same)."""


def effective_feeds(settings: BaseSettings) -> dict[str, dict[str, Any]]:
    """The feeds a run writes: ``FEEDS`` (with ``-o``/``-O``), else ``NEWSCRAWL_FEED_URI``."""
    feeds: dict[str, dict[str, Any]] = settings.getdict("FEEDS")
    default = str(settings.get("NEWSCRAWL_FEED_URI") or "").strip()
    if feeds or not default:
        return feeds
    return {default: dict(DEFAULT_FEED_OPTIONS)}


class DefaultFeed:
    """Add-on: the default feed, the refusal of a run without feeds, the run's ``%(time)s``."""

    def update_settings(self, settings: BaseSettings) -> None:
        feeds = effective_feeds(settings)
        if not feeds:
            raise BadSetting("NEWSCRAWL_FEED_URI", "is empty and no feed is named (-o/-O or "
                                                   "FEEDS): the articles would be written "
                                                   "nowhere", "")
        feeds = {uri: {"uri_params": URI_PARAMS, **options} for uri, options in feeds.items()}
        priority = max(settings.getpriority("FEEDS") or 0, SETTINGS_PRIORITIES["addon"])
        settings.set("FEEDS", feeds, priority=priority)


def run_time(crawler: Crawler) -> str:
    """The run's ``%(time)s``: its start time, as Scrapy writes it (the same for every file)."""
    stats = crawler.stats
    token = stats.get_value(RUN_TIME_STAT)
    if not token:
        start = stats.get_value("start_time")
        token = time_token(start if isinstance(start, datetime) else None)
        stats.set_value(RUN_TIME_STAT, token)
    return str(token)


def run_uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """``uri_params`` hook of every feed: ``%(time)s`` is :func:`run_time`."""
    params["time"] = run_time(spider.crawler)
    return params


@dataclass(frozen=True)
class OutputFiles:
    """Where a run's files go (templates with ``%(name)s`` filled, ``%(time)s`` kept)."""

    feeds: tuple[str, ...]
    """Local feeds, in ``FEEDS`` order."""
    journal: tuple[str, ...]
    """The local JSON Lines feeds among them: what the state reads and records."""
    rejects: str | None
    summary: str | None
    own_side_files: tuple[str, ...] = ()
    """The side templates set by a setting (the others sit beside the first feed)."""

    @classmethod
    def from_settings(cls, settings: BaseSettings, spider_name: str) -> OutputFiles:
        from newscrawl.state.journal import JSON_LINES_FORMATS

        params = {"name": spider_name}
        feeds, journal = [], []
        for uri, options in settings.getdict("FEEDS").items():
            path = local_path(fill_params(str(uri), params))
            if path is None:
                continue
            feeds.append(str(path))
            if str(options.get("format", "")) in JSON_LINES_FORMATS:
                journal.append(str(path))
        first = Path(feeds[0]) if feeds else None
        rejects = _side_template(settings, "NEWSCRAWL_REJECTS_URI", params, first,
                                 REJECTS_SUFFIX)
        summary = _side_template(settings, "NEWSCRAWL_SUMMARY_URI", params, first,
                                 SUMMARY_SUFFIX)
        own = tuple(template for name, template in (("NEWSCRAWL_REJECTS_URI", rejects),
                                                    ("NEWSCRAWL_SUMMARY_URI", summary))
                    if template and str(settings.get(name) or "").strip())
        return cls(tuple(feeds), tuple(journal), rejects, summary, own)

    def patterns(self, spider_name: str) -> list[FeedPattern]:
        """The files this run writes, as patterns (feeds, then rejects, then summary)."""
        found = [feed_pattern(t, spider_name) for t in self.feeds]
        if self.rejects:
            found.append(feed_pattern(self.rejects, spider_name, role="rejects",
                                      suffix=_suffix(self.rejects, REJECTS_SUFFIX)))
        if self.summary:
            found.append(feed_pattern(self.summary, spider_name, role="summary",
                                      suffix=_suffix(self.summary, SUMMARY_SUFFIX)))
        return [pattern for pattern in found if pattern is not None]

    def templates(self) -> list[str]:
        """The templates a run owns: its feeds, and side files not named after a feed."""
        return [*self.feeds, *self.own_side_files]

    def rejects_path(self, crawler: Crawler) -> Path | None:
        return _fill(self.rejects, crawler)

    def summary_path(self, crawler: Crawler) -> Path | None:
        return _fill(self.summary, crawler)


def output_files(crawler: Crawler) -> OutputFiles:
    """The crawler's :class:`OutputFiles` (raises :class:`BadSetting` for a bad side URI)."""
    name = crawler.spider.name if crawler.spider else "default"
    return OutputFiles.from_settings(crawler.settings, name)


def _suffix(template: str, role_suffix: str) -> str:
    return role_suffix if template.endswith(role_suffix) else Path(template).suffix


def _side_template(settings: BaseSettings, name: str, params: dict[str, str],
                   first_feed: Path | None, suffix: str) -> str | None:
    """The template of a side file: the setting, or ``<first local feed stem><suffix>``."""
    value = str(settings.get(name) or "").strip()
    if not value:
        if first_feed is None:
            return None
        stem = first_feed.name[: -len(first_feed.suffix)] if first_feed.suffix \
            else first_feed.name
        return str(first_feed.with_name(stem + suffix))
    path = local_path(fill_params(value, params))
    if path is None:
        raise BadSetting(name, "must be a local file path", value)
    problem = writable_problem(path)
    if problem is not None:
        raise BadSetting(name, f"cannot write {path} ({problem})")
    return str(path)


def _fill(template: str | None, crawler: Crawler) -> Path | None:
    if template is None:
        return None
    time = run_time(crawler)
    return Path(fill_params(template, {"time": time, "batch_time": time, "batch_id": "1"}))

"""Where a run's monitoring files go: beside its output, named after the feed.

With ``-O output/demo.jsonl`` (or the default ``output/kangnamtimes/<time>.jsonl``) a run
writes, beside the feed, the rejects (``<stem>.rejects.jsonl``) and summary
(``<stem>.summary.json``) of other components, and:

========================  =====================================================
``<stem>.run.json``       everything the report and the card are built from
``<stem>.report.html``    the report (``NEWSCRAWL_REPORT_URI`` to put it elsewhere)
``<stem>.card.md``        the dataset card (``NEWSCRAWL_CARD_URI``)
========================  =====================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from newscrawl.config import BadSetting, writable_problem
from newscrawl.feeds import output_files, run_time
from newscrawl.paths import fill_params, local_path

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

RUN_SUFFIX = ".run.json"
REPORT_SUFFIX = ".report.html"
CARD_SUFFIX = ".card.md"
FEED_SUFFIXES = (".rejects.jsonl", ".summary.json", RUN_SUFFIX, REPORT_SUFFIX, CARD_SUFFIX,
                 ".jsonl", ".jl", ".json")


def uri_params(crawler: Crawler, spider: Spider | None) -> dict[str, str]:
    """``%(name)s`` and the run's ``%(time)s`` (the one every feed of the run uses)."""
    return {"name": spider.name if spider else "default", "time": run_time(crawler)}


def first_local_feed(crawler: Crawler) -> Path | None:
    """The run's first local feed, its placeholders filled."""
    files = output_files(crawler)
    if not files.feeds:
        return None
    return Path(fill_params(files.feeds[0], uri_params(crawler, crawler.spider)))


def stem_of(path: Path) -> Path:
    """``output/demo.jsonl``, ``output/demo.report.html``, … all give ``output/demo``."""
    for suffix in FEED_SUFFIXES:
        if path.name.endswith(suffix) and path.name != suffix:
            return path.with_name(path.name.removesuffix(suffix))
    return path.with_suffix("")


def feed_path(crawler: Crawler) -> Path | None:
    """The run's first local feed (its ``%(time)s`` resolved), or the rejects file's place
    when only ``NEWSCRAWL_REJECTS_URI`` names one."""
    from newscrawl.extensions.rejectsfeed import RejectsFeed

    feed = first_local_feed(crawler)
    if feed is not None:
        return feed
    try:
        rejects = crawler.get_extension(RejectsFeed)
    except RuntimeError:  # before the extensions exist
        return None
    return rejects.path if rejects is not None else None


def run_file(crawler: Crawler, spider: Spider | None, suffix: str,
             setting: str | None = None) -> Path | None:
    """The setting's path (``%(name)s``/``%(time)s`` filled) when set, else
    ``<feed stem><suffix>``; None when the run has no local feed."""
    template = str(crawler.settings.get(setting) or "") if setting else ""
    if template:
        return local_path(fill_params(template, uri_params(crawler, spider)))
    feed = feed_path(crawler)
    if feed is None:
        return None
    stem = stem_of(feed)
    return stem.with_name(stem.name + suffix)


def check_uri_setting(crawler: Crawler, setting: str) -> None:
    """At start: a path setting that is set must name a local file that can be written."""
    template = str(crawler.settings.get(setting) or "")
    if not template:
        return
    path = local_path(fill_params(template, uri_params(crawler, crawler.spider)))
    if path is None:
        raise BadSetting(setting, "must be a local file path", template)
    problem = writable_problem(path)
    if problem is not None:
        raise BadSetting(setting, f"cannot write {path} ({problem})")

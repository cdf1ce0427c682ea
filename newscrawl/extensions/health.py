"""Loud failure: is a finished run healthy? A plain function on the stats, and its extension.

:func:`judge` fails a run (in this order) when:

0. what the run wrote was not delivered whole: a feed could not be written (disk full:
   ``newscrawl/feed/failed``) or stored (``feedexport/failed_count/*``, an FTP server that
   refuses), the rejects file could not be written, or the state could not record the lines;
1. the spider closed for a reason other than ``finished``, ``max_articles`` or an expected
   ``closespider_*`` limit (``closespider_errorcount`` and ``closespider_timeout_no_item`` are
   failures; so is ``shutdown``: the run was interrupted, a ``JOBDIR`` run resumes with the
   same command);
2. pages were fetched but no article link was found on any of them (the listing layout
   changed);
3. article pages were fetched but fewer than ``NEWSCRAWL_MIN_PARSED_SHARE`` of them became
   articles (the article layout changed). Pages the spider could not parse count against
   (``newscrawl/spider/not_article``, ``…/not_html``), and so do articles a pipeline dropped as
   invalid (``newscrawl/health/dropped_invalid``: every drop whose reason is not one of
   :data:`PARSED_DROP_REASONS`, which name articles that were parsed well and were only
   duplicates or unchanged);
4. a monitor failed (:mod:`newscrawl.monitoring`: a layout change, invalid items, …);
5. errors were logged (``log_count/ERROR``) and ``NEWSCRAWL_FAIL_ON_ERROR`` is on.

:class:`RunHealth` writes the verdict into the stats at close (``newscrawl/health/ok``,
``newscrawl/health/reason``), so it is in the stats dump, and again once the feeds are
stored (``feed_exporter_closed``: a store that failed is known only then); the ``crawl``
command judges the final stats again once the crawl is over and logs the verdict as the
run's last line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.config import read_bool, read_share
from newscrawl.monitoring.verdict import failed_reason

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

OK_REASONS = frozenset({"finished", "max_articles", "closespider_timeout",
                        "closespider_itemcount", "closespider_pagecount"})
NOT_ARTICLE_STATS = ("newscrawl/spider/not_article", "newscrawl/spider/not_html")
# newscrawl/cluster/links: in the distributed mode, the article links the whole crawl found
# (newscrawl.distributed.member): a worker may fetch only robots.txt and a sitemap index.
LINK_STAT_PREFIXES = ("newscrawl/spider/links/", "newscrawl/incremental/",
                      "newscrawl/cluster/links")
PARSED_DROP_REASONS = frozenset({"unchanged", "duplicate_id", "duplicate_url", "duplicate_body",
                                 "near_duplicate"})
"""Drop reasons (``Rejected.reason``) of articles that were parsed well."""
INVALID_STAT = "newscrawl/health/dropped_invalid"
DELIVERY_FAILURES = {
    "newscrawl/feed/failed": "the feed could not be written",
    "newscrawl/rejects/write_failed": "the rejects file could not be written",
    "newscrawl/state/failed": "the state could not record what was written",
}
"""Stats of the failures that stop a run because its output would not be whole."""


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str

    def __str__(self) -> str:
        return f"run {'ok' if self.ok else 'FAILED'}: {self.reason}"


def _count(stats: Mapping[str, Any], key: str) -> int:
    value = stats.get(key) or 0
    return int(value) if isinstance(value, int | float) else 0


def _count_prefix(stats: Mapping[str, Any], prefix: str) -> int:
    return sum(int(v) for k, v in stats.items()
               if k.startswith(prefix) and isinstance(v, int | float))


def judge(stats: Mapping[str, Any], *, min_parsed_share: float = 0.5,
          fail_on_error: bool = True) -> Verdict:
    """The verdict on a run from its stats (see the module doc for the rules)."""
    delivery = _delivery_failure(stats)
    if delivery is not None:
        return Verdict(False, delivery)
    reason = str(stats.get("finish_reason") or "unknown")
    if reason == "shutdown":
        return Verdict(False, "the run was interrupted (shutdown); with JOBDIR set, the same "
                              "command resumes it")
    if reason not in OK_REASONS:
        return Verdict(False, f"the spider closed for {reason!r}")
    invalid = _count(stats, INVALID_STAT)
    article_pages = (_count(stats, "item_scraped_count") + _count(stats, "item_dropped_count")
                     + sum(_count(stats, key) for key in NOT_ARTICLE_STATS))
    parsed = _count(stats, "item_scraped_count") + _count(stats, "item_dropped_count") - invalid
    responses = _count(stats, "response_received_count")
    links = sum(_count_prefix(stats, prefix) for prefix in LINK_STAT_PREFIXES)
    if responses and not links and not article_pages:
        return Verdict(False, f"no article link found on {responses} page(s): "
                              "has the listing layout changed?")
    if article_pages and parsed < min_parsed_share * article_pages:
        return Verdict(False, f"only {parsed} of {article_pages} article page(s) parsed as "
                              f"articles (minimum {min_parsed_share:.0%}): "
                              "has the article layout changed?")
    monitor = failed_reason(stats)  # a failed monitor (layout change, schema, …): one line
    if monitor is not None:
        return Verdict(False, monitor)
    errors = _count(stats, "log_count/ERROR")
    if errors and fail_on_error:
        return Verdict(False, f"{errors} error(s) logged (NEWSCRAWL_FAIL_ON_ERROR is on)")
    written = _count(stats, "item_scraped_count")
    return Verdict(True, f"{reason}, {written} article(s) written, "
                         f"{parsed} of {article_pages} article page(s) parsed")


def _delivery_failure(stats: Mapping[str, Any]) -> str | None:
    problems = [text for key, text in DELIVERY_FAILURES.items() if _count(stats, key)]
    stores = _count_prefix(stats, "feedexport/failed_count/")
    if stores:
        problems.append(f"{stores} feed(s) could not be stored")
    if not problems:
        return None
    detail = stats.get("newscrawl/feed/error")
    return (f"{'; '.join(problems)}{f' ({detail})' if detail else ''}: what is not in a "
            "published file is not recorded, and the next run fetches it again")


def judge_crawler(crawler: Crawler) -> Verdict:
    """:func:`judge` with the crawler's settings and stats."""
    settings = crawler.settings
    share = read_share(settings, "NEWSCRAWL_MIN_PARSED_SHARE")
    return judge(crawler.stats.get_stats(), min_parsed_share=share,
                 fail_on_error=read_bool(settings, "NEWSCRAWL_FAIL_ON_ERROR"))


class RunHealth:
    """Logs the verdict at close and keeps it in the stats."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunHealth:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        if not read_bool(crawler.settings, "NEWSCRAWL_HEALTH_ENABLED"):
            raise NotConfigured("NEWSCRAWL_HEALTH_ENABLED is False")
        judge_crawler(crawler)  # validates the settings now rather than at close
        self.crawler = crawler
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.feeds_stored, signal=signals.feed_exporter_closed)

    def item_dropped(self, exception: BaseException) -> None:
        reason = getattr(exception, "reason", None)
        if reason not in PARSED_DROP_REASONS:
            self.crawler.stats.inc_value(INVALID_STAT)

    def spider_closed(self, reason: str) -> None:
        stats = self.crawler.stats
        if stats.get_value("finish_reason") is None:
            stats.set_value("finish_reason", reason)
        self._judge()

    def feeds_stored(self) -> None:
        """Judge again: a feed that could not be stored is known only now."""
        self._judge()

    def _judge(self) -> None:
        stats = self.crawler.stats
        verdict = judge_crawler(self.crawler)
        if (stats.get_value("newscrawl/health/ok"), stats.get_value("newscrawl/health/reason")
                ) == (verdict.ok, verdict.reason):
            return
        stats.set_value("newscrawl/health/ok", verdict.ok)
        stats.set_value("newscrawl/health/reason", verdict.reason)
        # WARNING, not ERROR: the verdict must not count itself among the errors.
        logger.log(logging.INFO if verdict.ok else logging.WARNING, "%s", verdict)

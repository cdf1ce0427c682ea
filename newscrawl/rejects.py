"""The rejects vocabulary: what a rejected item or page looks like, and how it is reported.

Two ways in, one record format (:class:`Reject`), one writer
(:class:`newscrawl.extensions.rejectsfeed.RejectsFeed`):

* a pipeline raises :class:`Rejected` (a :class:`~scrapy.exceptions.DropItem`), which Scrapy
  turns into the ``item_dropped`` signal;
* the spider calls :func:`report_reject` for a page it could not turn into an article (or a
  request that failed), which sends the :data:`page_rejected` signal.

The spider does not yield a reject item on purpose: an item would be exported by any feed
without ``item_classes`` (``-O file.jsonl`` replaces ``FEEDS``) and counted in
``item_scraped_count``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from scrapy.exceptions import DropItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

Stage = Literal["pipeline", "spider", "download"]

page_rejected = object()
"""Signal sent by :func:`report_reject`; handlers receive ``reject`` (a :class:`Reject`)."""


def utc_now_iso() -> str:
    """The current time, ISO 8601 in UTC, to the second."""
    return datetime.now(tz=UTC).replace(microsecond=0).isoformat()


@dataclass
class Reject:
    """One line of the rejects feed."""

    reason: str
    """Why: ``missing_body``, ``duplicate_id``, ``not_article``, ``http_404``, …"""
    url: str | None = None
    """The item's or page's URL."""
    article_id: str | None = None
    """The article id, when known."""
    duplicate_of: str | None = None
    """For duplicates: the id of the article that was kept."""
    detail: str = ""
    """Free text for a human (the similarity, the bad value, the error)."""
    stage: Stage = "pipeline"
    """Where it was rejected: ``pipeline``, ``spider`` (parsing) or ``download``."""
    at: str = field(default_factory=utc_now_iso)
    """When, ISO 8601 in UTC."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Rejected(DropItem):
    """A :class:`~scrapy.exceptions.DropItem` that says why, machine-readably.

    ``str()`` of it is ``"<reason>: <detail>"`` for Scrapy's "Dropped:" log line.
    """

    def __init__(
        self,
        reason: str,
        *,
        duplicate_of: str | None = None,
        detail: str = "",
        log_level: str | None = None,
    ) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason, log_level=log_level)
        self.reason = reason
        self.duplicate_of = duplicate_of
        self.detail = detail


def report_reject(
    crawler: Crawler,
    reason: str,
    url: str | None,
    *,
    article_id: str | None = None,
    detail: str = "",
    stage: Stage = "spider",
) -> None:
    """Record a page the spider could not turn into an article.

    Call it from a callback (``stage="spider"``) or an errback (``stage="download"``)::

        report_reject(self.crawler, "not_article", response.url, detail="no body container")
    """
    reject = Reject(
        reason=reason, url=url, article_id=article_id, detail=detail, stage=stage
    )
    crawler.signals.send_catch_log(signal=page_rejected, reject=reject)

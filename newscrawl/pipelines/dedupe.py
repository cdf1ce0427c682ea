"""Drop the second copy of an article, an identical body, and near-copies of a story."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import NotConfigured

from newscrawl.dedupe import Deduper
from newscrawl.items import Article
from newscrawl.rejects import Rejected

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class DedupePipeline:
    """Keeps the first copy; later copies are dropped as ``duplicate_id``, ``duplicate_body``
    or ``near_duplicate`` with ``duplicate_of`` naming the kept article (see
    :class:`newscrawl.dedupe.Deduper`). Other items pass."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_DEDUPE_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_DEDUPE_ENABLED is False")
        self.shingle = settings.getint("NEWSCRAWL_DEDUPE_SHINGLE", 5)
        self.threshold = settings.getfloat("NEWSCRAWL_DEDUPE_THRESHOLD", 0.8)
        self.num_perm = settings.getint("NEWSCRAWL_DEDUPE_NUM_PERM", 128)
        if self.shingle < 1:
            raise NotConfigured(f"NEWSCRAWL_DEDUPE_SHINGLE must be >= 1, not {self.shingle}")
        if not 0.0 < self.threshold <= 1.0:
            raise NotConfigured(
                f"NEWSCRAWL_DEDUPE_THRESHOLD must be in (0, 1], not {self.threshold}"
            )
        if self.num_perm < 16:
            raise NotConfigured(f"NEWSCRAWL_DEDUPE_NUM_PERM must be >= 16, not {self.num_perm}")
        self.deduper: Deduper | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.deduper = Deduper(
            shingle=self.shingle, threshold=self.threshold, num_perm=self.num_perm
        )

    def close_spider(self) -> None:
        if self.deduper is not None:
            logger.info("Dedupe kept %s articles", len(self.deduper.store))
        self.deduper = None

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if self.deduper is None:  # used without open_spider (a test, a script)
            self.open_spider()
        assert self.deduper is not None
        article_id = item.article_id or item.url
        duplicate = self.deduper.check_and_add(
            article_id, item.canonical_url or item.url, item.body or ""
        )
        if duplicate is None:
            return item
        detail = ""
        if duplicate.reason == "near_duplicate":
            detail = f"similarity={duplicate.similarity}"
        raise Rejected(
            duplicate.reason, duplicate_of=duplicate.duplicate_of, detail=detail, log_level="INFO"
        )

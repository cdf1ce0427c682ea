"""Every article is checked against the published JSON Schema before it is written.

:class:`SchemaPipeline` sits after the cleaning pipeline (the schema describes the cleaned
line). An article that does not match goes to the rejects feed with reason ``schema_invalid``
and the first mismatch as its detail (``date_published must match pattern …``), so the
published schema (``docs/article.schema.json``) and the code cannot drift apart unnoticed.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import NotConfigured

from newscrawl.config import read_bool
from newscrawl.items import Article
from newscrawl.monitoring.schema import schema_error
from newscrawl.rejects import Rejected

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

REASON = "schema_invalid"
CHECKED_STAT = "newscrawl/schema/checked"
FIELD_NAMES = tuple(f.name for f in fields(Article))
"""The line the exporter writes, without copying: nested values are already plain dicts and
lists (``dataclasses.asdict`` would deep-copy them, 15 times the cost of the check)."""


class SchemaPipeline:
    """Drops (to the rejects feed) an :class:`Article` that the schema rejects; other items
    pass. Off with ``NEWSCRAWL_SCHEMA_CHECK_ENABLED``."""

    def __init__(self, crawler: Crawler) -> None:
        if not read_bool(crawler.settings, "NEWSCRAWL_SCHEMA_CHECK_ENABLED"):
            raise NotConfigured("NEWSCRAWL_SCHEMA_CHECK_ENABLED is False")
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(CHECKED_STAT)
        error = schema_error({name: getattr(item, name) for name in FIELD_NAMES})
        if error is not None:
            raise Rejected(REASON, detail=error)
        return item

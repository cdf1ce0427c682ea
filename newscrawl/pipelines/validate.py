"""Drop articles that lack what every line of the output must have."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

from newscrawl.items import Article
from newscrawl.rejects import Rejected

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

REQUIRED = ("url", "article_id", "headline", "body")


def is_iso_datetime_with_offset(value: str) -> bool:
    """True for ISO 8601 date-times that carry a UTC offset (``2025-12-12T09:10:00+09:00``)."""
    if "T" not in value:
        return False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None


def validation_error(article: Article) -> Rejected | None:
    """Why *article* cannot be written, or None when it can."""
    for name in REQUIRED:
        value = getattr(article, name)
        if not isinstance(value, str) or not value.strip():
            return Rejected(f"missing_{name}")
    for name in ("date_published", "date_modified"):
        value = getattr(article, name)
        if value is not None and not (
            isinstance(value, str) and is_iso_datetime_with_offset(value)
        ):
            return Rejected("bad_date", detail=f"{name}={value!r}")
    return None


class ValidatePipeline:
    """Drops an :class:`Article` missing url, article_id, headline or body, or with a date
    that is not ISO 8601 with an offset (null dates are allowed). Other items pass."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article) and (error := validation_error(item)) is not None:
            raise error
        return item

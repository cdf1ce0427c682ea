"""Clean an article's text fields with :mod:`newscrawl.text`."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any, Self

from newscrawl.config import read_bool
from newscrawl.items import Article
from newscrawl.rejects import Rejected
from newscrawl.text import clean_body, normalize_space

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def _trim(text: str, nfkc: bool) -> str:
    text = normalize_space(text)
    return unicodedata.normalize("NFKC", text) if nfkc else text


def _trim_list(values: list[str], nfkc: bool, *, unique: bool = False) -> list[str]:
    out: list[str] = []
    for value in values:
        text = _trim(value, nfkc)
        if text and not (unique and text in out):
            out.append(text)
    return out


def merge_unique(first: list[str], second: list[str]) -> list[str]:
    """*first* then the items of *second* not already in it, in order, without repeats."""
    return list(dict.fromkeys([*first, *second]))


def clean_article(article: Article, *, nfkc: bool = False) -> dict[str, int]:
    """Clean *article* in place; return the number of removals per kind (only non-zero)."""
    result = clean_body(article.body or "", nfkc=nfkc)
    article.body = result.body
    article.credits = merge_unique(article.credits, result.credits)
    if article.headline is not None:
        article.headline = _trim(article.headline, nfkc)
    article.summary = _trim_list(article.summary, nfkc)
    article.authors = _trim_list(article.authors, nfkc)
    article.tags = _trim_list(article.tags, nfkc, unique=True)
    return {kind: count for kind, count in result.removed.items() if count}


class CleanPipeline:
    """Cleans the body (credits move to ``credits``) and trims the other text fields; drops
    an article whose body is empty after cleaning (``empty_body``). Other items pass."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.nfkc = read_bool(crawler.settings, "NEWSCRAWL_NFKC_ENABLED")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        removed = clean_article(item, nfkc=self.nfkc)
        stats = self.crawler.stats
        assert stats is not None
        for kind, count in removed.items():
            stats.inc_value(f"newscrawl/clean/{kind}", count)
        if not item.body:
            raise Rejected("empty_body")
        return item

"""The replica's articles as the parser gives them, from its generator's ground truth."""

from __future__ import annotations

from newscrawl.demosite.truth import iter_truth
from newscrawl.items import Article
from newscrawl.neardup import precedence


def truth_articles(count: int) -> tuple[list[Article], dict[str, str | None]]:
    """Every article of a replica of *count* articles, and the ground truth's
    ``near_duplicate_of`` of each (None for an original)."""
    articles: list[Article] = []
    copy_of: dict[str, str | None] = {}
    for record in iter_truth(count):
        article_id = str(record["article_id"])
        articles.append(Article(
            url=str(record["canonical_url"]), canonical_url=str(record["canonical_url"]),
            article_id=article_id, headline=str(record["headline"]), body=str(record["body"]),
            date_published=str(record["date_published"])))
        source = record["near_duplicate_of"]
        copy_of[article_id] = str(source) if source is not None else None
    return articles, copy_of


def newest_first(articles: list[Article]) -> list[Article]:
    """Every copy before its original (a copy is published after it)."""
    return sorted(articles, key=lambda a: precedence(a.date_published, a.article_id or ""),
                  reverse=True)

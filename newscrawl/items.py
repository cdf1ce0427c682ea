"""The items this project yields.

One typed item, :class:`Article`, in the manner of zyte-common-items: only ``url`` is
required, every other field defaults to empty, and each field's docstring gives its format.
Field names match the replica's ground truth wherever both have the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

BLOCKS = frozenset({"latest", "ranking", "related", "recommend", "topics", "category", "inline",
                    "sitemap"})
"""The link blocks of :class:`LinkRef` (``sitemap``: a sitemap entry)."""

class ImageRef(TypedDict):
    """One photo of an article."""

    url: str
    """Absolute URL of the image (the non-AMP ``src``)."""
    credit: str | None
    """The source named in the photo credit, without its prefix (``AFP通信``), or null."""


class LinkRef(TypedDict):
    """One link to an article, found on a page."""

    url: str
    """The link's target, reduced to its canonical form (see :mod:`newscrawl.urls`)."""
    title: str
    """The link text, trimmed."""
    block: str
    """Where the link sits: ``latest``, ``ranking``, ``related``, ``recommend``, ``topics``,
    ``category``, ``inline`` (inside the body or an inline 関連記事 box), ``sitemap``."""
    position: int
    """1-based position within its block (the rank, for ranking blocks)."""


class DiscoveredVia(TypedDict, total=False):
    """How the crawl first reached an article."""

    block: str
    """The block of the link that was followed (see :class:`LinkRef`), or ``start``."""
    position: int | None
    """1-based position of that link in its block (the rank, for ranking blocks)."""
    from_url: str | None
    """The page the link was found on."""
    range: str
    """For ranking blocks only: ``daily`` or ``weekly``."""


@dataclass
class Article:
    """One news article, as written to the JSON Lines output."""

    url: str
    """The URL the page was fetched from (after redirects)."""

    canonical_url: str | None = None
    """The article's canonical URL: ``{base}/{category}/article/{id}``, on the configured host."""

    article_id: str | None = None
    """The site's numeric post id, as a string (``"554641"``). All URL forms of an article
    (AMP, ``?noamp=mobile``, ``?p=``, tracking parameters, alias hosts) share it."""

    headline: str | None = None
    """The headline, trimmed, without the site-name suffix of ``<title>``."""

    summary: list[str] = field(default_factory=list)
    """The summary lines (sub-headings under the headline), in order, each trimmed."""

    authors: list[str] = field(default_factory=list)
    """Author names from the byline, in order (``梶原圭介・織田昌大`` gives two names)."""

    date_published: str | None = None
    """Publication time, ISO 8601 with offset: ``2025-12-12T09:10:00+09:00``."""

    date_modified: str | None = None
    """Last modification time, same format, or null when the page does not say."""

    category: str | None = None
    """The section name as the site shows it (``ニュース``)."""

    tags: list[str] = field(default_factory=list)
    """Tag names, in page order, without repeats."""

    images: list[ImageRef] = field(default_factory=list)
    """Photos in the body, in order, each ``{url, credit}``."""

    credits: list[str] = field(default_factory=list)
    """Sources named in photo and quotation credits (``AFP通信``), in order, without repeats."""

    body: str | None = None
    """The clean main text: paragraphs, sub-headings and list items one per line, joined by
    ``\\n``; a ``<br>`` inside a paragraph also breaks the line. No credits, reporter line,
    e-mail, comment widget, skip links, ads, share buttons, inline 関連記事 boxes or embeds.
    Japanese text is kept as written (NFKC only when ``NEWSCRAWL_NFKC_ENABLED`` is on)."""

    language: str | None = None
    """BCP 47 language of the page (``ja``)."""

    comment_count: int | None = None
    """Number of comments, or null when the page does not say."""

    related: list[LinkRef] = field(default_factory=list)
    """Every link to an article found on the page, with its block and position."""

    discovered_via: DiscoveredVia | None = None
    """How the crawl first reached this article."""

    crawled_at: str | None = None
    """When the page was fetched, ISO 8601 in UTC (``2026-11-25T09:45:00+00:00``)."""

    version: int = 1
    """1 the first time an article is written; 2, 3, … each time a later run writes it again
    because it changed."""

    updated: bool = False
    """True when this line is a changed version of an article a previous run wrote."""

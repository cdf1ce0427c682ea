"""The project's default feed, used only when the user names none.

Scrapy merges ``-o``/``-O`` with the ``FEEDS`` setting, so a default feed in ``settings.py``
would be written next to every ``-O file.jsonl``. Instead ``FEEDS`` stays empty there, and the
:class:`DefaultFeed` add-on installs ``NEWSCRAWL_FEED_URI`` when neither ``FEEDS`` nor ``-o``/``-O``
gave a feed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

#: Options of the default feed: line-atomic JSON Lines (newscrawl.exporters), articles only.
DEFAULT_FEED_OPTIONS: dict[str, Any] = {
    "format": "jsonl-atomic",
    "encoding": "utf-8",
    "item_classes": ["newscrawl.items.Article"],
}


def effective_feeds(settings: BaseSettings) -> dict[str, dict[str, Any]]:
    """The feeds a run writes: ``FEEDS`` (with ``-o``/``-O``), else ``NEWSCRAWL_FEED_URI``."""
    feeds: dict[str, dict[str, Any]] = settings.getdict("FEEDS")
    default = settings.get("NEWSCRAWL_FEED_URI")
    if feeds or not default:
        return feeds
    return {str(default): dict(DEFAULT_FEED_OPTIONS)}


class DefaultFeed:
    """Add-on: ``FEEDS`` = ``NEWSCRAWL_FEED_URI`` when the run names no feed of its own."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.getdict("FEEDS") and settings.get("NEWSCRAWL_FEED_URI"):
            settings.set("FEEDS", effective_feeds(settings), priority="addon")

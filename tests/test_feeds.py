"""The default feed is written only when the run names none (``-O`` replaces it)."""

from __future__ import annotations

from scrapy import Spider
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newscrawl.feeds import DEFAULT_FEED_OPTIONS, effective_feeds


class KangnamTimes(Spider):
    name = "kangnamtimes"


def applied_feeds(**overrides: object) -> dict[str, dict[str, object]]:
    """FEEDS as the crawler's components see them, with the project's feed add-on applied."""
    project = get_project_settings()
    assert project.getdict("FEEDS") == {}, "a FEEDS in settings.py would be merged with -O"
    settings = {"ADDONS": {"newscrawl.feeds.DefaultFeed": 0},
                "NEWSCRAWL_FEED_URI": project.get("NEWSCRAWL_FEED_URI"), **overrides}
    return get_crawler(KangnamTimes, settings).settings.getdict("FEEDS")


def test_no_feed_named_gives_the_default_feed() -> None:
    assert applied_feeds() == {"output/%(name)s/%(time)s.jsonl": DEFAULT_FEED_OPTIONS}


def test_a_feed_of_the_user_replaces_the_default() -> None:
    mine = {"/tmp/mine.jsonl": {"format": "jsonl", "overwrite": True}}
    assert applied_feeds(FEEDS=mine) == mine


def test_an_empty_default_means_no_feed() -> None:
    assert effective_feeds(Settings({"NEWSCRAWL_FEED_URI": ""})) == {}

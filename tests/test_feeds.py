"""The run's files: the default feed is written only when the run names none (``-O``
replaces it), a run with no feed at all is refused, and every file of a run carries the same
``%(time)s``."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newscrawl.config import BadSetting
from newscrawl.feeds import DEFAULT_FEED_OPTIONS, URI_PARAMS, OutputFiles, effective_feeds


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
    assert applied_feeds() == {"output/%(name)s/%(time)s.jsonl": {
        **DEFAULT_FEED_OPTIONS, "uri_params": URI_PARAMS}}


def test_a_feed_of_the_user_replaces_the_default() -> None:
    mine = {"/tmp/mine.jsonl": {"format": "jsonl", "overwrite": True}}
    assert applied_feeds(FEEDS=mine) == {"/tmp/mine.jsonl": {**mine["/tmp/mine.jsonl"],
                                                             "uri_params": URI_PARAMS}}


@pytest.mark.parametrize("empty", ["", "  "])
def test_no_feed_at_all_is_refused(empty: str) -> None:
    """``NEWSCRAWL_FEED_URI=`` and no ``-o``/``-O``: the articles would go nowhere."""
    assert effective_feeds(Settings({"NEWSCRAWL_FEED_URI": empty})) == {}
    with pytest.raises(BadSetting, match="NEWSCRAWL_FEED_URI: is empty and no feed is named"):
        applied_feeds(NEWSCRAWL_FEED_URI=empty)


def test_the_side_files_sit_beside_the_first_local_feed() -> None:
    settings = Settings({"FEEDS": {"ftp://h/x.jsonl": {"format": "jsonlines"},
                                   "out/%(name)s/%(time)s.jsonl": {"format": "jsonl"},
                                   "b.csv": {"format": "csv"}},
                         "NEWSCRAWL_REJECTS_URI": "", "NEWSCRAWL_SUMMARY_URI": ""})
    files = OutputFiles.from_settings(settings, "kt")
    assert files.feeds == ("out/kt/%(time)s.jsonl", "b.csv")
    assert files.journal == ("out/kt/%(time)s.jsonl",)
    assert (files.rejects, files.summary) == ("out/kt/%(time)s.rejects.jsonl",
                                              "out/kt/%(time)s.summary.json")
    assert files.templates() == list(files.feeds)  # side files share the feed's lock


def test_a_side_file_setting_must_be_a_writable_local_path(tmp_path: Path) -> None:
    base = {"FEEDS": {str(tmp_path / "a.jsonl"): {"format": "jsonl"}},
            "NEWSCRAWL_REJECTS_URI": "", "NEWSCRAWL_SUMMARY_URI": ""}
    with pytest.raises(BadSetting, match="NEWSCRAWL_SUMMARY_URI: must be a local file path"):
        OutputFiles.from_settings(Settings({**base, "NEWSCRAWL_SUMMARY_URI": "s3://b/s.json"}),
                                  "kt")
    (tmp_path / "file").write_text("")
    with pytest.raises(BadSetting, match="NEWSCRAWL_REJECTS_URI: cannot write"):
        OutputFiles.from_settings(Settings({**base, "NEWSCRAWL_REJECTS_URI":
                                            str(tmp_path / "file" / "r.jsonl")}), "kt")

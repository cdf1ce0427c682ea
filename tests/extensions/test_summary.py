from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newscrawl.extensions.summary import build_summary, format_summary, rankings_followed


def test_build_summary_from_stats() -> None:
    stats = {
        "newscrawl/rejects/near_duplicate": 2,
        "newscrawl/rejects/missing_body": 1,
        "downloader/request_count": 12,
        "downloader/response_status_count/200": 10,
        "downloader/response_status_count/404": 1,
        "response_received_count": 11,
        "downloader/response_bytes": 4096,
        "elapsed_time_seconds": 2.0,
        "newscrawl/spider/articles": 11,
        "newscrawl/state/new": 6,
        "newscrawl/state/updated": 2,
        "newscrawl/state/unchanged": 1,
    }
    summary = build_summary(stats, articles=8, reason="finished")
    assert summary == {
        "articles_parsed": 11,
        "articles_written": 8,
        "new": 6,
        "updated": 2,
        "unchanged": 1,
        "dropped": {"missing_body": 1, "near_duplicate": 2},
        "dropped_total": 3,
        "requests": 12,
        "responses": 11,
        "responses_by_status": {"200": 10, "404": 1},
        "bytes": 4096,
        "elapsed_seconds": 2.0,
        "pages_per_second": 5.5,
        "rankings": "not followed: JavaScript rendering is off (-a js=1 follows them)",
        "finish_reason": "finished",
        "ok": None,
        "verdict": None,
    }
    text = format_summary(summary)
    assert "articles written   8 (new 6, updated 2; unchanged 1)" in text
    assert "near_duplicate 2" in text


def test_elapsed_from_start_time_when_not_yet_set() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    now = datetime(2026, 1, 1, 0, 0, 4, tzinfo=UTC)
    summary = build_summary({"start_time": start}, articles=0, reason="shutdown", now=now)
    assert summary["elapsed_seconds"] == 4.0
    assert summary["pages_per_second"] == 0.0


@pytest.mark.parametrize("stats, expected", [
    ({"newscrawl/js/ranking/daily": 10, "newscrawl/js/ranking/weekly": 10},
     "followed (daily 10, weekly 10)"),
    ({"newscrawl/js/unavailable": 1}, "NOT followed: Chromium is unavailable"),
    ({"newscrawl/js/errors": 2}, "NOT followed: the ranking page could not be rendered"),
    ({}, "not followed: JavaScript rendering is off"),
])
def test_the_summary_says_whether_the_rankings_were_followed(stats: dict[str, int],
                                                             expected: str) -> None:
    assert rankings_followed(stats).startswith(expected)
    summary = build_summary(stats, articles=0, reason="finished")
    assert f"rankings           {expected}" in format_summary(summary)


def test_articles_a_failed_feed_did_not_write_are_not_counted() -> None:
    summary = build_summary({"newscrawl/feed/unwritten": 3, "newscrawl/health/ok": False,
                             "newscrawl/health/reason": "the feed could not be written"},
                            articles=10, reason="feed_failed")
    assert summary["articles_written"] == 7
    assert "verdict            run FAILED: the feed could not be written" in \
        format_summary(summary)

from __future__ import annotations

from datetime import UTC, datetime

from newscrawl.extensions.summary import build_summary, format_summary


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
        "finish_reason": "finished",
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

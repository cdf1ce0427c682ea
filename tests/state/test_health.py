"""The run verdict, as a plain function on the stats."""

from __future__ import annotations

from typing import Any

import pytest

from newscrawl.extensions.health import judge

HEALTHY: dict[str, Any] = {
    "finish_reason": "finished", "response_received_count": 40, "item_scraped_count": 30,
    "item_dropped_count": 5, "newscrawl/spider/not_article": 2,
    "newscrawl/spider/links/latest": 30, "log_count/ERROR": 0,
}


def with_(**changes: Any) -> dict[str, Any]:
    stats = dict(HEALTHY)
    stats.update({k.replace("__", "/"): v for k, v in changes.items()})
    return stats


def test_a_healthy_run() -> None:
    verdict = judge(HEALTHY)
    assert verdict.ok and "30 article(s) written" in verdict.reason


@pytest.mark.parametrize("reason", ["max_articles", "closespider_timeout",
                                    "closespider_itemcount", "closespider_pagecount"])
def test_expected_stops_are_healthy(reason: str) -> None:
    assert judge(with_(finish_reason=reason)).ok


def test_an_interrupted_run_fails_and_says_how_to_resume() -> None:
    verdict = judge(with_(finish_reason="shutdown"))
    assert not verdict.ok and "resumes" in verdict.reason


@pytest.mark.parametrize("reason", ["cancelled", "closespider_errorcount",
                                    "closespider_timeout_no_item", None])
def test_other_close_reasons_fail(reason: str | None) -> None:
    verdict = judge(with_(finish_reason=reason))
    assert not verdict.ok and "the spider closed for" in verdict.reason


def test_no_article_parsed_fails() -> None:
    verdict = judge(with_(item_scraped_count=0, item_dropped_count=0,
                          newscrawl__spider__not_article=40))
    assert not verdict.ok and "only 0 of 40 article page(s)" in verdict.reason


def test_the_parsed_share_is_a_setting() -> None:
    stats = with_(item_scraped_count=10, item_dropped_count=0,
                  newscrawl__spider__not_article=15)
    assert not judge(stats).ok
    assert judge(stats, min_parsed_share=0.4).ok


def test_pages_without_article_links_fail() -> None:
    stats = with_(item_scraped_count=0, item_dropped_count=0, newscrawl__spider__not_article=0,
                  newscrawl__spider__links__latest=0)
    verdict = judge(stats)
    assert not verdict.ok and "no article link" in verdict.reason


def test_an_incremental_run_with_nothing_new_is_healthy() -> None:
    stats = with_(item_scraped_count=0, item_dropped_count=0, newscrawl__spider__not_article=0,
                  newscrawl__spider__links__latest=0, newscrawl__incremental__skipped=30)
    assert judge(stats).ok


def test_logged_errors_fail_when_asked() -> None:
    stats = with_(log_count__ERROR=2)
    verdict = judge(stats)
    assert not verdict.ok and "2 error(s) logged" in verdict.reason
    assert judge(stats, fail_on_error=False).ok


def test_articles_dropped_as_invalid_count_against_the_share() -> None:
    stats = with_(item_scraped_count=1, item_dropped_count=20,
                  newscrawl__health__dropped_invalid=19, newscrawl__spider__not_article=0)
    verdict = judge(stats)
    assert not verdict.ok and "only 2 of 21 article page(s)" in verdict.reason
    assert judge(with_(newscrawl__health__dropped_invalid=0, item_dropped_count=20)).ok


@pytest.mark.parametrize("failure, expected", [
    ({"newscrawl__feed__failed": 1, "newscrawl__feed__error": "out.jsonl.part: No space left"},
     "the feed could not be written (out.jsonl.part: No space left)"),
    ({"feedexport__failed_count__FTPFeedStorage": 1}, "1 feed(s) could not be stored"),
    ({"newscrawl__rejects__write_failed": 1}, "the rejects file could not be written"),
    ({"newscrawl__state__failed": 1}, "the state could not record what was written"),
])
def test_output_that_is_not_whole_fails_the_run_first(failure: dict[str, Any],
                                                      expected: str) -> None:
    """Whatever else the stats say (a finished run, no error counted), a feed, rejects file
    or state that failed fails the run, and says that the next run fetches the rest."""
    verdict = judge(with_(**failure))
    assert not verdict.ok and verdict.reason.startswith(expected)
    assert "the next run fetches it again" in verdict.reason

"""The run's verdict per worker: a worker whose only pages were robots.txt and a sitemap index
is healthy when the crawl as a whole found article links, and not when nobody did."""

from __future__ import annotations

from newscrawl.extensions.health import judge

#: A worker that joined as the frontier emptied: robots.txt and the sitemap index.
LATE_WORKER = {"finish_reason": "finished", "response_received_count": 2}


def test_a_late_worker_of_a_crawl_that_found_links_is_ok() -> None:
    verdict = judge({**LATE_WORKER, "newscrawl/cluster/links": 57})
    assert verdict.ok, verdict


def test_a_crawl_whose_pages_had_no_links_still_fails() -> None:
    verdict = judge({**LATE_WORKER, "newscrawl/cluster/links": 0})
    assert not verdict.ok
    assert "has the listing layout changed?" in verdict.reason

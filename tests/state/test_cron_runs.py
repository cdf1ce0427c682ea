"""Consecutive runs over the replica, as cron runs them.

* day 0 then day 1 (in process): the second run writes exactly the articles the ground truth
  shows as new or changed, within 1.2 × (new + changed + listing pages) requests, and a third
  run over the same day writes nothing;
* ``kill -9`` after a fixed number of lines, then a rerun (``scrapy crawl``, the process is
  the point): across the published files every story has exactly one line and every line is
  whole (random kill points: ``test_kill_loops.py``);
* a run while another is active is refused (``scrapy crawl``: exit 75, the pid named);
* a layout broken on purpose makes the run fail (in process).

Each test has its own state and output under ``tmp_path``. Day 0 and day 1 of the replica
are served on the same port (day 1 is started on the port day 0 had), so their URLs agree.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from newscrawl import demo
from newscrawl.extensions.health import judge_crawler
from newscrawl.urls import Site
from tests.support import ROOT, story

from .delivery import (
    account,
    crawl_command,
    crawl_in_process,
    lines_in_parts,
    published,
    read_lines,
    start_crawl,
)

ARTICLES = 150
#: Truth fields whose change makes an article "changed" (ranking and reachability are not
#: the article's content).
CONTENT = ["headline", "summary", "authors", "date_published", "date_modified", "category",
           "tags", "images", "credits", "body"]


def changed_or_new(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {i for i, t in after.items() if t["reachable_html"] and (
        i not in before or any(t[f] != before[i][f] for f in CONTENT))}


class Responses:
    """The URLs of the responses a crawl received (connected before it starts)."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, crawler: Crawler) -> None:
        crawler.signals.connect(self.received, signal=signals.response_received)

    def received(self, response: Response) -> None:
        self.urls.append(response.url)


@pytest.mark.slow
@pytest.mark.usefixtures("reactor_threads")
def test_day_0_then_day_1(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files: dict[str, Any] = {
        "NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite3"), "NEWSCRAWL_LOCK_PATH": "",
        "FEEDS": {str(out / "%(time)s.jsonl"): {"format": "jsonl-atomic"}}}
    with demo.replica(ARTICLES, day=0) as base_url:
        first = crawl_in_process(base_url, **files)
        truth0 = demo.truth(base_url, ARTICLES, day=0)
    assert judge_crawler(first).ok
    day0_ids = {str(line["article_id"]) for path in published(out) for line in read_lines(path)}
    assert day0_ids <= {i for i, t in truth0.items() if t["reachable_html"]}
    port = urlsplit(base_url).port
    assert port is not None
    responses = Responses()
    with demo.replica(ARTICLES, day=1, port=port) as day1_url:
        assert day1_url == base_url
        second = crawl_in_process(base_url, listen=responses, **files)
        truth1 = demo.truth(base_url, ARTICLES, day=1)
    assert judge_crawler(second).ok
    lines = [line for path in published(out) for line in read_lines(path)]
    counts = Counter(str(x["article_id"]) for x in lines)
    assert [i for i, n in counts.items()
            if n > 1 and not any(x["updated"] for x in lines if x["article_id"] == i)] == []
    day1 = [x for x in lines if x["article_id"] not in day0_ids or x["updated"]]
    expected = changed_or_new(truth0, truth1)
    # Stories, not ids: which copy of a republished story the dedupe keeps depends on order.
    assert Counter(story(truth1, x["article_id"]) for x in day1) == \
        Counter({story(truth1, i) for i in expected})
    assert all(x["version"] == 2 and x["updated"] for x in day1 if x["article_id"] in day0_ids)
    site = Site(base_url)
    listing_pages = [u for u in responses.urls if site.article_ref(u) is None]
    budget = 1.2 * (len(expected) + len(listing_pages))
    requests = second.stats.get_value("downloader/request_count")
    assert requests <= budget, (requests, budget, responses.urls)
    # A third run over the same day writes nothing.
    with demo.replica(ARTICLES, day=1, port=port):
        third = crawl_in_process(base_url, **files)
    assert judge_crawler(third).ok
    assert third.stats.get_value("item_scraped_count", 0) == 0
    assert sum(len(read_lines(path)) for path in published(out)) == len(lines)


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [[1], [30, 60], [100]])
def test_kill_9_then_rerun_writes_each_story_once(tmp_path: Path,
                                                  kill_after: list[int]) -> None:
    out = tmp_path / "out"
    feed = {"NEWSCRAWL_STATE_PATH": tmp_path / "state.sqlite3",
            "NEWSCRAWL_FEED_URI": out / "%(time)s.jsonl",
            "DOWNLOAD_DELAY": 0.01, "CONCURRENT_REQUESTS_PER_DOMAIN": 4}
    with demo.replica(ARTICLES) as base_url:
        for number, lines in enumerate(kill_after):
            process = start_crawl(crawl_command(base_url, **feed), tmp_path / f"{number}.log")
            while process.poll() is None and lines_in_parts(out) < lines:
                time.sleep(0.005)
            process.kill()
            assert process.wait() == -9, "the run ended before it was killed"
        final = subprocess.run(crawl_command(base_url, **feed), cwd=ROOT, capture_output=True,
                               text=True, timeout=300)
        truth = demo.truth(base_url, ARTICLES)
    assert final.returncode == 0, final.stderr[-3000:]
    assert not list(out.glob("*.part"))
    counted = account(truth, [out])  # every line parses
    assert counted.stories_twice == [], counted
    assert counted.missing == [] and counted.unknown == [], counted


@pytest.mark.slow
def test_a_concurrent_run_is_refused(tmp_path: Path) -> None:
    feed = {"NEWSCRAWL_STATE_PATH": tmp_path / "state.sqlite3",
            "NEWSCRAWL_FEED_URI": tmp_path / "out" / "%(time)s.jsonl",
            "DOWNLOAD_DELAY": 0.05, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    with demo.replica(ARTICLES) as base_url:
        first = start_crawl(crawl_command(base_url, **feed), tmp_path / "first.log")
        try:
            lock = tmp_path / "state.sqlite3.lock"
            while first.poll() is None and not (lock.exists() and lock.read_text()):
                time.sleep(0.05)
            second = subprocess.run(crawl_command(base_url, **feed), cwd=ROOT,
                                    capture_output=True, text=True, timeout=120)
        finally:
            first.kill()
            first.wait()
    assert second.returncode == 75
    last = second.stderr.strip().splitlines()[-1]
    assert f"pid {first.pid}" in last and "another run is active" in last
    assert "Traceback" not in second.stderr


class NoArticleMarkup(BaseHTTPRequestHandler):
    """The home page links to articles; article pages have lost their markup."""

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            body = b"User-agent: *\nDisallow:\n"
        elif self.path == "/ja/":
            links = "".join(f'<li><a href="/ja/report/article/{n}">記事{n}</a></li>'
                            for n in range(1000, 1010))
            body = (f'<html lang="ja"><body><section class="latest"><ul>{links}</ul>'
                    "</section></body></html>").encode()
        else:
            body = b"<html><body><div>Under maintenance</div></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def broken_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NoArticleMarkup)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/ja/"
    server.shutdown()
    server.server_close()


@pytest.mark.usefixtures("reactor_threads")
def test_a_broken_layout_fails_the_run(tmp_path: Path, broken_site: str) -> None:
    crawler = crawl_in_process(broken_site, NEWSCRAWL_STATE_PATH=str(tmp_path / "s.sqlite3"),
                               NEWSCRAWL_LOCK_PATH="",
                               FEEDS={str(tmp_path / "out.jsonl"): {"format": "jsonl"}})
    verdict = judge_crawler(crawler)
    assert not verdict.ok and "layout" in verdict.reason
    assert crawler.stats.get_value("newscrawl/health/ok") is False

"""End to end: workers (real ``scrapy crawl`` processes) sharing one crawl of the replica in a
real Redis, compared with one embedded run and with the replica's ground truth.

* 1, 2 and 3 workers write the very articles one embedded run writes (each story's original,
  no copy beside it), each once;
* the seed pages (the home page, the sitemap index) are requested once in total;
* a worker killed with ``kill -9`` while it holds its articles (the hold releases them when the
  worker is idle) or while it releases them: the others finish, nothing is lost or doubled;
* Redis lost mid-crawl: the worker stops cleanly, says why, and its output is whole.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from newscrawl.demo import crawl_command, read_jsonl, replica, truth
from newscrawl.distributed.demo import ClusterRun, crawl, last_line, redis_server, start_worker
from newscrawl.distributed.keys import CrawlKeys
from tests.support import story, text

pytestmark = pytest.mark.slow

ARTICLES = 150
#: Workers slowed down enough that a kill lands mid-crawl (the replica answers in ~1 ms).
SLOW = {"DOWNLOAD_DELAY": "0.05", "CONCURRENT_REQUESTS": "2",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}


def stories(articles: list[dict[str, Any]], facts: dict[str, dict[str, Any]]) -> set[str]:
    return {story(facts, str(a["article_id"])) for a in articles}


def requested(log: Path) -> Counter[str]:
    """Request targets in the replica's request log (``METHOD TARGET STATUS HOST``)."""
    return Counter(line.split()[1] for line in log.read_text().splitlines() if line.strip())


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The stories one embedded run (no Redis) writes: with the hold, one article each, its
    original (the ids are the stories)."""
    out = tmp_path_factory.mktemp("embedded") / "articles.jsonl"
    with replica(ARTICLES) as base_url:
        result = subprocess.run(crawl_command(base_url, out), capture_output=True, text=True,
                                timeout=600)
        facts = truth(base_url, ARTICLES)
    assert result.returncode == 0, result.stderr[-2000:]
    articles = read_jsonl(out)
    written = stories(articles, facts)
    assert written == {story(facts, i) for i, t in facts.items() if t["reachable_html"]}
    assert {str(a["article_id"]) for a in articles} == written
    return written


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_workers_write_what_one_run_writes_each_article_once(
        tmp_path: Path, embedded: set[str], workers: int) -> None:
    log = tmp_path / "requests.log"
    with redis_server(tmp_path) as server, \
            replica(ARTICLES, options=["--request-log", str(log)]) as base_url:
        run = crawl(base_url, tmp_path / "run", server.url, workers)
        left = sorted(text(k) for k in server_keys(server.url))
    assert run.returncodes == [0] * workers, run.verdicts()
    assert all(v.startswith("run ok") for v in run.verdicts()), run.verdicts()
    ids = Counter(str(a["article_id"]) for a in run.articles)
    assert [i for i, n in ids.items() if n > 1] == []
    # The very articles one process writes: each story's original, no copy beside it (the
    # workers release in one publication order, whoever met which article).
    assert sorted(set(ids) - embedded) == [], "a copy written beside its original"
    assert sorted(embedded - set(ids)) == [], "an original was not written"
    pages = requested(log)
    assert pages["/ja/"] == 1 and pages["/ja/wp-sitemap.xml"] == 1
    # One crawl: every worker joined it; the seeds came from one worker's start(), the
    # others never ran theirs. (How the pages split between workers depends on timing.)
    logs = [output.with_suffix(".log").read_text() for output in run.outputs]
    assert all("joined the crawl newscrawl:kangnamtimes:" in log for log in logs)
    assert sum("the crawl is seeded" in log for log in logs) == workers - 1
    assert [p for p, n in pages.items() if n > 1 and p != "/robots.txt"] == []
    assert pages["/robots.txt"] <= workers
    assert not [k for k in left if ":crawl" in k], "a finished crawl leaves its keys behind"


def server_keys(url: str) -> list[bytes | str]:
    import redis

    return list(redis.Redis.from_url(url).keys("*"))


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[bytes],
               what: str) -> None:
    """Poll *condition* while *process* runs (no fixed sleep decides the outcome)."""
    deadline = time.monotonic() + 300
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the worker ended before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def part_lines(output: Path) -> list[dict[str, Any]]:
    """The whole lines a killed worker left in its ``.part`` file."""
    part = output.with_name(output.name + ".part")
    if not part.exists():
        return []
    data = part.read_bytes()
    return read_jsonl_bytes(data[: data.rfind(b"\n") + 1])


def read_jsonl_bytes(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines() if line.strip()]


def worker_leases(url: str, base_url: str, pid: int) -> int:
    """Requests the worker of process *pid* has leased (in flight, or done with its articles
    still held), as Redis holds them."""
    import redis

    client = redis.Redis.from_url(url)
    keys = CrawlKeys.of("kangnamtimes", base_url)
    workers = [text(w) for w in client.smembers(keys.workers)]
    return sum(int(client.hlen(keys.leases(w))) for w in workers if f":{pid}:" in w)


@pytest.mark.parametrize("moment", ["holding", "releasing"])
def test_a_worker_killed_mid_crawl_loses_nothing(tmp_path: Path, embedded: set[str],
                                                 moment: str) -> None:
    outputs = [tmp_path / f"worker{n}.jsonl" for n in (1, 2, 3)]
    with redis_server(tmp_path) as server, replica(ARTICLES) as base_url:
        victim, *others = [start_worker(base_url, o, server.url, SLOW) for o in outputs]
        if moment == "holding":  # crawling: its articles are held, none written
            wait_until(lambda: worker_leases(server.url, base_url, victim.pid) >= 10, victim,
                       "it held 10 leases")
        else:  # releasing its articles at its first idle: some lines are written
            wait_until(lambda: len(part_lines(outputs[0])) >= 10, victim,
                       "10 lines were written")
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        codes = [p.wait(timeout=600) for p in others]
        facts = truth(base_url, ARTICLES)
    survivors = ClusterRun.read(outputs[1:], codes, 0.0)
    assert codes == [0, 0], survivors.verdicts()
    delivered = part_lines(outputs[0]) + survivors.articles
    ids = Counter(str(a["article_id"]) for a in delivered)
    assert [i for i, n in ids.items() if n > 1] == [], "an article written twice"
    assert stories(delivered, facts) == embedded, "an article lost"
    if moment == "holding":  # its held articles' pages: crawled again by the others
        logs = "".join(o.with_suffix(".log").read_text() for o in outputs[1:])
        assert "leased by worker(s) that stopped beating" in logs


def test_redis_lost_mid_crawl_stops_the_worker_cleanly(tmp_path: Path) -> None:
    output = tmp_path / "worker.jsonl"
    with replica(ARTICLES) as base_url, redis_server(tmp_path) as server:
        worker = start_worker(base_url, output, server.url, SLOW)
        wait_until(lambda: worker_leases(server.url, base_url, worker.pid) >= 5, worker,
                   "it held 5 leases")
        server.stop()
        _, _stderr = worker.communicate(timeout=300)
    log = output.with_suffix(".log").read_text()
    assert worker.returncode == 1
    assert "Traceback" not in log
    assert "lost Redis at unix://" in log
    assert last_line(output.with_suffix(".log")) == \
        "run FAILED: the spider closed for 'redis_lost'"
    assert not output.with_name(output.name + ".part").exists()
    assert read_jsonl(output) == []  # published, and nothing in it: every article was held
    stats = json.loads(output.with_suffix(".run.json").read_text())["stats"]
    # Not written, so not recorded: the next run crawls them again (their leases stay).
    assert stats.get("newscrawl/hold/undelivered", 0) == stats.get("newscrawl/hold/held", 0)


#: Truth fields whose change makes an article "changed" (as in tests/state/test_cron_runs.py).
CONTENT = ["headline", "summary", "authors", "date_published", "date_modified", "category",
           "tags", "images", "credits", "body"]


def test_day_0_then_day_1_with_two_workers_writes_the_new_and_changed(tmp_path: Path) -> None:
    with redis_server(tmp_path) as server:
        with replica(ARTICLES, day=0) as base_url:  # the server binds port 0 itself
            day0 = crawl(base_url, tmp_path / "day0", server.url, 2)
            truth0 = truth(base_url, ARTICLES, day=0)
        port = int(urlsplit(base_url).port or 0)  # day 1 on day 0's port: the same URLs
        with replica(ARTICLES, day=1, port=port) as base_url:
            day1 = crawl(base_url, tmp_path / "day1", server.url, 2)
            truth1 = truth(base_url, ARTICLES, day=1)
    assert day0.returncodes == day1.returncodes == [0, 0], day0.verdicts() + day1.verdicts()
    day0_ids = {str(a["article_id"]) for a in day0.articles}
    expected = {i for i, t in truth1.items() if t["reachable_html"] and (
        i not in truth0 or any(t[f] != truth0[i][f] for f in CONTENT))}
    assert expected, "the replica's day 1 changes nothing: the test would prove nothing"
    ids = Counter(str(a["article_id"]) for a in day1.articles)
    assert [i for i, n in ids.items() if n > 1] == []
    # Nothing unchanged since day 0 is written again: neither an article nor a copy day 0
    # dropped (a copy whose original the other worker wrote was once written on day 1, as
    # "published before" an original recorded without its date).
    assert sorted(set(ids) - expected) == []
    # Of the new and changed, the stories' originals alone, as one process writes them: a new
    # copy is rejected whichever worker met it and whenever it released.
    originals = {story(truth1, i) for i in expected}
    assert sorted(set(ids) - originals) == [], "a copy written beside its original"
    assert sorted(originals - set(ids)) == [], "an original was not written"
    assert all(a["version"] == 2 and a["updated"] for a in day1.articles
               if str(a["article_id"]) in day0_ids)

"""Deploy the project to a real Scrapyd with ``scrapyd-deploy`` and schedule the crawl there.

Scrapyd 1.6 (pinned) runs on a free port in a temporary directory; ``scrapyd-deploy`` builds the
egg from a copy of the project (it writes ``setup.py`` and ``build/`` beside ``scrapy.cfg``), and
two jobs scheduled through ``schedule.json`` with spider arguments and settings share one crawl
in Redis. What the jobs write is compared with the replica's ground truth; the verdict is read
where a Scrapyd user reads it: the last line of each job's log.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from newscrawl.demo import read_jsonl, replica, truth
from newscrawl.distributed.demo import last_line, redis_server
from tests.support import ROOT, story

pytestmark = pytest.mark.slow

ARTICLES = 100
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(url: str, data: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=30) as response:
        reply: dict[str, Any] = json.loads(response.read())
        return reply


def start_scrapyd(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Scrapyd on a free port, and the port. Scrapyd 1.6 cannot bind port 0 (its ``app.py``
    needs a non-zero ``http_port``) and ``scrapyd-deploy`` cannot reach its unix socket, so
    the port is picked here; if another process takes it first, Scrapyd exits with
    "Address already in use" and another port is tried."""
    directory.mkdir()
    for _ in range(5):
        port = free_port()
        server = _start_scrapyd_on(directory, port)
        if server is not None:
            return server, port
    raise RuntimeError("no free port for Scrapyd in 5 tries")


def _start_scrapyd_on(directory: Path, port: int) -> subprocess.Popen[bytes] | None:
    """Scrapyd answering on ``port``, or None when the port was taken."""
    (directory / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = eggs\nlogs_dir = logs\nitems_dir =\ndbs_dir = dbs\n"
        "poll_interval = 0.2\nmax_proc = 2\n")
    server = subprocess.Popen([str(BIN / "scrapyd")], cwd=directory,
                              stdout=(directory / "scrapyd.out").open("wb"),
                              stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            if call(f"http://127.0.0.1:{port}/daemonstatus.json")["status"] == "ok":
                return server
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            output = (directory / "scrapyd.out").read_text()
            if "Address already in use" in output:
                return None
            raise RuntimeError(output[-2000:])
        time.sleep(0.1)


def project_copy(directory: Path, scrapyd_url: str) -> Path:
    """The checkout as a user has it, with scrapy.cfg pointing at the test's Scrapyd."""
    shutil.copytree(ROOT / "newscrawl", directory / "newscrawl",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", directory)
    config = (ROOT / "scrapy.cfg").read_text().replace("http://localhost:6800/", scrapyd_url)
    (directory / "scrapy.cfg").write_text(config)
    return directory


def test_deploy_and_two_scheduled_jobs_write_the_dataset(tmp_path: Path) -> None:
    scrapyd, port = start_scrapyd(tmp_path / "scrapyd")
    api = f"http://127.0.0.1:{port}/"
    try:
        project = project_copy(tmp_path / "project", api)
        deploy = subprocess.run([str(BIN / "scrapyd-deploy")], cwd=project,
                                capture_output=True, text=True, timeout=300)
        assert deploy.returncode == 0, deploy.stderr[-2000:]
        assert '"status": "ok"' in deploy.stdout and '"spiders": 1' in deploy.stdout
        assert call(f"{api}listspiders.json?project=newscrawl")["spiders"] == ["kangnamtimes"]

        data = tmp_path / "data"
        with redis_server(tmp_path) as redis, replica(ARTICLES) as base_url:
            settings = {
                "NEWSCRAWL_REDIS_URL": redis.url,
                "NEWSCRAWL_FEED_URI": f"{data}/%(name)s/%(time)s.jsonl",
                "NEWSCRAWL_LOCK_PATH": f"{data}/state/run.lock",
                "NEWSCRAWL_STATE_PATH": f"{data}/state/unused.sqlite3",
                "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
                "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
            }
            form = [("project", "newscrawl"), ("spider", "kangnamtimes"),
                    ("base_url", base_url),
                    *[("setting", f"{name}={value}") for name, value in settings.items()]]
            jobs = [call(f"{api}schedule.json", form)["jobid"] for _ in range(2)]
            finished = wait_for_jobs(api, jobs)
            facts = truth(base_url, ARTICLES)
    finally:
        scrapyd.terminate()
        scrapyd.wait(timeout=30)

    logs = [tmp_path / "scrapyd" / "logs" / "newscrawl" / "kangnamtimes" / f"{job}.log"
            for job in jobs]
    verdicts = [last_line(log) for log in logs]
    assert all(v.startswith("run ok: finished") for v in verdicts), (finished, verdicts)
    feeds = sorted(p for p in (data / "kangnamtimes").glob("*.jsonl")
                   if not p.name.endswith((".rejects.jsonl",)))
    assert len(feeds) == 2, feeds  # one per job: <time>.<host>-w0.jsonl and -w1
    articles = [line for feed in feeds for line in read_jsonl(feed)]
    ids = Counter(str(a["article_id"]) for a in articles)
    assert [i for i, n in ids.items() if n > 1] == []
    reachable = {story(facts, i) for i, t in facts.items() if t["reachable_html"]}
    assert {story(facts, i) for i in ids} == reachable


def wait_for_jobs(api: str, jobs: list[str]) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 600
    while True:
        listing = call(f"{api}listjobs.json?project=newscrawl")
        done = [job for job in listing["finished"] if job["id"] in jobs]
        if len(done) == len(jobs):
            return done
        if time.monotonic() > deadline:
            raise AssertionError(f"jobs not finished: {listing}")
        time.sleep(0.2)

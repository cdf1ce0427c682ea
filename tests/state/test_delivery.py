"""Nothing lost: an article is recorded as delivered only once its line is in a file no later
run overwrites or discards (issue 11, "What was seen" 1, 3, 4, 6).

* the disk fills up in the middle of a run (an ``ENOSPC`` injected into the feed's writes):
  the run fails, its published file holds only whole lines, the state holds exactly the
  articles of those lines, and the next run delivers the rest;
* ``kill -9``, then a run with the same ``-O`` path: the killed run's lines are published
  under their own name, never replaced by the new run's file;
* a state file of random bytes or a truncated SQLite file, a run with no feed, a feed that
  is no local file: ``scrapy crawl`` / ``scrapy runspider`` stop at start with one line and
  exit status 2, and write nothing.

The longer loops (kill -9 at random points, a real full disk) are in ``test_kill_loops.py``.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl import demo
from newscrawl.extensions.health import judge_crawler
from newscrawl.state import SQLiteState
from tests.support import ROOT

from .delivery import (
    account,
    crawl_command,
    crawl_in_process,
    lines_in_parts,
    read_lines,
    start_crawl,
)

ARTICLES = 60
SPIDER_FILE = ROOT / "newscrawl" / "spiders" / "kangnamtimes.py"


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
    with demo.replica(ARTICLES) as base_url:
        yield base_url, demo.truth(base_url, ARTICLES)


def delivered_ids(state_path: Path) -> set[str]:
    state = SQLiteState(str(state_path))
    state.open()
    try:
        return {s.article_id for s in state if not s.duplicate_of}
    finally:
        state.close()


class FullDisk:
    """``os.write`` for the feed's ``.part`` file: *room* bytes more, then ``ENOSPC`` (after a
    short write, as a filling disk does). Other files are written normally."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.real = os.write

    def __call__(self, fd: int, data: Any) -> int:
        if not os.readlink(f"/proc/self/fd/{fd}").endswith("out.jsonl.part"):
            return self.real(fd, data)
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = self.real(fd, bytes(data[: self.room]))
        self.room -= written
        return written


@pytest.mark.usefixtures("reactor_threads")
def test_a_full_disk_fails_the_run_and_records_only_whole_lines(
        tmp_path: Path, site: tuple[str, dict[str, dict[str, Any]]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    base_url, truth = site
    out = tmp_path / "out.jsonl"
    files: dict[str, Any] = {"NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite3"),
             "NEWSCRAWL_LOCK_PATH": "",
             "FEEDS": {str(out): {"format": "jsonlines", "overwrite": True}}}
    monkeypatch.setattr(os, "write", FullDisk(60_000))
    failed = crawl_in_process(base_url, **files)
    monkeypatch.undo()

    verdict = judge_crawler(failed)
    assert not verdict.ok and "the feed could not be written" in verdict.reason
    assert failed.stats.get_value("finish_reason") == "feed_failed"
    raw = out.read_bytes()
    assert raw.endswith(b"\n") and 0 < len(raw) <= 60_000
    lines = read_lines(out)  # every line whole
    assert delivered_ids(tmp_path / "state.sqlite3") == {str(x["article_id"]) for x in lines}

    second = crawl_in_process(base_url, **files)
    assert judge_crawler(second).ok
    counted = account(truth, [tmp_path])
    assert counted.ok, counted
    assert len(lines) < counted.lines  # the second run wrote what the first could not


def test_kill_9_then_the_same_o_path_loses_nothing(
        tmp_path: Path, site: tuple[str, dict[str, dict[str, Any]]]) -> None:
    base_url, truth = site
    out = tmp_path / "out.jsonl"
    command = crawl_command(base_url, "-O", str(out), CONCURRENT_REQUESTS_PER_DOMAIN=2,
                            NEWSCRAWL_STATE_PATH=tmp_path / "state.sqlite3")
    killed = start_crawl(command, tmp_path / "killed.log")
    while killed.poll() is None and lines_in_parts(tmp_path) < 15:
        time.sleep(0.01)
    killed.kill()
    assert killed.wait() == -9, "the run ended before it could be killed"
    killed_lines = lines_in_parts(tmp_path)
    rerun = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-3000:]

    recovered = list(tmp_path.glob("out.*.recovered.jsonl"))
    assert len(recovered) == 1 and len(read_lines(recovered[0])) >= killed_lines - 1
    assert not list(tmp_path.glob("*.part"))
    counted = account(truth, [tmp_path])
    assert counted.ok, counted


def refused(command: list[str]) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    errors = [line for line in done.stderr.splitlines()
              if "ERROR" in line or line.startswith("bad setting")]
    return done, errors


def sqlite_cut_short(path: Path) -> None:
    """A state-shaped SQLite file of a few hundred rows, cut in half (a copy interrupted)."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE articles (article_id TEXT PRIMARY KEY, content_hash TEXT)")
        db.executemany("INSERT INTO articles VALUES (?, ?)",
                       [(str(n), "h" * 32) for n in range(2000)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("command, case", [
    ("crawl", "random bytes"), ("runspider", "cut short"),
])
def test_a_state_file_that_is_not_a_state_stops_the_run(tmp_path: Path, command: str,
                                                        case: str) -> None:
    state = tmp_path / "state.sqlite3"
    if case == "random bytes":
        state.write_bytes(os.urandom(50_000))
    else:
        sqlite_cut_short(state)
    before = state.read_bytes()
    start = ["crawl", "kangnamtimes"] if command == "crawl" else ["runspider", str(SPIDER_FILE)]
    done, errors = refused([sys.executable, "-m", "scrapy", *start,
                            "-a", "base_url=http://127.0.0.1:9/ja/",
                            "-O", str(tmp_path / "out.jsonl"), "-s", "NEWSCRAWL_LOCK_PATH=",
                            "-s", f"NEWSCRAWL_STATE_PATH={state}", "-s", "LOG_LEVEL=WARNING"])
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert len(errors) == 1 and "bad setting NEWSCRAWL_STATE_PATH: " in errors[0], errors
    assert str(state) in errors[0]
    assert state.read_bytes() == before  # left as it was, for the user to look at
    assert not (tmp_path / "out.jsonl").exists() and not (tmp_path / "out.jsonl.part").exists()
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(state).execute("PRAGMA quick_check").fetchall()


@pytest.mark.parametrize("command, options, expected", [
    ("crawl", ["-s", "NEWSCRAWL_FEED_URI="], "bad setting NEWSCRAWL_FEED_URI: is empty"),
    ("runspider", ["-o", "ftp://127.0.0.1:1/x.jsonl"],
     "bad setting FEEDS: the crawl state records what a local JSON Lines feed holds"),
])
def test_a_run_whose_articles_would_go_nowhere_is_refused(tmp_path: Path, command: str,
                                                         options: list[str],
                                                         expected: str) -> None:
    start = ["crawl", "kangnamtimes"] if command == "crawl" else ["runspider", str(SPIDER_FILE)]
    state = tmp_path / "state.sqlite3"
    done, errors = refused([sys.executable, "-m", "scrapy", *start,
                            "-a", "base_url=http://127.0.0.1:9/ja/", *options,
                            "-s", "NEWSCRAWL_LOCK_PATH=",
                            "-s", f"NEWSCRAWL_STATE_PATH={state}", "-s", "LOG_LEVEL=WARNING"])
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert len(errors) == 1 and expected in errors[0], errors
    assert not state.exists()  # nothing recorded

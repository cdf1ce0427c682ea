"""One run at a time over a state and its outputs: a live holder refuses the next run, a dead
one's lock is taken over; the locks are keyed on the state file and the outputs, not on the
site's host name."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.extensions.lock import EXIT_LOCKED, RunLock, RunLocked, acquire, release
from tests.support import built_crawler

PROJECT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
from pathlib import Path
from newscrawl.extensions.lock import acquire
acquire(Path(sys.argv[1]), spider="test")
print("locked", flush=True)
time.sleep(60)
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "run.lock")],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "locked"
    yield process
    process.kill()
    process.wait()


def test_a_second_run_is_refused_naming_the_pid(tmp_path: Path,
                                                holder: subprocess.Popen[str]) -> None:
    with pytest.raises(RunLocked) as refused:
        acquire(tmp_path / "run.lock")
    assert refused.value.holder is not None and refused.value.holder.pid == holder.pid
    assert f"pid {holder.pid}" in str(refused.value)


def test_the_lock_of_a_killed_run_is_taken_over(tmp_path: Path,
                                                holder: subprocess.Popen[str]) -> None:
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    held = acquire(tmp_path / "run.lock")
    assert held.previous is not None and held.previous.pid == holder.pid
    assert json.loads((tmp_path / "run.lock").read_text())["pid"] == os.getpid()
    release(held)
    assert (tmp_path / "run.lock").read_text() == ""


@pytest.mark.parametrize("content", ['{"pid": 999999999, "host": "elsewhere"}', "garbage", ""])
def test_a_stale_lock_file_is_taken_over(tmp_path: Path, content: str) -> None:
    """Whatever a lock file holds, it is no lock once no process holds its flock."""
    (tmp_path / "run.lock").write_text(content)
    held = acquire(tmp_path / "run.lock")
    assert json.loads((tmp_path / "run.lock").read_text())["pid"] == os.getpid()
    release(held)
    assert (tmp_path / "run.lock").read_text() == ""
    release(acquire(tmp_path / "run.lock"))  # released: free again


def lock_of(tmp_path: Path, base_url: str, out: str, state: str) -> RunLock:
    crawler = built_crawler(tmp_path, NEWSCRAWL_BASE_URL=base_url,
                            NEWSCRAWL_STATE_PATH=str(tmp_path / state),
                            NEWSCRAWL_LOCK_PATH=str(tmp_path / "%(name)s-%(site)s.lock"),
                            FEEDS={str(tmp_path / out): {"format": "jsonl"}})
    lock = crawler.get_extension(RunLock)
    assert lock is not None and lock.held
    return lock


def test_two_host_names_of_one_site_cannot_share_a_state(tmp_path: Path) -> None:
    """``127.0.0.1`` and ``localhost`` of one replica, one state file: the second is refused,
    though their per-site NEWSCRAWL_LOCK_PATH files differ."""
    first = lock_of(tmp_path, "http://127.0.0.1:8765/ja/", "a.jsonl", "shared.sqlite3")
    with pytest.raises(RunLocked, match=f"pid {os.getpid()}"):
        lock_of(tmp_path, "http://localhost:8765/ja/", "b.jsonl", "shared.sqlite3")
    first.engine_stopped()
    lock_of(tmp_path, "http://localhost:8765/ja/", "b.jsonl", "shared.sqlite3").engine_stopped()


def test_two_runs_cannot_write_one_output(tmp_path: Path) -> None:
    first = lock_of(tmp_path, "http://127.0.0.1:8765/ja/", "out.jsonl", "one.sqlite3")
    with pytest.raises(RunLocked):
        lock_of(tmp_path, "http://127.0.0.1:8766/ja/", "out.jsonl", "two.sqlite3")
    other = lock_of(tmp_path, "http://127.0.0.1:8766/ja/", "other.jsonl", "two.sqlite3")
    first.engine_stopped()
    other.engine_stopped()


def test_a_refused_run_holds_none_of_the_locks(tmp_path: Path) -> None:
    """A run refused on its output lock releases the state lock it had taken."""
    first = lock_of(tmp_path, "http://127.0.0.1:8765/ja/", "out.jsonl", "one.sqlite3")
    with pytest.raises(RunLocked, match=r"\.out\.jsonl\.lock"):
        lock_of(tmp_path, "http://127.0.0.1:8766/ja/", "out.jsonl", "two.sqlite3")
    lock_of(tmp_path, "http://127.0.0.1:8766/ja/", "x.jsonl", "two.sqlite3").engine_stopped()
    first.engine_stopped()


def test_scrapy_crawl_is_refused_with_one_line(tmp_path: Path,
                                               holder: subprocess.Popen[str]) -> None:
    """The project's ``crawl`` command: exit 75, the pid in the last line, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "kangnamtimes",
         "-a", "base_url=http://127.0.0.1:9/ja/",
         "-s", f"NEWSCRAWL_LOCK_PATH={tmp_path / 'run.lock'}",
         "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}",
         "-O", str(tmp_path / "out.jsonl"), "-s", "LOG_LEVEL=INFO",
         # only this project's run-level extensions that matter here
         "-s", 'EXTENSIONS={"newscrawl.extensions.lock.RunLock": 1}'],
        cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == EXIT_LOCKED, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert f"pid {holder.pid}" in last and "another run is active" in last


def test_an_output_nothing_can_be_written_beside_is_one_bad_setting(tmp_path: Path) -> None:
    from newscrawl.config import BadSetting

    (tmp_path / "a-file").write_text("")
    with pytest.raises(BadSetting, match="bad setting FEEDS: cannot write beside"):
        built_crawler(tmp_path, FEEDS={str(tmp_path / "a-file" / "out.jsonl"): {
            "format": "jsonl"}})

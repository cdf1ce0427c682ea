"""One run at a time: a live holder refuses the next run, a dead one's lock is taken over."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.extensions.lock import EXIT_LOCKED, RunLocked, acquire, release

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


def test_the_lock_of_a_killed_run_is_taken_over(tmp_path: Path, holder: subprocess.Popen[str],
                                                caplog: pytest.LogCaptureFixture) -> None:
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with caplog.at_level(logging.INFO):
        fd = acquire(tmp_path / "run.lock")
    assert f"left by pid {holder.pid} (dead)" in caplog.text
    assert json.loads((tmp_path / "run.lock").read_text())["pid"] == os.getpid()
    release(fd)
    assert (tmp_path / "run.lock").read_text() == ""


@pytest.mark.parametrize("content", ['{"pid": 999999999, "host": "elsewhere"}', "garbage", ""])
def test_a_stale_lock_file_is_taken_over(tmp_path: Path, content: str) -> None:
    (tmp_path / "run.lock").write_text(content)
    fd = acquire(tmp_path / "run.lock")
    release(fd)
    release(acquire(tmp_path / "run.lock"))


def test_scrapy_crawl_is_refused_with_one_line(tmp_path: Path,
                                               holder: subprocess.Popen[str]) -> None:
    """The project's ``crawl`` command: exit 75, the pid in the last line, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "kangnamtimes",
         "-a", "base_url=http://127.0.0.1:9/ja/",
         "-s", f"NEWSCRAWL_LOCK_PATH={tmp_path / 'run.lock'}",
         "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}",
         "-s", "LOG_LEVEL=INFO",
         # only this project's run-level extensions that matter here
         "-s", 'EXTENSIONS={"newscrawl.extensions.lock.RunLock": 1}'],
        cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == EXIT_LOCKED, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert f"pid {holder.pid}" in last and "another run is active" in last

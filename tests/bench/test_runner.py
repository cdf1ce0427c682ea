"""Peak memory and exit status of a child process, as the runner reads them when it reaps it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.bench.runner import CrawlRun, reap, rss_bytes

MIB = 2**20


def test_rss_bytes_reads_kib_on_linux_and_bytes_on_macos() -> None:
    assert rss_bytes(158_000, "linux") == 158_000 * 1024
    assert rss_bytes(158_000, "darwin") == 158_000


def test_reap_gives_the_exit_code_and_a_peak_at_least_what_the_child_held() -> None:
    # the child touches 64 MiB (a bytearray is zero-filled, so its pages are resident)
    code = "import sys; block = bytearray(64 * 2**20); sys.exit(3)"
    process = subprocess.Popen([sys.executable, "-c", code])
    returncode, peak = reap(process)
    assert returncode == 3
    assert process.returncode == 3  # Popen sees the status the runner reaped
    assert peak >= 64 * MIB


def test_reap_reports_a_killed_child_as_its_signal() -> None:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(20)"])
    returncode, _ = reap(process, timeout=0.2)
    assert returncode == -9


def test_a_run_without_stats_is_an_error_naming_its_log(tmp_path: Path) -> None:
    log = tmp_path / "001-crawl.log"
    log.write_text("line one\nTraceback: ImportError: no module\n")
    run = CrawlRun(1.0, 1, {}, 0, log)
    with pytest.raises(RuntimeError, match=r"exit 1, no stats.*ImportError: no module"):
        run.check()
    ok = CrawlRun(9.0, 1, {"elapsed_time_seconds": 4.0, "response_received_count": 12}, 0, log)
    assert ok.check() is ok and ok.elapsed == 4.0 and ok.pages == 12

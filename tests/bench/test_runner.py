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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM is Linux's")
def test_a_crawl_started_by_a_large_process_reports_its_own_peak() -> None:
    """Linux keeps ``ru_maxrss`` across ``exec``: a child of a large benchmark process would
    report the parent's resident set (the bench's figures were once 187 MiB for a 118 MiB
    crawl). The child's own count must not include it."""
    ballast = bytearray(300 * 1024 * 1024)  # touched: resident in this process
    for offset in range(0, len(ballast), 4096):
        ballast[offset] = 1
    child = subprocess.run([sys.executable, "-c", "from newscrawl.bench.stats import "
                            "peak_rss_bytes; print(peak_rss_bytes())"],
                           capture_output=True, text=True, check=True)
    assert int(child.stdout) < 150 * 1024 * 1024  # a bare interpreter: some 20-60 MiB
    del ballast

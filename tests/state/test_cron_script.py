"""The documented cron command, ``scripts/cron-crawl.sh``: it follows the rankings whenever
Chromium is there, and says plainly in its summary when it could not."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl import demo
from tests.support import ROOT

ARTICLES = 40


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with demo.replica(ARTICLES) as url:
        yield url


def cron_run(tmp_path: Path, base_url: str, *options: str) -> dict[str, object]:
    """One run of the cron script with its files under *tmp_path*; returns the summary."""
    (tmp_path / "logs").mkdir()
    done = subprocess.run(
        [str(ROOT / "scripts" / "cron-crawl.sh"), "-a", f"base_url={base_url}",
         "-s", f"NEWSCRAWL_FEED_URI={tmp_path / 'out' / '%(time)s.jsonl'}",
         "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 'state.sqlite3'}",
         "-s", f"NEWSCRAWL_LOCK_PATH={tmp_path / 'run.lock'}",
         "-s", f"LOG_FILE={tmp_path / 'logs' / 'run.log'}",
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", *options],
        capture_output=True, text=True, timeout=300, env={"HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    (summary,) = (tmp_path / "out").glob("*.summary.json")
    return dict(json.loads(summary.read_text(encoding="utf-8")))


def test_without_chromium_the_summary_says_the_rankings_were_not_followed(
        tmp_path: Path, base_url: str) -> None:
    summary = cron_run(tmp_path, base_url,
                       "-s", f"NEWSCRAWL_CHROMIUM_PATH={tmp_path / 'no-chromium'}")
    assert str(summary["rankings"]).startswith("NOT followed: Chromium is unavailable")
    assert summary["ok"] is True and int(str(summary["articles_written"])) > 0


@pytest.mark.browser
@pytest.mark.slow
def test_with_chromium_the_cron_run_follows_the_rankings(tmp_path: Path,
                                                         base_url: str) -> None:
    summary = cron_run(tmp_path, base_url)
    assert str(summary["rankings"]).startswith("followed (daily ")

"""A bad setting stops the crawl at start: one line, exit status 2, no traceback, no output.

The same through ``scrapy crawl`` and ``scrapy runspider``: components check their own settings
while Scrapy builds them (``newscrawl.config``), so no way of starting a crawl skips the check.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

SPIDER_FILE = ROOT / "newscrawl" / "spiders" / "kangnamtimes.py"
COMMANDS = {"crawl": ["crawl", "kangnamtimes"], "runspider": ["runspider", str(SPIDER_FILE)]}


# ``make test`` checks every bad setting through ``scrapy crawl``; ``make test-all`` (CI) through
# ``scrapy runspider`` too (one Scrapy start-up each: about half a second apiece).
@pytest.mark.parametrize("command", ["crawl", pytest.param("runspider", marks=pytest.mark.slow)])
@pytest.mark.parametrize("args, expected", [
    (["-s", "NEWSCRAWL_JS_ON_MISSING=maybe"], "NEWSCRAWL_JS_ON_MISSING: must be one of"),
    (["-a", "max_articles=-3"], "NEWSCRAWL_MAX_ARTICLES: must be at least 0"),
    (["-s", "NEWSCRAWL_DEDUPE_WINDOW_DAYS=-1"], "NEWSCRAWL_DEDUPE_WINDOW_DAYS: must be at least 0"),
    (["-s", "NEWSCRAWL_STATE_ENABLED=abc"], "NEWSCRAWL_STATE_ENABLED: must be true or false"),
    (["-s", "NEWSCRAWL_STATE_BACKEND="], "NEWSCRAWL_STATE_BACKEND: must be one of"),
    (["-a", "base_url=http://[::1/ja/"], "NEWSCRAWL_BASE_URL: must be an http(s) URL"),
    (["-a", "base_url=http://127.0.0.1:99999/ja/"], "NEWSCRAWL_BASE_URL: must be an http(s) URL"),
    (["-s", "NEWSCRAWL_FOLLOW_BLOCKS="], "NEWSCRAWL_FOLLOW_BLOCKS: must name at least one"),
    (["-s", "NEWSCRAWL_DEDUPE_THRESHOLD=0"], "NEWSCRAWL_DEDUPE_THRESHOLD: must be more than 0"),
    (["-s", "NEWSCRAWL_NFKC_ENABLED=-1"], "NEWSCRAWL_NFKC_ENABLED: must be true or false"),
    (["-s", "LOG_FILE=/proc/newscrawl/crawl.log"], "LOG_FILE: cannot write"),
])
def test_bad_setting_gives_one_line(tmp_path: Path, command: str, args: list[str],
                                    expected: str) -> None:
    # a base URL nobody serves: the run must stop before any request anyway
    line = [sys.executable, "-m", "scrapy", *COMMANDS[command],
            "-a", "base_url=http://127.0.0.1:9/ja/", "-O", str(tmp_path / "out.jsonl"),
            "-s", f"NEWSCRAWL_STATE_PATH={tmp_path / 's.sqlite3'}",
            "-s", f"NEWSCRAWL_LOCK_PATH={tmp_path / 'lock'}", "-s", "LOG_LEVEL=WARNING", *args]
    done = subprocess.run(line, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines()
              if "ERROR" in line or line.startswith("bad setting")]
    assert len(errors) == 1 and "bad setting " in errors[0] and expected in errors[0], errors
    assert not (tmp_path / "out.jsonl").exists()

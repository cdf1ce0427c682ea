"""End to end: ``scrapy crawl`` of the replica writes the original of every story it reaches,
whatever order it meets them in, and two runs write the same articles.

The ground truth is the replica generator's (``near_duplicate_of``, ``reachable_html``). One
crawl fetches one page at a time without the hold: in that order some copies are met before
their originals (the test checks it does happen), which is what the hold must undo.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from newscrawl import demo
from tests.support import ROOT

pytestmark = pytest.mark.slow

ARTICLES = 300
ONE_AT_A_TIME = {"CONCURRENT_REQUESTS": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
NO_HOLD = {"NEWSCRAWL_DEDUPE_HOLD_ENABLED": "False"}


class Run:
    """One finished ``scrapy crawl``: its exit status, log and stats (from its ``.run.json``,
    the file the run monitor writes)."""

    def __init__(self, done: subprocess.CompletedProcess[str], output: Path) -> None:
        self.returncode = done.returncode
        self.log = done.stderr
        run_json = output.with_name(output.stem + ".run.json")
        self.stats = json.loads(run_json.read_text(encoding="utf-8"))["stats"]

    def stat(self, name: str) -> int:
        return int(self.stats.get(name) or 0)


class Crawls:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.runs: dict[str, tuple[Run, set[str]]] = {}

    def crawl(self, name: str, base_url: str, **settings: str) -> set[str]:
        output = self.root / name.replace(" ", "-") / "out.jsonl"
        output.parent.mkdir(parents=True)
        done = subprocess.run(demo.crawl_command(base_url, output, extra=settings), cwd=ROOT,
                              capture_output=True, text=True, timeout=600)
        run = Run(done, output)
        assert run.returncode == 0, run.log[-3000:]
        written = {str(line["article_id"]) for line in demo.read_jsonl(output)}
        self.runs[name] = (run, written)
        return written


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Crawls, dict[str, Any]]:
    crawls = Crawls(tmp_path_factory.mktemp("replica"))
    with demo.replica(ARTICLES) as base_url:
        crawls.crawl("no hold", base_url, **ONE_AT_A_TIME, **NO_HOLD)
        crawls.crawl("one at a time", base_url, **ONE_AT_A_TIME)
        crawls.crawl("sixteen at a time", base_url)
        truth = demo.truth(base_url, ARTICLES)
    return crawls, truth


def originals_and_copies(truth: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Reachable originals; reachable copies whose original is reachable too."""
    reachable = {i for i, t in truth.items() if t["reachable_html"]}
    originals = {i for i in reachable if not truth[i]["near_duplicate_of"]}
    copies = {i for i in reachable - originals if truth[i]["near_duplicate_of"] in reachable}
    return originals, copies


def test_the_crawl_meets_some_copies_before_their_originals(
        crawls: tuple[Crawls, dict[str, Any]]) -> None:
    found, truth = crawls
    run, written = found.runs["no hold"]
    originals, copies = originals_and_copies(truth)
    assert copies, "the replica republishes no reachable story"
    assert written & copies, "no copy met first: the other tests prove nothing"
    assert originals <= written  # without the hold the originals are written too
    assert run.stat("newscrawl/dedupe/original_after_copy") == len(written & copies)


@pytest.mark.parametrize("name", ["one at a time", "sixteen at a time"])
def test_the_written_articles_are_the_reachable_originals(
        crawls: tuple[Crawls, dict[str, Any]], name: str) -> None:
    found, truth = crawls
    run, written = found.runs[name]
    originals, copies = originals_and_copies(truth)
    assert originals <= written, f"originals not written: {sorted(originals - written)}"
    assert not written & copies, f"copies written: {sorted(written & copies)}"
    # A copy whose original is not reachable may stand for its story (none at this size).
    assert written - originals <= {i for i in truth if truth[i]["near_duplicate_of"]} - copies
    assert run.stat("newscrawl/hold/held") == run.stat("newscrawl/hold/released")
    assert run.stat("newscrawl/dedupe/original_after_copy") == 0


def test_two_runs_write_the_same_articles(crawls: tuple[Crawls, dict[str, Any]]) -> None:
    found, _ = crawls
    assert found.runs["one at a time"][1] == found.runs["sixteen at a time"][1]

"""Nothing lost under ``kill -9`` at random moments, and on a disk that is really full.

Each loop runs ``scrapy crawl`` over the replica several times on one state, killing each run
at a moment chosen by a seeded random generator: after a random number of lines in its
``.part`` file, or a random time after its start (start-up, recovery, the crawl, or the
publication at the end); mostly with ``SIGKILL``, sometimes with ``SIGTERM`` (Scrapy's
graceful stop, then ``SIGKILL`` if it has not ended within seconds). Then a normal run.
Across the published files (never ``.part``), every story the replica's ground truth can
reach must have exactly one line, and every reachable article must be in a published line or
a rejects line. Outputs: one ``-O`` path for every run, a new ``-O`` path for every run (the
cron form ``-O out-$(date +%F-%H).jsonl``), the default time-stamped feed, and a mix; and
``workers``: one ``-O`` path with pages parsed in a worker process
(``NEWSCRAWL_PARSE_PROCESSES=1``), where no worker may outlive the crawl that started it.

``python -m tests.state.test_kill_loops`` prints the figures of a longer loop for the README.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newscrawl import demo
from newscrawl.pages.workers import CLOSE_SECONDS
from newscrawl.urls import Site
from tests.support import ROOT

from .delivery import Account, account, crawl_command, lines_in_parts, start_crawl

pytestmark = pytest.mark.slow

ARTICLES = 150
#: Slow enough that a run lasts a few seconds, so that kills land everywhere in it.
PACE = {"DOWNLOAD_DELAY": 0.04, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}


@dataclass
class Loop:
    runs: int = 0
    kills: int = 0
    """Runs stopped by a signal (``SIGKILL``, or ``SIGTERM``)."""
    terms: int = 0
    """Of those, runs sent ``SIGTERM`` first."""
    span: float = 3.0
    """Seconds after its start within which a run is killed at a random time: shortened to
    the length of the last run that ended by itself (an incremental run with little left to
    do lasts about a second), so that kills keep landing inside runs."""
    account: Account | None = None


def outputs(tmp_path: Path, scenario: str, run: int) -> tuple[list[str], dict[str, Any]]:
    """The output options (and settings) of one run of a scenario."""
    out = tmp_path / "out"
    kind = scenario if scenario != "mixed" else ("fixed", "changing", "default")[run % 3]
    if kind == "fixed":
        return ["-O", str(out / "out.jsonl")], {}
    if kind == "workers":
        return ["-O", str(out / "out.jsonl")], {"NEWSCRAWL_PARSE_PROCESSES": 1}
    if kind == "changing":
        return ["-O", str(out / f"out-{run}.jsonl")], {}
    return [], {"NEWSCRAWL_FEED_URI": str(out / "%(name)s" / "%(time)s.jsonl")}


def kill_at_random(process: subprocess.Popen[bytes], rng: random.Random, out: Path,
                   loop: Loop) -> None:
    """Kill *process* at a random moment (counted in *loop* unless it ended first)."""
    started = time.monotonic()
    if rng.random() < 0.5:
        deadline = started + rng.uniform(0.05, loop.span)
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
    else:
        threshold = rng.randint(1, 25)
        while process.poll() is None and lines_in_parts(out) < threshold:
            time.sleep(0.005)
    if process.poll() is not None:
        loop.span = max(0.1, min(loop.span, 0.9 * (time.monotonic() - started)))
        return
    loop.kills += 1
    if rng.random() < 0.2:
        loop.terms += 1
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=rng.uniform(0.0, 5.0))
            return
        except subprocess.TimeoutExpired:
            pass
    process.send_signal(signal.SIGKILL)
    process.wait()


def parse_workers(base_url: str) -> list[int]:
    """Process ids of the parse workers started for the replica at *base_url* (a worker's
    command line names the site: ``python -m newscrawl.pages.workers BASE HOSTS…``)."""
    site = Site(base_url).base_url.encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # not a process, or it has just ended
            continue
        if b"newscrawl.pages.workers" in command and site in command:
            found.append(int(entry.name))
    return found


def no_workers_left(base_url: str) -> list[int]:
    """The parse workers still alive once their crawls are gone, after giving them
    :data:`~newscrawl.pages.workers.CLOSE_SECONDS` and a margin to notice (each leaves when
    its input pipe closes)."""
    deadline = time.monotonic() + CLOSE_SECONDS + 5
    while (left := parse_workers(base_url)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def kill_loop(tmp_path: Path, base_url: str, truth: dict[str, dict[str, Any]],
              scenario: str, seed: int, kills: int) -> Loop:
    rng = random.Random(f"{scenario}:{seed}")
    loop = Loop()
    state = {"NEWSCRAWL_STATE_PATH": tmp_path / "state.sqlite3", **PACE}
    (tmp_path / "out").mkdir(exist_ok=True)
    while loop.kills < kills and loop.runs < 4 * kills:
        options, settings = outputs(tmp_path, scenario, loop.runs)
        process = start_crawl(crawl_command(base_url, *options, **state, **settings),
                              tmp_path / f"run{loop.runs}.log")
        loop.runs += 1
        kill_at_random(process, rng, tmp_path / "out", loop)
    options, settings = outputs(tmp_path, scenario, loop.runs)
    final = subprocess.run(crawl_command(base_url, *options, **state, **settings), cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    loop.runs += 1
    assert final.returncode == 0, final.stderr[-3000:]
    assert "Traceback" not in final.stderr
    assert not list((tmp_path / "out").rglob("*.part")), "a .part was left unpublished"
    loop.account = account(truth, [tmp_path / "out"])
    assert no_workers_left(base_url) == [], "a parse worker outlived its crawl"
    return loop


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
    with demo.replica(ARTICLES) as base_url:
        yield base_url, demo.truth(base_url, ARTICLES)


@pytest.mark.parametrize("scenario", ["fixed", "changing", "default", "mixed", "workers"])
def test_kill_9_loop_loses_nothing_and_doubles_nothing(
        tmp_path: Path, site: tuple[str, dict[str, dict[str, Any]]], scenario: str) -> None:
    base_url, truth = site
    loop = kill_loop(tmp_path, base_url, truth, scenario, seed=11, kills=5)
    assert loop.kills == 5, "the runs ended before they could be killed"
    counted = loop.account
    assert counted is not None
    assert counted.stories_twice == [] and counted.missing == [] and counted.unknown == []


def can_mount_tmpfs(path: Path) -> bool:
    if os.geteuid() != 0:
        return False
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(path)],
                          capture_output=True)
    return done.returncode == 0


def test_a_really_full_disk_then_space_freed(tmp_path: Path,
                                             site: tuple[str, dict[str, dict[str, Any]]]) -> None:
    """The output on a 200 KB tmpfs (root only; ``test_delivery.py`` injects the same error
    without privileges): the run fails, then with the space freed the next run delivers the
    rest, and the first run's lines are not delivered twice."""
    base_url, truth = site
    tiny = tmp_path / "tiny"
    if not can_mount_tmpfs(tiny):
        pytest.skip("mounting a tmpfs needs root (the injected ENOSPC test covers the rest)")
    try:
        state = {"NEWSCRAWL_STATE_PATH": tmp_path / "state.sqlite3"}
        first = subprocess.run(crawl_command(base_url, "-O", str(tiny / "out.jsonl"), **state),
                               cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert first.returncode == 1, first.stderr[-3000:]
        last = first.stderr.strip().splitlines()[-1]
        assert "run FAILED" in last and "could not be written" in last, last
        assert "Traceback" not in first.stderr
        kept = tmp_path / "out"
        kept.mkdir()
        for path in tiny.iterdir():  # free the space: move what was published
            if not path.name.startswith("."):
                shutil.move(path, kept / path.name)
    finally:
        subprocess.run(["umount", str(tiny)], check=False)
    second = subprocess.run(crawl_command(base_url, "-O", str(kept / "rest.jsonl"), **state),
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    counted = account(truth, [kept])
    assert counted.ok, counted


def main() -> None:
    """Figures for the README: ``python -m tests.state.test_kill_loops [KILLS [SCENARIO…]]``
    runs a longer loop per scenario (``fixed``, ``changing``, ``default``, ``mixed``,
    ``workers``; add
    ``:SEED`` for another random sequence) and prints a table (a loop's directory is kept,
    and named, when a story was doubled or lost)."""
    import tempfile

    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    scenarios = sys.argv[2:] or ["fixed", "changing", "default", "mixed"]
    with demo.replica(ARTICLES) as base_url:
        truth = demo.truth(base_url, ARTICLES)
        reachable = sum(t["reachable_html"] for t in truth.values())
        print(f"replica: {ARTICLES} articles, {reachable} reachable without JavaScript")
        print("| outputs | runs | stopped (of which SIGTERM first) | lines published | "
              "stories twice | missing |")
        print("|---|---|---|---|---|---|")
        for scenario_seed in scenarios:
            scenario, _, seed = scenario_seed.partition(":")
            directory = Path(tempfile.mkdtemp(prefix=f"kill-loop-{scenario}-"))
            loop = kill_loop(directory, base_url, truth, scenario, seed=int(seed or 1),
                             kills=kills)
            counted = loop.account
            assert counted is not None
            print(f"| {scenario} | {loop.runs} | {loop.kills} ({loop.terms}) | "
                  f"{counted.lines} | {len(counted.stories_twice)} | "
                  f"{len(counted.missing)} |", flush=True)
            if counted.ok:
                shutil.rmtree(directory)
            else:
                print(f"kept {directory}: {counted}", flush=True)


if __name__ == "__main__":
    main()

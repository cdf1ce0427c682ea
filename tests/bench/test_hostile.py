"""The hostile-pages section's helpers: reading /proc figures, the worst page, its figures, and
the per-article path on small pages (no page is timed or measured here)."""

from __future__ import annotations

import json

import pytest

from newscrawl.bench import hostile
from newscrawl.bench.sections.hostile import (
    BUDGET_BYTES,
    MIB,
    article_path,
    figures,
    per_page,
    worst,
)
from newscrawl.procstatus import status_kib

STATUS = "Name:\tpython\nVmPeak:\t  900 kB\nVmHWM:\t  4096 kB\nVmRSS:\t  2048 kB\nThreads:\t1\n"


def result(page: str, seconds: float, extra_mib: float, outcome: str = "written") -> dict:
    return {"page": page, "bytes": 100, "seconds": seconds, "extra_bytes": int(extra_mib * MIB),
            "outcome": outcome, "peak_reset": True}


RUNS = [
    [result("small", 0.5, 10), result("big", 1.0, 150), result("links", 0.9, 120)],
    [result("small", 2.0, 10), result("big", 1.1, 140), result("links", 0.8, 130)],
    [result("small", 0.4, 10), result("big", 1.2, 160), result("links", 1.0, 110)],
]


def test_status_figures_are_read_by_name() -> None:
    assert status_kib(STATUS, "VmRSS") == 2048
    assert status_kib(STATUS, "VmHWM") == 4096
    assert status_kib(STATUS, "VmSwap") is None


def test_the_worst_page_is_the_highest_median_and_each_run_gives_its_maximum() -> None:
    slow = worst(RUNS, "seconds")
    # one slow run of "small" (2.0 s: the machine, not the page) does not name it the worst
    assert slow.page == "big" and slow.median == pytest.approx(1.1)
    assert slow.per_run == pytest.approx([1.0, 2.0, 1.2])
    big = worst(RUNS, "extra_bytes")
    assert big.page == "big" and big.per_run == [150 * MIB, 140 * MIB, 160 * MIB]


def test_figures_compare_the_worst_memory_with_the_budget() -> None:
    time_figure, memory_figure = figures(RUNS)
    assert time_figure.values == pytest.approx([1.0, 2.0, 1.2])
    assert "big" in time_figure.note and "written" in time_figure.note
    assert memory_figure.values == pytest.approx([150, 140, 160])
    assert memory_figure.met is True and memory_figure.target == f"≤ {BUDGET_BYTES // MIB}"
    over = [[result("flood", 1.0, 250)]] * 3
    assert figures(over)[1].met is False


def test_per_page_lines_keep_every_run() -> None:
    lines = {line["page"]: line for line in per_page(RUNS)}
    assert set(lines) == {"small", "big", "links"}
    assert lines["small"]["seconds"] == [0.5, 2.0, 0.4]
    assert lines["big"]["extra_mib"] == [150.0, 140.0, 160.0]
    json.dumps(per_page(RUNS))  # goes into the JSON report as it is


def test_the_path_writes_an_article_and_names_the_reject_of_others() -> None:
    assert article_path(hostile.URL, hostile.canonical_elsewhere("700001").encode()) == "written"
    empty = hostile.page(hostile.entry_content(""))
    assert article_path(hostile.URL, empty.encode()) == "missing_body"
    only_a_credit = hostile.page(hostile.entry_content("<p>出典:AFP通信</p>"))
    assert article_path(hostile.URL, only_a_credit.encode()) == "empty_body"


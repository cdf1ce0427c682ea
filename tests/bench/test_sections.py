"""The pure helpers of the sections: memory ratios and growth, body comparisons, hot functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.bench.profiling import Entry, Key, hot_functions
from newscrawl.bench.runner import CrawlRun
from newscrawl.bench.sections.extraction import covers, normalize_lines, share
from newscrawl.bench.sections.memory import growth_by_site, projection, ratio_figures
from newscrawl.bench.sections.throughput import exits

MIB = 2**20


def crawl(peak_mib: float, returncode: int = 0) -> CrawlRun:
    return CrawlRun(10.0, returncode, {"elapsed_time_seconds": 5.0}, int(peak_mib * MIB),
                    Path("run.log"))


def test_projection_extends_the_line_through_two_peaks() -> None:
    # 100 MiB at 500 articles, 130 at 2,000: 0.02 MiB per article over a base of 90 MiB,
    # so 130 MiB at 2,000 and 490 at 20,000
    ratio, base, slope = projection(500, 100.0, 2000, 130.0)
    assert base == pytest.approx(90.0)
    assert slope == pytest.approx(0.02)
    assert ratio == pytest.approx(490 / 130)


def test_memory_ratio_is_measured_at_the_target_sizes() -> None:
    samples = {2000: [crawl(100), crawl(110), crawl(120)],
               20000: [crawl(120), crawl(121), crawl(180)]}
    [figure] = ratio_figures(samples, (2000, 20000, 100000))
    assert figure.figure == "peak 20,000 / peak 2,000"
    assert figure.values == pytest.approx([1.2, 1.1, 1.5])
    assert figure.target == "≤ 1.3" and figure.met is True


def test_memory_ratio_is_projected_from_smaller_sizes() -> None:
    samples = {500: [crawl(100)] * 3, 2000: [crawl(130)] * 3}
    measured, projected = ratio_figures(samples, (500, 2000))
    assert measured.figure == "peak 2,000 / peak 500" and measured.met is None
    assert measured.values == pytest.approx([1.3] * 3)
    assert projected.figure == "projected 20,000 / 2,000"
    assert projected.values == pytest.approx([490 / 130])
    assert projected.met is False


def test_memory_ratio_needs_both_sizes() -> None:
    assert ratio_figures({500: [crawl(100)]}, (500, 2000)) == []


def test_growth_by_site_counts_a_site_missing_from_a_top_list_as_zero() -> None:
    small = [{"where": "/v/lib/python3.11/site-packages/scrapy/dupefilters.py:70", "bytes": 1000},
             {"where": "/v/lib/python3.11/site-packages/lxml/x.py:1", "bytes": 500}]
    large = [{"where": "/v/lib/python3.11/site-packages/scrapy/dupefilters.py:70", "bytes": 9000},
             {"where": "/v/lib/python3.11/site-packages/twisted/y.py:2", "bytes": 3000}]
    assert growth_by_site(small, large) == [(8000, "scrapy/dupefilters.py:70"),
                                            (3000, "twisted/y.py:2"),
                                            (-500, "lxml/x.py:1")]


def test_body_comparisons() -> None:
    truth = "一行目の本文。\n二行目の本文。"
    assert normalize_lines("  一行目の本文。 \n\n二行目の本文。\n") == truth
    # extra lines (a summary, a credit) are allowed around and between, order is not
    assert covers("要約\n一行目の本文。\n出典:通信社\n二行目の本文。", truth)
    assert not covers("二行目の本文。\n一行目の本文。", truth)
    assert not covers(None, truth)
    assert share(lambda found, wanted: found == wanted, [truth, None, "x"], [truth] * 3) == 1 / 3


def test_exits_notes_only_non_zero_codes() -> None:
    assert exits([crawl(1), crawl(1)]) == ""
    assert exits([crawl(1), crawl(1, returncode=2)]) == "; non-zero exits: [2]"


def test_hot_functions_leave_out_entry_points_and_keep_groups_apart() -> None:
    root = "/srv/repo"
    scrapy_file = "/v/lib/python3.11/site-packages/scrapy/core/engine.py"
    raw: dict[Key, Entry] = {
        (f"{scrapy_file}", 1, "crawl"): (1, 1, 0.1, 100.0, {}),  # holds the whole run
        (f"{root}/newscrawl/pages/article.py", 10, "parse_article"): (5, 5, 2.0, 40.0, {}),
        (f"{root}/newscrawl/text.py", 20, "clean_body"): (5, 5, 9.0, 10.0, {}),
        (f"{scrapy_file}", 200, "_next_request"): (9, 9, 1.0, 30.0, {}),
        ("~", 0, "<built-in method select>"): (3, 3, 50.0, 50.0, {}),
    }
    table = hot_functions(raw, top=1, root=Path(root))
    assert [r["function"] for r in table["newscrawl"]] == [
        "newscrawl/pages/article.py:10(parse_article)"]
    assert [r["function"] for r in table["scrapy"]] == ["scrapy/core/engine.py:200(_next_request)"]
    assert [r["function"] for r in table["self time, any code"]] == [
        "~:0(<built-in method select>)"]

"""The table's numbers: median, min and max of the runs, their formatting and the report keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.bench.context import interleaved
from newscrawl.bench.figures import Figure, error_figure, fmt, ratios, shorten, table_lines


@pytest.mark.parametrize(("value", "text"), [
    (None, "-"),
    (12345.6, "12,346"),
    (250.4, "250"),
    (42.26, "42.3"),
    (1.2345, "1.23"),
    (7.256, "7.26"),
    (0.0123456, "0.0123"),
    (-3.5, "-3.50"),
])
def test_fmt_keeps_about_three_significant_digits(value: float | None, text: str) -> None:
    assert fmt(value) == text


def test_a_figure_reports_median_min_and_max_of_its_runs() -> None:
    figure = Figure("1 throughput", "crawl pages/s", [80.0, 95.0, 70.0, 120.0], "/s")
    data = figure.as_dict()
    assert (data["median"], data["min"], data["max"]) == (87.5, 70.0, 120.0)
    assert data["values"] == [80.0, 95.0, 70.0, 120.0]
    assert {"section", "figure", "unit", "target", "met", "note", "text"} <= data.keys()


def test_a_figure_without_values_has_no_median_in_the_report() -> None:
    data = Figure("5 javascript", "js on / off", text="not available").as_dict()
    assert "median" not in data and "min" not in data and "max" not in data


def test_the_table_aligns_columns_and_shows_text_verdict_and_note() -> None:
    lines = table_lines([
        Figure("1 throughput (500 art.)", "crawl / fetch-only pages/s", [0.72, 0.64, 0.91], "x",
               "≥ 0.85", False, "pairs"),
        Figure("7 start-up", "error", text="error", note="RuntimeError: boom"),
    ])
    header, rule, first, second = lines
    assert header.split()[:6] == ["section", "figure", "median", "min", "max", "unit"]
    assert first.split("  ")[0] == "1 throughput (500 art.)"
    for cell in ("0.72", "0.64", "0.91", "≥ 0.85", "MISSED", "pairs"):
        assert cell in first
    assert "error" in second and second.endswith("RuntimeError: boom")
    # every cell starts in the same column on every line
    column = header.index("median")
    assert first[column:].startswith("0.72 ") and second[column:].startswith("error")
    assert rule.startswith("-" * len("1 throughput (500 art.)") + "  ")


def test_error_figure_keeps_the_type_and_one_line_of_the_message() -> None:
    figure = error_figure("3 memory (2,000 art.)", RuntimeError("crawl failed\n  exit 1"))
    assert figure.text == "error"
    assert figure.note == "RuntimeError: crawl failed exit 1"


def test_ratios_pair_run_i_with_run_i() -> None:
    assert ratios([2.0, 9.0], [4.0, 3.0]) == [0.5, 3.0]
    with pytest.raises(ValueError):
        ratios([1.0, 2.0], [1.0])


def test_interleaved_alternates_which_side_runs_first() -> None:
    calls: list[str] = []

    def side(name: str) -> str:
        calls.append(name)
        return name

    firsts, seconds = interleaved(3, lambda: side("a"), lambda: side("b"))
    assert calls == ["a", "b", "b", "a", "a", "b"]
    assert firsts == ["a", "a", "a"] and seconds == ["b", "b", "b"]


def test_shorten_drops_the_installation_prefix() -> None:
    where = "/x/.venv/lib/python3.11/site-packages/scrapy/core/engine.py:120"
    assert shorten(where) == "scrapy/core/engine.py:120"
    assert shorten("/srv/repo/newscrawl/text.py:9", root=Path("/srv/repo")) == "newscrawl/text.py:9"
    assert shorten("<string>:1") == "<string>:1"

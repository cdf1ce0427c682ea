"""The run history file and the per-run counters."""

from __future__ import annotations

import json
from pathlib import Path

from newscrawl.monitoring.history import RunHistory, history_path_for_state, run_record
from newscrawl.monitoring.observe import TOP_PAGES, RunObserver, body_length_quantiles
from newscrawl.monitoring.verdict import Finding


def record(n: int) -> dict[str, object]:
    return {"run": f"2026-01-{n:02d}T00:00:00+00:00", "articles": n}


def test_history_sits_beside_the_state() -> None:
    assert history_path_for_state(Path("state/kangnamtimes-127.0.0.1-8765.sqlite3")) == Path(
        "state/kangnamtimes-127.0.0.1-8765.runs.jsonl")


def test_each_run_is_one_line_read_back_oldest_first(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "state" / "x.runs.jsonl")
    assert history.read() == []
    for n in (1, 2, 3):
        history.append(record(n))
    lines = history.path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["articles"] for line in lines] == [1, 2, 3]
    assert [r["articles"] for r in history.read(limit=2)] == [2, 3]


def test_unreadable_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "x.runs.jsonl")
    history.append(record(1))
    with history.path.open("a", encoding="utf-8") as out:
        out.write('{"run": "2026-01-02T00:00:00+00:00", "artic')  # a cut-off line
        out.write("\n[1, 2]\n")
    history.append(record(3))
    assert [r["articles"] for r in history.read()] == [1, 3]
    assert history.bad_lines == 2


def test_the_file_is_trimmed_to_the_newest_runs(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "x.runs.jsonl", keep=3)
    for n in range(1, 8):  # trimmed when it passes 2 × 3 lines
        history.append(record(n))
    kept = [r["articles"] for r in history.read()]
    assert kept == [5, 6, 7]
    assert list(tmp_path.iterdir()) == [history.path]  # no temporary file left


def test_run_record_keeps_key_figures_and_what_was_not_ok() -> None:
    stats = {"finish_reason": "finished", "item_scraped_count": 40,
             "newscrawl/fields/body/markup": 38, "newscrawl/fields/body/generic": 2,
             "newscrawl/monitor/coverage/body": 40, "elapsed_time_seconds": 12.5,
             "response_received_count": 50, "newscrawl/rejects/near_duplicate": 2}
    findings = [Finding("layout/body", False, "fail", "layout changed: …"),
                Finding("schema", True, "warn", "all valid")]
    line = run_record(stats, findings, spider="kangnamtimes", feed="out.jsonl", ok=False,
                      verdict="run FAILED")
    assert line["articles"] == 40 and line["pages_per_second"] == 4.0
    assert line["provenance"] == {"body": {"markup": 38, "generic": 2}}
    assert line["coverage"] == {"body": 40}
    assert line["dropped"] == {"near_duplicate": 2}
    assert line["layout_changed"] is True
    assert [f["name"] for f in line["findings"]] == ["layout/body"]
    json.dumps(line)  # a history line is plain JSON


def test_observer_counts_coverage_categories_hours_and_dates() -> None:
    observer = RunObserver()
    observer.article({"headline": "見出し", "authors": [], "comment_count": 0,
                      "updated": False, "category": "経済", "body": "あ" * 600,
                      "date_published": "2025-12-12T23:30:00+09:00"})
    observer.article({"headline": "", "authors": ["山田"], "comment_count": None,
                      "updated": True, "category": "経済", "body": "い" * 100,
                      "date_published": "2025-12-11T08:00:00+09:00"})
    observer.article({"headline": "x", "category": None, "body": "う",
                      "date_published": "2025-12-12T15:00:00+00:00"})  # 00:00 JST next day
    saved = observer.to_dict()
    assert saved["coverage"] == {"authors": 1, "body": 3, "category": 2, "comment_count": 1,
                                 "date_published": 3, "headline": 2, "updated": 2}
    assert saved["categories"] == {"経済": 2, "(none)": 1}
    assert saved["hours"]["23"] == 1 and saved["hours"]["8"] == 1 and saved["hours"]["15"] == 1
    assert saved["date_published_min"] == "2025-12-11T08:00:00+09:00"
    assert saved["date_published_max"] == "2025-12-12T15:00:00+00:00"
    assert saved["body_lengths"] == {"0": 2, "500": 1}
    assert saved["updated"] == 1


def test_observer_keeps_only_the_slowest_and_largest_pages() -> None:
    observer = RunObserver()
    for n in range(50):
        observer.response(f"http://127.0.0.1/ja/a/{n}", 200, seconds=n / 10, size=1000 - n,
                          since_start=n)
    saved = observer.to_dict()
    assert [p["url"][-2:] for p in saved["slowest"]][:3] == ["49", "48", "47"]
    assert len(saved["slowest"]) == TOP_PAGES == len(saved["largest"])
    assert saved["largest"][0] == {"url": "http://127.0.0.1/ja/a/0", "status": 200,
                                   "seconds": 0.0, "bytes": 1000}
    assert sum(saved["timeline"]) == 50


def test_a_long_run_keeps_a_bounded_timeline() -> None:
    observer = RunObserver()
    for second in range(0, 20_000, 7):
        observer.response("u", 200, 0.1, 10, since_start=second)
    saved = observer.to_dict()
    assert len(saved["timeline"]) <= 600
    assert sum(saved["timeline"]) == len(range(0, 20_000, 7))
    assert saved["timeline_seconds"] > 1


def test_body_length_quantiles() -> None:
    lengths = {"0": 10, "250": 80, "500": 10}
    q = body_length_quantiles(lengths, 250)
    assert q == {"p10": 125.0, "median": 375.0, "p90": 375.0}

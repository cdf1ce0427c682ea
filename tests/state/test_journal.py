"""The output files as the journal: patterns, tail repair, publishing, reconciling, rotation."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from newscrawl.exporters import append_marker
from newscrawl.state import ArticleState, MemoryState, content_hash
from newscrawl.state.journal import (
    cut_partial_tail,
    feed_pattern,
    journal_patterns,
    reconcile,
    recover_parts,
    rotate,
)
from newscrawl.urls import Site

SITE = Site("http://127.0.0.1:8765/ja/")


def line(article_id: str, body: str = "本文", version: int = 1, host: str = "127.0.0.1:8765",
         ) -> dict[str, object]:
    return {"url": f"http://{host}/ja/report/article/{article_id}", "article_id": article_id,
            "headline": f"見出し{article_id}", "body": body, "version": version,
            "crawled_at": "2026-11-25T09:00:00+00:00"}


def write_lines(path: Path, records: list[dict[str, object]], tail: bytes = b"") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as file:
        for record in records:
            file.write((json.dumps(record, ensure_ascii=False) + "\n").encode())
        file.write(tail)


def test_feed_pattern_matches_run_files_not_side_files(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    pattern = feed_pattern("output/%(name)s/%(time)s.jsonl", "kangnamtimes")
    assert pattern is not None and pattern.glob == "output/kangnamtimes/*.jsonl"
    run = Path("output/kangnamtimes/2026-11-25T09-45-00+00-00.jsonl")
    recovered = run.with_name(run.stem + ".2026-11-25T10-00-00+00-00.recovered.jsonl")
    for path in [run, recovered, run.with_name(run.stem + ".rejects.jsonl"),
                 run.with_name(run.name + ".part"),
                 Path("output/other/2026-11-25T09-45-00+00-00.jsonl")]:
        write_lines(path, [])
    assert sorted(pattern.files()) == sorted([run, recovered])
    assert feed_pattern("s3://bucket/%(name)s.jsonl", "x") is None


def test_a_fixed_name_pattern_matches_the_files_kept_aside(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    pattern = feed_pattern(str(out), "n")
    assert pattern is not None and not pattern.unique
    kept = [out, tmp_path / "out.2026-11-25T09-00-00+00-00.jsonl",
            tmp_path / "out.2026-11-25T09-00-00+00-00-2.recovered.jsonl"]
    others = [tmp_path / "out.rejects.jsonl", tmp_path / "output.jsonl",
              tmp_path / "out.2026-11-25T09-00-00+00-00.rejects.jsonl",
              tmp_path / "out.summary.json"]
    for path in kept + others:
        write_lines(path, [])
    assert sorted(pattern.files()) == sorted(kept)


def test_journal_patterns_keep_local_json_lines_feeds() -> None:
    feeds = {"out/%(name)s.jsonl": {"format": "jsonl-atomic"}, "out/a.csv": {"format": "csv"},
             "file:///tmp/b.jl": {"format": "jl"}}
    assert [p.glob for p in journal_patterns(feeds, "n")] == ["out/n*.jsonl", "/tmp/b*.jl"]


def test_cut_partial_tail(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    write_lines(path, [line("1"), line("2")], tail=b'{"url": "half')
    whole = path.stat().st_size - len(b'{"url": "half')
    assert cut_partial_tail(path) == len(b'{"url": "half')
    assert path.stat().st_size == whole
    assert cut_partial_tail(path) == 0
    only_partial = tmp_path / "b.jsonl"
    only_partial.write_bytes(b'{"url"')
    assert cut_partial_tail(only_partial) == 6 and only_partial.read_bytes() == b""


TOKEN = "2026-11-25T10-00-00+00-00"


def test_a_killed_runs_time_stamped_part_is_published_under_its_own_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    part = Path("output/n/2026-11-25T09-00-00+00-00.jsonl.part")
    write_lines(part, [line("1")], tail=b'{"cut')
    (pattern,) = journal_patterns({"output/%(name)s/%(time)s.jsonl": {"format": "jsonlines"}},
                                  "n")
    assert pattern.files() == []  # a .part file is not output yet
    assert recover_parts([pattern], TOKEN) == [Path("output/n/2026-11-25T09-00-00+00-00.jsonl")]
    assert not part.exists()
    (published,) = pattern.files()
    assert [json.loads(x)["article_id"] for x in published.read_text().splitlines()] == ["1"]


def test_a_killed_runs_part_never_joins_or_replaces_a_fixed_name(tmp_path: Path) -> None:
    """``-O out.jsonl`` killed: its part is published beside the earlier out.jsonl, with the
    rejects part under the paired name; a summary cut short is dropped."""
    out = tmp_path / "out.jsonl"
    write_lines(out, [line("1")])
    write_lines(tmp_path / "out.jsonl.part", [line("2"), line("3")], tail=b'{"half')
    write_lines(tmp_path / "out.rejects.jsonl.part", [{"reason": "http_404", "url": "u"}])
    (tmp_path / "out.summary.json.part").write_text('{"articles_wr')
    patterns = [feed_pattern(str(out), "n"),
                feed_pattern(str(tmp_path / "out.rejects.jsonl"), "n", role="rejects",
                             suffix=".rejects.jsonl"),
                feed_pattern(str(tmp_path / "out.summary.json"), "n", role="summary",
                             suffix=".summary.json")]
    published = recover_parts([p for p in patterns if p], TOKEN)
    assert published == [tmp_path / f"out.{TOKEN}.recovered.jsonl",
                         tmp_path / f"out.{TOKEN}.recovered.rejects.jsonl"]
    assert [json.loads(x)["article_id"] for x in out.read_text().splitlines()] == ["1"]
    assert [json.loads(x)["article_id"] for x in published[0].read_text().splitlines()] == \
        ["2", "3"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out.jsonl", *(p.name for p in published)])
    # A second killed run of the same name: another name, the first recovered file untouched.
    write_lines(tmp_path / "out.jsonl.part", [line("4")])
    (again,) = recover_parts([p for p in patterns[:1] if p], TOKEN)
    assert again == tmp_path / f"out.{TOKEN}-2.recovered.jsonl"


def test_an_append_cut_short_by_a_kill_is_undone(tmp_path: Path) -> None:
    """``-o out.jsonl``: a kill in the middle of appending the part to out.jsonl leaves the
    marker; recovery cuts out.jsonl back and publishes the part whole, once."""
    out = tmp_path / "out.jsonl"
    write_lines(out, [line("1")])
    before = out.stat().st_size
    write_lines(tmp_path / "out.jsonl.part", [line("2"), line("3")])
    append_marker(out).write_text(str(before))
    with out.open("ab") as file:  # the kill came after a line and a half
        file.write((json.dumps(line("2"), ensure_ascii=False) + "\n").encode() + b'{"url')
    pattern = feed_pattern(str(out), "n")
    assert pattern is not None
    (published,) = recover_parts([pattern], TOKEN)
    assert published.name == f"out.{TOKEN}.recovered.jsonl"
    ids = [json.loads(x)["article_id"] for path in pattern.files()
           for x in path.read_text().splitlines()]
    assert sorted(ids) == ["1", "2", "3"]
    assert out.stat().st_size == before and not append_marker(out).exists()


def test_reconcile_records_what_the_state_lacks(tmp_path: Path) -> None:
    state = MemoryState()
    state.record(ArticleState("1", content_hash(line("1")), version=1, first_seen="t0"))
    state.record(ArticleState("2", "stale-hash", version=1, etag='"e2"'))
    first = tmp_path / "a.jsonl"
    write_lines(first, [line("1"), line("2", body="新しい本文", version=2), line("3"),
                        line("4", host="www.kangnamtimes.com"), {"reason": "x", "url": "u"}])
    report = reconcile(state, [first], SITE)
    assert (report.recorded, report.lines) == (2, 5)
    two = state.get("2")
    assert two is not None
    assert (two.version, two.content_hash, two.etag) == (2, content_hash(line("2", "新しい本文")),
                                                         '"e2"')
    assert state.get("3") is not None and state.get("4") is None  # another site's line
    saved = state.get("1")
    assert saved is not None and saved.first_seen == "t0"
    # Read once: the offset is kept, and only new whole lines are read next time.
    assert reconcile(state, [first], SITE).lines == 0
    write_lines(first, [line("5")], tail=b'{"url": "par')
    report = reconcile(state, [first], SITE)
    assert (report.lines, report.recorded) == (1, 1)
    mark = state.journal_mark(str(first.resolve()))
    assert mark is not None and mark.offset == first.stat().st_size - 12


def test_a_file_replaced_under_the_same_name_is_read_again(tmp_path: Path) -> None:
    state = MemoryState()
    out = tmp_path / "out.jsonl"
    write_lines(out, [line("1")])
    reconcile(state, [out])
    out.unlink()
    write_lines(out, [line("2"), line("3"), line("4")])  # longer than the first file
    assert reconcile(state, [out]).recorded == 3


def test_reconcile_never_goes_back_a_version(tmp_path: Path) -> None:
    state = MemoryState()
    state.record(ArticleState("1", content_hash(line("1", "v3")), version=3))
    old = tmp_path / "old.jsonl"
    write_lines(old, [line("1", "v2", version=2)])
    assert reconcile(state, [old]).recorded == 0
    saved = state.get("1")
    assert saved is not None and saved.version == 3


def test_reconcile_forgets_deleted_files(tmp_path: Path) -> None:
    state = MemoryState()
    gone = tmp_path / "gone.jsonl"
    write_lines(gone, [line("1")])
    reconcile(state, [gone])
    gone.unlink()
    reconcile(state, [])
    assert state.journal_paths() == []


def test_rotate_keeps_the_newest_with_side_files(tmp_path: Path) -> None:
    paths = []
    for hour in range(4):
        path = tmp_path / f"2026-11-25T0{hour}-00-00+00-00.jsonl"
        write_lines(path, [line(str(hour))])
        path.with_name(path.stem + ".rejects.jsonl").write_text("")
        os.utime(path, (1000 + hour, 1000 + hour))
        paths.append(path)
    # A killed run's output recovered under the name of hour 0: newer, and not a side file.
    recovered = tmp_path / f"2026-11-25T00-00-00+00-00.{TOKEN}.recovered.jsonl"
    write_lines(recovered, [line("9")])
    assert rotate(paths, 0) == []
    removed = rotate(paths, 2)
    assert sorted(p.name for p in removed) == sorted(
        [paths[0].name, paths[1].name, paths[0].stem + ".rejects.jsonl",
         paths[1].stem + ".rejects.jsonl"])
    assert sorted(p.name for p in tmp_path.glob("*.jsonl") if ".rejects" not in p.name) == \
        sorted([paths[2].name, paths[3].name, recovered.name])

"""The atomic JSON Lines feed: same lines as Scrapy's, whole lines under ``kill -9`` and when
the disk fills up, and publishing that never destroys a delivered line."""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exporters import JsonLinesItemExporter

from newscrawl.exporters import (
    AtomicJsonLinesItemExporter,
    StagedFileFeedStorage,
    StagedLineFile,
    publish,
)
from newscrawl.items import Article
from newscrawl.state.journal import journal_patterns, recover_parts

WRITER = """
import sys
from newscrawl.exporters import AtomicJsonLinesItemExporter, StagedFileFeedStorage
from newscrawl.items import Article
storage = StagedFileFeedStorage(sys.argv[1])
file = storage.open(None)
exporter = AtomicJsonLinesItemExporter(file, encoding="utf-8")
exporter.start_exporting()
n = 0
while True:  # lines of ~40 KB: each write spans several pages
    n += 1
    exporter.export_item(Article(url=f"http://h/ja/report/article/{n}", article_id=str(n),
                                 body="本文です。" * 2500 + str(n)))
"""


FULL = Article(
    url="http://h/ja/report/article/2", article_id="2", headline="見出し", body="本文。\n二行目。",
    authors=["記者"], tags=["朝市"], images=[{"url": "http://h/1.jpg", "credit": "写真提供"}],
    related=[{"url": "http://h/ja/report/article/3", "title": "関連", "block": "related",
              "position": 1}],
    discovered_via={"block": "related", "position": 2, "from_url": "http://h/ja/"})


@pytest.mark.parametrize("options", [{}, {"fields_to_export": ["headline", "article_id"]},
                                     {"ensure_ascii": False}, {"indent": 0}])
@pytest.mark.parametrize("item", [
    Article(url="http://h/ja/report/article/1", article_id="1", headline="見出し"), FULL,
    {"url": "http://h/x", "headline": "辞書"}], ids=["minimal", "full", "dict"])
def test_same_lines_as_scrapys_exporter(tmp_path: Path, item: Any,
                                        options: dict[str, Any]) -> None:
    """Byte for byte, whatever the item and the exporter options (an article without
    serializers is written from its fields directly: the same line, faster)."""
    expected = io.BytesIO()
    plain = JsonLinesItemExporter(expected, encoding="utf-8", **options)
    plain.export_item(item)
    with (tmp_path / "a.jsonl").open("ab") as file:
        # Scrapy types an exporter's file as BytesIO; any binary file works.
        atomic = AtomicJsonLinesItemExporter(file, encoding="utf-8",  # type: ignore[arg-type]
                                             **options)
        atomic.start_exporting()
        atomic.export_item(item)
        atomic.finish_exporting()
    assert (tmp_path / "a.jsonl").read_bytes() == expected.getvalue()


def test_staged_storage_publishes_on_close(tmp_path: Path) -> None:
    storage = StagedFileFeedStorage(str(tmp_path / "out" / "a.jsonl"))
    file = storage.open(Spider("feed"))
    file.write(b'{"a": 1}\n')
    assert (tmp_path / "out" / "a.jsonl.part").exists()
    assert not (tmp_path / "out" / "a.jsonl").exists()
    storage.store(file)
    assert (tmp_path / "out" / "a.jsonl").read_bytes() == b'{"a": 1}\n'
    assert not (tmp_path / "out" / "a.jsonl.part").exists()


@pytest.mark.parametrize("min_bytes", [50_000, 400_000, 1_500_000])
def test_kill_9_leaves_only_whole_lines_once_published(tmp_path: Path, min_bytes: int) -> None:
    final = tmp_path / "out" / "2026-11-25T09-00-00+00-00.jsonl"
    part = final.with_name(final.name + ".part")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(final)])
    try:
        deadline = time.monotonic() + 30
        while not part.exists() or part.stat().st_size < min_bytes:
            assert time.monotonic() < deadline, "the writer did not write"
            time.sleep(0.005)
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
    assert not final.exists()  # a killed run leaves nothing but its .part file
    data = part.read_bytes()
    whole = data[: data.rfind(b"\n") + 1]
    assert [json.loads(x)["article_id"] for x in whole.splitlines()] == \
        [str(n) for n in range(1, whole.count(b"\n") + 1)]
    patterns = journal_patterns({str(tmp_path / "out" / "%(time)s.jsonl"):
                                 {"format": "jsonl-atomic"}}, "n")
    assert recover_parts(patterns, "2026-11-25T10-00-00+00-00") == [final]
    assert final.read_bytes() == whole  # every line of the published file parses


def article(n: int) -> Article:
    return Article(url=f"http://h/ja/report/article/{n}", article_id=str(n), body="本文" * 200)


class DiskFull:
    """``os.write`` that writes *room* more bytes, then fails with ENOSPC (a short write
    first, as a filling disk does)."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.real = os.write

    def __call__(self, fd: int, data: Any) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = self.real(fd, bytes(data[: self.room]))
        self.room -= written
        return written


def test_disk_full_leaves_whole_lines_and_stops_writing(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture,
                                                         ) -> None:
    path = tmp_path / "a.jsonl"
    with path.open("ab") as file:
        # Scrapy types an exporter's file as BytesIO; any binary file works.
        exporter = AtomicJsonLinesItemExporter(file, encoding="utf-8")  # type: ignore[arg-type]
        exporter.start_exporting()
        exporter.export_item(article(1))
        one_line = path.stat().st_size
        monkeypatch.setattr("newscrawl.exporters.os.write", DiskFull(one_line + one_line // 2))
        for n in range(2, 6):
            exporter.export_item(article(n))  # never raises: the feed fails, the run stops
    lines = path.read_bytes().splitlines(keepends=True)
    assert [json.loads(x)["article_id"] for x in lines] == ["1", "2"]
    assert all(x.endswith(b"\n") for x in lines)
    assert isinstance(exporter.failed, OSError) and exporter.failed.errno == errno.ENOSPC
    assert [r.levelname for r in caplog.records] == ["ERROR"]  # one line, no traceback
    assert caplog.records[0].exc_info is None


def test_a_side_file_on_a_full_disk_keeps_its_whole_lines(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          ) -> None:
    side = StagedLineFile(tmp_path / "out.rejects.jsonl")
    side.open()
    side.write(b'{"reason": "http_404"}\n')
    monkeypatch.setattr("newscrawl.exporters.os.write", DiskFull(5))
    with pytest.raises(OSError):
        side.write(b'{"reason": "timeout"}\n')
    monkeypatch.undo()
    side.publish()
    assert (tmp_path / "out.rejects.jsonl").read_bytes() == b'{"reason": "http_404"}\n'


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_publish_over_a_delivered_file_keeps_it_and_its_side_files(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    write(out, "old\n")
    write(tmp_path / "out.rejects.jsonl", "old rejects\n")
    write(tmp_path / "out.summary.json", "{}\n")
    os.utime(out, (1764061200, 1764061200))  # 2025-11-25T09:00:00Z
    write(tmp_path / "out.jsonl.part", "new\n")
    kept = publish(tmp_path / "out.jsonl.part", out, overwrite=True, keep_existing=True)
    token = "2025-11-25T09-00-00+00-00"
    assert [p.name for p in kept] == [f"out.{token}.jsonl", f"out.{token}.rejects.jsonl",
                                      f"out.{token}.summary.json"]
    assert out.read_text() == "new\n" and kept[0].read_text() == "old\n"
    assert kept[1].read_text() == "old rejects\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out.jsonl", *(
        p.name for p in kept)])


def test_publish_replaces_a_file_no_state_counts_and_appends_for_o(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    write(out, "old\n")
    write(tmp_path / "out.jsonl.part", "new\n")
    assert publish(tmp_path / "out.jsonl.part", out, overwrite=True) == []
    assert out.read_text() == "new\n"
    write(tmp_path / "out.jsonl.part", "more\n")
    publish(tmp_path / "out.jsonl.part", out, overwrite=False)
    assert out.read_text() == "new\nmore\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]

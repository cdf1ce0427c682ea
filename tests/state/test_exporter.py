"""The atomic JSON Lines feed: same lines as Scrapy's, and whole lines under ``kill -9``."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scrapy.exporters import JsonLinesItemExporter

from newscrawl.exporters import AtomicJsonLinesItemExporter, StagedFileFeedStorage
from newscrawl.items import Article
from newscrawl.state.journal import journal_patterns, publish_part_files

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


def test_same_lines_as_scrapys_exporter(tmp_path: Path) -> None:
    article = Article(url="http://h/ja/report/article/1", article_id="1", headline="見出し")
    expected = io.BytesIO()
    plain = JsonLinesItemExporter(expected, encoding="utf-8")
    plain.export_item(article)
    with (tmp_path / "a.jsonl").open("ab") as file:
        atomic = AtomicJsonLinesItemExporter(file, encoding="utf-8")
        atomic.start_exporting()
        atomic.export_item(article)
        atomic.finish_exporting()
    assert (tmp_path / "a.jsonl").read_bytes() == expected.getvalue()


def test_staged_storage_publishes_on_close(tmp_path: Path) -> None:
    storage = StagedFileFeedStorage(str(tmp_path / "out" / "a.jsonl"))
    file = storage.open(None)  # type: ignore[arg-type]
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
    assert publish_part_files(patterns) == [final]
    assert final.read_bytes() == whole  # every line of the published file parses

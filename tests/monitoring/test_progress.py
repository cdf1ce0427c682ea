"""Progress: a live line on a terminal (a real pseudo-terminal here), a log line elsewhere,
never both."""

from __future__ import annotations

import io
import logging
import os
import pty
import select
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from newscrawl.extensions.progress import RunProgress
from newscrawl.monitoring.progress import (
    CLEAR_LINE,
    ProgressMeter,
    Snapshot,
    eta_seconds,
    progress_line,
)
from tests.monitoring import support
from tests.support import built_crawler


@pytest.fixture
def terminal() -> Iterator[tuple[TextIO, int]]:
    """The writing end of a pseudo-terminal (a TTY) and the descriptor to read it from."""
    reader, writer = pty.openpty()
    stream = os.fdopen(writer, "w", encoding="utf-8")
    try:
        yield stream, reader
    finally:
        stream.close()
        os.close(reader)


def read_terminal(reader: int) -> str:
    chunks = []
    while select.select([reader], [], [], 0)[0]:
        chunks.append(os.read(reader, 65536))
    return b"".join(chunks).decode("utf-8")


SNAPSHOT = Snapshot(elapsed=30.0, pages=1204, articles=380, queued=85)


def test_the_line_says_pages_articles_rates_queue_and_time() -> None:
    assert progress_line(SNAPSHOT) == ("pages 1,204 (40.1/s) · articles 380 (12.7/s) · "
                                       "queued 85 · 0m30s")


def test_eta_only_when_a_limit_makes_it_knowable() -> None:
    assert eta_seconds(SNAPSHOT) is None
    limited = Snapshot(elapsed=30.0, pages=1204, articles=380, queued=85, article_limit=1000)
    assert eta_seconds(limited) == pytest.approx(620 / (380 / 30))
    assert progress_line(limited).endswith("articles 380/1,000 (12.7/s) · queued 85 · 0m30s "
                                           "· ETA 0m49s")
    timed = Snapshot(elapsed=30.0, pages=1, articles=0, queued=1, time_limit=3600)
    assert eta_seconds(timed) == 3570


def test_on_a_terminal_the_line_is_redrawn_in_place_and_nothing_is_logged(
        terminal: tuple[TextIO, int], caplog: pytest.LogCaptureFixture) -> None:
    stream, reader = terminal
    meter = ProgressMeter(stream)
    assert meter.live
    with caplog.at_level(logging.INFO):
        meter.show(SNAPSHOT)
        meter.show(Snapshot(elapsed=31.0, pages=1250, articles=390, queued=80))
        meter.detach()
    shown = read_terminal(reader)
    assert shown == (CLEAR_LINE + progress_line(SNAPSHOT) + CLEAR_LINE
                     + "pages 1,250 (40.3/s) · articles 390 (12.6/s) · queued 80 · 0m31s"
                     + CLEAR_LINE)
    assert "\n" not in shown
    assert [r for r in caplog.records if r.name == "newscrawl.monitoring.progress"] == []


def test_off_a_terminal_it_is_a_log_line_and_nothing_is_drawn(
        caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()
    meter = ProgressMeter(stream)
    assert not meter.live
    with caplog.at_level(logging.INFO):
        meter.show(SNAPSHOT)
        meter.detach()
    assert stream.getvalue() == ""
    assert [r.getMessage() for r in caplog.records] == [f"progress: {progress_line(SNAPSHOT)}"]


def test_a_log_record_on_the_same_terminal_first_erases_the_line(
        terminal: tuple[TextIO, int]) -> None:
    stream, reader = terminal
    root = logging.Logger("test-root")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root.addHandler(handler)
    meter = ProgressMeter(stream)
    meter.attach(root)
    meter.show(SNAPSHOT)
    root.warning("a log line")
    meter.detach()
    root.warning("after")
    shown = read_terminal(reader).replace("\r\n", "\n")
    assert shown == (CLEAR_LINE + progress_line(SNAPSHOT) + CLEAR_LINE + "a log line\n"
                     + "after\n")


def test_the_extension_follows_stderr(tmp_path: Path, terminal: tuple[TextIO, int],
                                      monkeypatch: pytest.MonkeyPatch,
                                      caplog: pytest.LogCaptureFixture) -> None:
    stream, reader = terminal
    monkeypatch.setattr(sys, "stderr", stream)
    crawler = built_crawler(tmp_path, **support.settings(NEWSCRAWL_MAX_ARTICLES=100))
    progress = crawler.get_extension(RunProgress)
    assert progress is not None and progress.meter.live
    crawler.stats.set_value("response_received_count", 10)
    crawler.stats.set_value("item_scraped_count", 4)
    with caplog.at_level(logging.INFO):
        progress.tick()
    shown = read_terminal(reader)
    assert shown.startswith(CLEAR_LINE + "pages 10 (")
    assert "articles 4/100" in shown and "ETA" in shown
    assert not [r for r in caplog.records if r.getMessage().startswith("progress:")]

    cron_stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", cron_stderr)
    crawler = built_crawler(tmp_path / "cron", **support.settings())
    progress = crawler.get_extension(RunProgress)
    assert progress is not None and not progress.meter.live
    with caplog.at_level(logging.INFO):
        progress.tick()
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("progress:")]
    assert cron_stderr.getvalue() == ""

"""``scrapy report PATH``: build a run's HTML report again, from its saved files.

PATH is any file of the run: its feed (``output/demo.jsonl``), its ``.run.json``, summary,
rejects, card or report. The report is built from ``<stem>.run.json`` (written at the end of
every run) and the run history it names (``--history`` to use another), showing the runs up
to that one, and written to ``<stem>.report.html`` (``-o`` to write it elsewhere). The path
of the report is printed. Exit status 1, with one line, when the run's files cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawl.monitoring.files import REPORT_SUFFIX, RUN_SUFFIX, stem_of
from newscrawl.monitoring.history import RunHistory, run_record
from newscrawl.monitoring.report import build_report
from newscrawl.monitoring.rundata import RunData, write_atomically

if TYPE_CHECKING:
    import argparse


def history_until(data: RunData, history_path: Path | None) -> list[dict[str, Any]]:
    """The history records up to this run, ending with this run's own record (taken from
    the history when it is there, else made from the run file)."""
    own = run_record(data.stats, data.findings, spider=data.spider, feed=data.feed,
                     ok=data.ok, verdict=data.verdict)
    if history_path is None or not history_path.exists():
        return [own]
    records = RunHistory(history_path).read()
    finished = own["run"]
    for index, record in enumerate(records):
        if record.get("run") == finished and record.get("feed") == data.feed:
            return records[:index + 1]
    return [*(r for r in records if str(r.get("run") or "") < str(finished or "")), own]


def rebuild(path: Path, output: Path | None = None, history: Path | None = None) -> Path:
    """Build the report of the run that *path* belongs to; return where it was written."""
    stem = stem_of(path)
    run_path = path if path.name.endswith(RUN_SUFFIX) else stem.with_name(stem.name + RUN_SUFFIX)
    data = RunData.load(run_path)
    history_path = history or (Path(data.history_path) if data.history_path else None)
    target = output or stem.with_name(stem.name + REPORT_SUFFIX)
    write_atomically(target, build_report(data, history_until(data, history_path)))
    return target


class Command(ScrapyCommand):
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] PATH"

    def short_desc(self) -> str:
        return "Build the HTML report of an earlier run from its saved files"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", type=Path,
                            help="write the report here (default: <stem>.report.html)")
        parser.add_argument("--history", metavar="FILE", type=Path,
                            help="the run history to draw trends from (default: the one the "
                                 "run used)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give the path of one run's file (its feed, .run.json, …)")
        try:
            target = rebuild(Path(args[0]), opts.output, opts.history)
        except (OSError, ValueError) as exc:
            print(f"cannot build the report: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        print(target)

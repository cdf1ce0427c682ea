"""End to end: ``scrapy crawl`` over the replica, three runs sharing one state and history.

Two normal runs, then one against a redesigned replica: every article page served in the
replica's generic theme (``theme_b``: none of the known classes), as a site redesign would.
The monitors stay quiet on the normal runs, fail the redesigned one naming the field that
moved, and its alert reaches a local endpoint; every article written validates against the
published schema (checked with the reference validator, not the crawler's own).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from newscrawl.demo import crawl_command, read_jsonl
from newscrawl.demosite.generator import DemoSite
from newscrawl.demosite.server import handle, serve_in_thread
from newscrawl.monitoring.rundata import RunData
from tests.monitoring import support
from tests.monitoring.sinks import Received, webhook_sink
from tests.support import ROOT

pytestmark = pytest.mark.slow

ARTICLES = 150


def redesigned(site: DemoSite, method: str, target: str, headers: Mapping[str, str]) -> Any:
    """The replica after a redesign: every article page in the generic theme."""
    if not getattr(site, "redesigned", False):
        content = site.content

        def generic_theme(index: int) -> Any:
            page = content(index)
            return dataclasses.replace(page, variations=sorted({*page.variations, "theme_b"}))

        site.content = generic_theme  # type: ignore[method-assign]
        site.redesigned = True  # type: ignore[attr-defined]
    return handle(site, method, target, headers)


@dataclasses.dataclass
class Run:
    output: Path
    process: subprocess.CompletedProcess[str]

    @property
    def data(self) -> RunData:
        return RunData.load(self.output.with_name(self.output.stem + ".run.json"))

    @property
    def articles(self) -> list[dict[str, Any]]:
        return [dict(a) for a in read_jsonl(self.output)]


@dataclasses.dataclass
class Runs:
    normal: list[Run]
    changed: Run
    alerts: Received
    history: Path


def crawl(base_url: str, output: Path, shared: Path, **extra: str) -> Run:
    settings = support.cli_settings(
        NEWSCRAWL_STATE_PATH=str(shared / "state.sqlite3"),
        NEWSCRAWL_MONITOR_HISTORY_PATH=str(shared / "runs.jsonl"),
        NEWSCRAWL_FULL_CRAWL_ENABLED="1", **extra)
    command = crawl_command(base_url, output, extra=settings)
    process = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    return Run(output, process)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    tmp = tmp_path_factory.mktemp("runs")
    shared = tmp / "state"
    shared.mkdir()
    with webhook_sink() as (hook, received):
        alert = {"NEWSCRAWL_ALERT_WEBHOOK_URL": hook, "NEWSCRAWL_ALERT_ON": "failed"}
        with serve_in_thread(ARTICLES) as base_url:
            normal = [crawl(base_url, tmp / f"normal{n}.jsonl", shared, **alert)
                      for n in (1, 2)]
        with serve_in_thread(ARTICLES, handler=redesigned) as base_url:
            changed = crawl(base_url, tmp / "redesigned.jsonl", shared, **alert)
        yield Runs(normal, changed, received, shared / "runs.jsonl")


def test_normal_runs_are_quiet(runs: Runs) -> None:
    for run in runs.normal:
        assert run.process.returncode == 0, run.process.stderr[-2000:]
        data = run.data
        assert [f for f in data.findings if not f.ok] == []
        assert data.stats["newscrawl/monitor/failed"] == 0
        assert data.status == "ok"
    second = runs.normal[1].data
    assert "body sources as in the last 1 run(s)" in [f.reason for f in second.findings]
    report = runs.normal[1].output.with_name("normal2.report.html").read_text(encoding="utf-8")
    assert "run OK" in report


def test_a_redesign_fails_the_monitors_naming_the_field(runs: Runs) -> None:
    data = runs.changed.data
    failed = [f for f in data.findings if f.failed]
    assert failed[0].name == "layout/body"  # of the fields that moved as far, the body first
    body = failed[0]
    assert body.reason.startswith("layout changed: body from markup ")
    # the body moved to a lower layer: the template the crawl learned, or the generic one
    assert "(template " in body.reason or "(generic " in body.reason, body.reason
    assert data.stats["newscrawl/monitor/failed"] == len(failed)
    assert data.stats["newscrawl/monitor/reason"] == failed[0].reason
    assert data.status == "failed"
    # the monitors feed the health verdict: the run fails, its last line says why
    assert runs.changed.process.returncode == 1
    last = runs.changed.process.stderr.strip().splitlines()[-1]
    assert "run FAILED: layout changed: body from markup" in last, last
    report = runs.changed.output.with_name("redesigned.report.html").read_text(
        encoding="utf-8")
    assert "run FAILED" in report and body.reason in report
    records = [json.loads(line) for line in runs.history.read_text().splitlines()]
    assert [r["layout_changed"] for r in records] == [False, False, True]


def test_the_alert_of_the_failed_run_reaches_the_endpoint(runs: Runs) -> None:
    [(_, _, body)] = runs.alerts.posts  # the normal runs sent nothing
    payload = json.loads(body)
    assert "layout changed: body from markup" in payload["text"]
    assert payload["newscrawl"]["report"].endswith("redesigned.report.html")


def test_every_article_written_matches_the_published_schema(runs: Runs) -> None:
    schema = json.loads((ROOT / "docs" / "article.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    for run in (*runs.normal, runs.changed):
        articles = run.articles
        assert len(articles) > ARTICLES / 2
        problems = [(a.get("article_id"), e.message) for a in articles
                    for e in validator.iter_errors(a)]
        assert problems == []
        assert run.data.stats["newscrawl/schema/checked"] >= len(articles)
        rejects = read_jsonl(run.output.with_name(run.output.stem + ".rejects.jsonl"))
        assert [r for r in rejects if r["reason"] == "schema_invalid"] == []


def test_each_run_has_its_card(runs: Runs) -> None:
    run = runs.normal[0]
    card = run.output.with_name("normal1.card.md").read_text(encoding="utf-8")
    assert f"| articles written | {len(run.articles)} |" in card
    published = sorted(a["date_published"] for a in run.articles if a["date_published"])
    assert f"`date_published` from {published[0]} to {published[-1]}." in card

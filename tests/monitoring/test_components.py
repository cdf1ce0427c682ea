"""The monitoring components in a crawler built as ``scrapy crawl`` builds it: what they
leave in the stats and beside the output when the run closes, in the order Scrapy calls them
(monitor, health verdict, report, card, then the history)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse

from newscrawl.config import BadSetting
from newscrawl.extensions.alerts import RunAlerts
from newscrawl.extensions.card import DatasetCard
from newscrawl.extensions.health import RunHealth
from newscrawl.extensions.monitor import RunMonitor
from newscrawl.extensions.report import RunReport
from newscrawl.monitoring.history import RunHistory
from newscrawl.monitoring.rundata import RunData
from newscrawl.monitoring.schema import article_schema
from tests.monitoring import support
from tests.monitoring.runs import NORMAL_HISTORY, good_article, history_of, run_stats
from tests.support import built_crawler, spider_of

CATEGORIES = ("ニュース", "経済", "エンタメ")


def build(tmp_path: Path, **overrides: Any) -> Crawler:
    history = str(tmp_path / "state" / "runs.jsonl")
    return built_crawler(tmp_path, **support.settings(
        **{"NEWSCRAWL_MONITOR_HISTORY_PATH": history, **overrides}))


def close_run(crawler: Crawler, stats: dict[str, Any], articles: int = 200) -> None:
    """Open, write ``articles`` articles and a few pages, then close as Scrapy does."""
    spider = spider_of(crawler)
    monitor = crawler.get_extension(RunMonitor)
    assert monitor is not None
    monitor.spider_opened(spider)
    for n in range(articles):
        article = dataclasses.replace(
            good_article(), article_id=str(700000 + n), category=CATEGORIES[n % 3],
            body="本文。" * (20 + n), date_published=f"2025-12-12T{n % 24:02d}:10:00+09:00",
            authors=[] if n % 10 == 0 else ["山田花子"])
        monitor.item_scraped(article)
    for n in range(30):
        url = f"http://127.0.0.1:8765/ja/report/article/{700000 + n}"
        request = Request(url, meta={"download_latency": n / 100})
        monitor.response_received(HtmlResponse(url, body=b"x" * (1000 + n), request=request),
                                  request)
    for name, value in stats.items():
        crawler.stats.set_value(name, value)
    monitor.spider_closed(spider, stats["finish_reason"])
    health = crawler.get_extension(RunHealth)
    assert health is not None
    health.spider_closed(stats["finish_reason"])
    report, card = crawler.get_extension(RunReport), crawler.get_extension(DatasetCard)
    assert report is not None and card is not None
    report.spider_closed(spider)
    card.spider_closed(spider)
    monitor.record_run(spider)


def seed_history(tmp_path: Path) -> RunHistory:
    history = RunHistory(tmp_path / "state" / "runs.jsonl")
    for record in history_of(*NORMAL_HISTORY):
        history.append(record)
    return history


def test_a_normal_run_leaves_quiet_stats_report_card_run_file_and_history(
        tmp_path: Path) -> None:
    history = seed_history(tmp_path)
    crawler = build(tmp_path)
    close_run(crawler, run_stats(200))
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/monitor/failed"] == 0
    assert stats["newscrawl/monitor/warned"] == 0
    assert stats["newscrawl/monitor/coverage/authors"] == 180  # every 10th has none
    assert stats["newscrawl/health/ok"] is True
    report = tmp_path / "out.report.html"
    assert stats["newscrawl/report/path"] == str(report)
    assert "run OK" in report.read_text(encoding="utf-8")
    card = (tmp_path / "out.card.md").read_text(encoding="utf-8")
    assert "| articles written | 200 |" in card
    assert f"version `{RunData.load(tmp_path / 'out.run.json').schema_version}`" in card
    assert "2025-12-12T00:10:00+09:00 to 2025-12-12T23:10:00+09:00" in card
    runs = history.read()
    assert len(runs) == 4 and runs[-1]["ok"] is True and runs[-1]["articles"] == 200


def test_a_layout_change_fails_the_monitor_and_shows_in_every_output(tmp_path: Path) -> None:
    history = seed_history(tmp_path)
    crawler = build(tmp_path)
    close_run(crawler, run_stats(200, body={"markup": 6, "generic": 194}))
    stats = crawler.stats.get_stats()
    reason = "layout changed: body from markup 94% → 3% (generic 6% → 97%)"
    assert stats["newscrawl/monitor/failed"] == 1
    assert stats["newscrawl/monitor/reason"] == reason
    assert reason in (tmp_path / "out.report.html").read_text(encoding="utf-8")
    saved = RunData.load(tmp_path / "out.run.json")
    assert saved.status == "failed"
    assert [f.name for f in saved.findings if f.failed] == ["layout/body"]
    assert history.read()[-1]["layout_changed"] is True


def test_scrapy_report_builds_the_same_report_again(tmp_path: Path) -> None:
    from newscrawl.commands.report import rebuild

    seed_history(tmp_path)
    crawler = build(tmp_path)
    close_run(crawler, run_stats(200, body={"markup": 6, "generic": 194}))
    original = (tmp_path / "out.report.html").read_text(encoding="utf-8")
    target = rebuild(tmp_path / "out.jsonl", output=tmp_path / "again.html")
    assert target.read_text(encoding="utf-8") == original
    # a later run does not change the report of this one
    later = build(tmp_path / "later", NEWSCRAWL_MONITOR_HISTORY_PATH=str(
        tmp_path / "state" / "runs.jsonl"))
    close_run(later, run_stats(200))
    assert rebuild(tmp_path / "out.run.json", output=tmp_path / "third.html").read_text(
        encoding="utf-8") == original


def test_the_run_file_holds_what_the_report_needs(tmp_path: Path) -> None:
    crawler = build(tmp_path)
    close_run(crawler, run_stats(200))
    saved = json.loads((tmp_path / "out.run.json").read_text(encoding="utf-8"))
    assert saved["feed"] == str(tmp_path / "out.jsonl")
    assert saved["stats"]["item_scraped_count"] == 200
    assert saved["observed"]["categories"] == {"ニュース": 67, "経済": 67, "エンタメ": 66}
    assert len(saved["observed"]["slowest"]) == 10
    assert saved["observed"]["slowest"][0]["seconds"] == 0.29
    assert saved["schema_version"] == article_schema()["$id"].rsplit(":", 1)[1]
    assert saved["settings"]["NEWSCRAWL_BASE_URL"] == "https://www.kangnamtimes.com/ja/"
    assert saved["files"]["report"] == str(tmp_path / "out.report.html")


def test_history_defaults_to_beside_the_state(tmp_path: Path) -> None:
    crawler = built_crawler(tmp_path, **support.components())
    monitor = crawler.get_extension(RunMonitor)
    assert monitor is not None and monitor.history is not None
    assert monitor.history.path == tmp_path / "state.runs.jsonl"


def test_report_and_card_paths_can_be_set(tmp_path: Path) -> None:
    crawler = build(tmp_path, NEWSCRAWL_REPORT_URI=str(tmp_path / "r" / "%(name)s.html"),
                    NEWSCRAWL_CARD_URI=str(tmp_path / "c" / "card.md"))
    close_run(crawler, run_stats(200))
    assert (tmp_path / "r" / "kangnamtimes.html").exists()
    assert (tmp_path / "c" / "card.md").exists()


@pytest.mark.parametrize(("name", "value"), [
    ("NEWSCRAWL_MONITOR_ENABLED", "perhaps"),
    ("NEWSCRAWL_MONITOR_HISTORY_RUNS", "0"),
    ("NEWSCRAWL_MONITOR_LAYOUT_SEVERITY", "loud"),
    ("NEWSCRAWL_REPORT_URI", "/proc/nope/report.html"),
    ("NEWSCRAWL_CARD_URI", "s3://bucket/card.md"),
    ("NEWSCRAWL_PROGRESS_INTERVAL_SECONDS", "0"),
    ("NEWSCRAWL_ALERT_ON", "sometimes"),
    ("NEWSCRAWL_ALERT_WEBHOOK_URL", "hooks.example.org/x"),
    ("NEWSCRAWL_ALERT_EMAIL_TO", "ops"),
])
def test_bad_settings_stop_the_run_at_start(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(BadSetting, match=name):
        build(tmp_path, **{name: value})


def test_off_switches(tmp_path: Path) -> None:
    crawler = build(tmp_path, NEWSCRAWL_MONITOR_ENABLED=False, NEWSCRAWL_REPORT_ENABLED=False,
                    NEWSCRAWL_CARD_ENABLED=False, NEWSCRAWL_PROGRESS_ENABLED=False)
    for extension in (RunMonitor, RunReport, DatasetCard, RunAlerts):
        assert crawler.get_extension(extension) is None

"""The monitors on stats shaped like real runs: quiet on a normal run, loud on a changed
layout, and each threshold doing what its setting says."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from newscrawl.config import BadSetting
from newscrawl.monitoring.history import run_record
from newscrawl.monitoring.verdict import (
    Finding,
    MonitorSettings,
    failed_reason,
    judge_monitors,
    summarize,
)
from tests.monitoring import support
from tests.monitoring.runs import NORMAL_HISTORY, history_of, run_stats


def not_ok(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.ok]


def test_a_normal_run_after_normal_runs_is_quiet() -> None:
    findings = judge_monitors(run_stats(205), history_of(*NORMAL_HISTORY), MonitorSettings())
    assert not_ok(findings) == []
    layout = [f for f in findings if f.name.startswith("layout/")]
    assert {f.name for f in layout} == {"layout/body", "layout/date_published",
                                        "layout/headline"}
    assert all("as in the last 3 run(s)" in f.reason for f in layout)


def test_a_layout_change_fails_naming_the_field_and_both_sources() -> None:
    changed = run_stats(200, body={"markup": 6, "generic": 194})
    findings = judge_monitors(changed, history_of(*NORMAL_HISTORY), MonitorSettings())
    failed = [f for f in findings if f.failed]
    assert [f.name for f in failed] == ["layout/body"]
    assert failed[0].reason == "layout changed: body from markup 94% → 3% (generic 6% → 97%)"
    assert summarize(findings)["newscrawl/monitor/reason"] == failed[0].reason
    assert failed_reason(summarize(findings)) == failed[0].reason


def test_the_field_that_moved_furthest_is_named_first() -> None:
    changed = run_stats(200, body={"markup": 100, "generic": 100},
                        date={"text": 190, "jsonld": 10})
    failed = [f.name for f in judge_monitors(changed, history_of(*NORMAL_HISTORY),
                                             MonitorSettings()) if f.failed]
    assert failed == ["layout/date_published", "layout/body"]


def test_a_move_to_better_sources_is_not_a_change() -> None:
    """A parser fix: bodies that went through generic extraction now come from markup."""
    poor = [run_stats(200, body={"markup": 100, "generic": 100}) for _ in range(3)]
    fixed = run_stats(200, body={"markup": 200})
    assert not_ok(judge_monitors(fixed, history_of(*poor), MonitorSettings())) == []


def test_structured_data_disappearing_is_a_change() -> None:
    """JSON-LD gone, dates now from meta tags: still extracted, but the page changed."""
    changed = run_stats(200, date={"meta": 190, "markup": 10})
    failed = [f for f in judge_monitors(changed, history_of(*NORMAL_HISTORY),
                                        MonitorSettings()) if f.failed]
    assert [f.name for f in failed] == ["layout/date_published"]
    assert "from jsonld 83% → 0% (meta 10% → 95%)" in failed[0].reason


def test_a_drop_within_the_threshold_passes() -> None:
    slightly = run_stats(200, body={"markup": 150, "generic": 50})  # 94% → 75%
    assert not_ok(judge_monitors(slightly, history_of(*NORMAL_HISTORY),
                                 MonitorSettings())) == []
    strict = MonitorSettings(provenance_drop=0.1)
    assert [f.name for f in not_ok(judge_monitors(slightly, history_of(*NORMAL_HISTORY),
                                                  strict))] == ["layout/body"]


def test_layout_severity_warn_only_warns() -> None:
    changed = run_stats(200, body={"markup": 6, "generic": 194})
    findings = judge_monitors(changed, history_of(*NORMAL_HISTORY),
                              MonitorSettings(layout_severity="warn"))
    assert [f for f in findings if f.failed] == []
    assert [f.name for f in findings if f.warned] == ["layout/body"]
    assert failed_reason(summarize(findings)) is None


def test_first_run_and_small_runs_are_not_compared() -> None:
    changed = run_stats(200, body={"markup": 6, "generic": 194})
    first = judge_monitors(changed, [], MonitorSettings())
    assert not_ok(first) == []
    assert [f.reason for f in first if f.name == "layout"] == [
        "not compared: no previous run to compare with"]
    small = run_stats(12, body={"markup": 0, "generic": 12})
    assert not_ok(judge_monitors(small, history_of(*NORMAL_HISTORY), MonitorSettings())) == []


def test_runs_whose_layout_changed_do_not_become_the_baseline() -> None:
    """A changed layout keeps failing run after run: it is not learned as normal."""
    history = history_of(*NORMAL_HISTORY)
    changed = run_stats(200, body={"markup": 6, "generic": 194})
    for _ in range(6):
        findings = judge_monitors(changed, history, MonitorSettings())
        assert [f.name for f in findings if f.failed] == ["layout/body"]
        history.append(run_record(changed, findings, spider="k", feed=None, ok=False,
                                  verdict="v"))
    assert history[-1]["layout_changed"] is True


def test_coverage_drop_is_a_layout_change() -> None:
    findings = judge_monitors(run_stats(200, authors_covered=0.4),
                              history_of(*NORMAL_HISTORY), MonitorSettings())
    failed = [f for f in findings if f.failed]
    assert [(f.name, f.reason) for f in failed] == [
        ("coverage/authors", "layout changed: authors in 100% → 40% of the articles")]


def test_schema_invalid_items_warn_then_fail_beyond_the_share() -> None:
    few = {**run_stats(200), "newscrawl/rejects/schema_invalid": 1}
    many = {**run_stats(200), "newscrawl/rejects/schema_invalid": 30}
    [few_finding] = [f for f in judge_monitors(few, [], MonitorSettings())
                     if f.name == "schema"]
    [many_finding] = [f for f in judge_monitors(many, [], MonitorSettings())
                      if f.name == "schema"]
    assert few_finding.warned and many_finding.failed
    assert many_finding.reason == ("30 of 200 article(s) did not match the schema "
                                   "(rejects: schema_invalid)")


def test_traffic_monitors_warn() -> None:
    stats = {**run_stats(200), "log_count/ERROR": 2, "retry/count": 90,
             "downloader/response_status_count/503": 40}
    warned = {f.name: f.reason for f in judge_monitors(stats, [], MonitorSettings())
              if f.warned}
    assert set(warned) == {"errors", "retries", "status"}
    assert warned["retries"] == "90 retries for 220 request(s) (41%; at most 20%)"
    assert warned["status"] == ("40 of 255 response(s) with a 4xx/5xx status (16%; "
                                "at most 10%)")


def test_an_interrupted_run_fails_the_finish_monitor() -> None:
    findings = judge_monitors(run_stats(200, finish_reason="shutdown"), [], MonitorSettings())
    assert [f.name for f in findings if f.failed] == ["finish_reason"]


def test_a_slow_run_warns_against_the_median_of_the_last_runs() -> None:
    history = history_of(run_stats(elapsed=100), run_stats(elapsed=120),
                         run_stats(elapsed=110))
    slow = judge_monitors(run_stats(elapsed=400), history, MonitorSettings())
    [runtime] = [f for f in slow if f.name == "runtime"]
    assert runtime.warned and runtime.reason == "400 s, 3.6× the median of the last 3 runs " \
                                                "(110 s)"
    usual = judge_monitors(run_stats(elapsed=300), history, MonitorSettings())
    assert next(f for f in usual if f.name == "runtime").ok


def test_settings_are_read_and_checked() -> None:
    settings = Settings(support.defaults(NEWSCRAWL_MONITOR_LAYOUT_SEVERITY="warn",
                                         NEWSCRAWL_MONITOR_PROVENANCE_DROP="0.5"))
    config = MonitorSettings.from_settings(settings)
    assert config.layout_severity == "warn" and config.provenance_drop == 0.5
    for name, value in (("NEWSCRAWL_MONITOR_LAYOUT_SEVERITY", "maybe"),
                        ("NEWSCRAWL_MONITOR_PROVENANCE_DROP", "0"),
                        ("NEWSCRAWL_MONITOR_COVERAGE_DROP", "1.5"),
                        ("NEWSCRAWL_MONITOR_SLOW_FACTOR", "1"),
                        ("NEWSCRAWL_MONITOR_BASELINE_RUNS", "0")):
        with pytest.raises(BadSetting, match=name):
            MonitorSettings.from_settings(Settings(support.defaults(**{name: value})))


def test_judge_monitors_reads_scrapy_settings_too() -> None:
    changed = run_stats(200, body={"markup": 6, "generic": 194})
    settings = Settings(support.defaults(NEWSCRAWL_MONITOR_LAYOUT_SEVERITY="warn"))
    findings = judge_monitors(changed, history_of(*NORMAL_HISTORY), settings)
    assert [f.name for f in findings if f.warned] == ["layout/body"]


def test_of_fields_that_moved_as_far_the_body_is_named_first() -> None:
    """A redesign moves many fields at once; the body says most about it."""
    before = [{**run_stats(200), "newscrawl/fields/authors/markup": 188,
               "newscrawl/fields/authors/jsonld": 12} for _ in range(2)]
    changed = {**run_stats(200, body={"generic": 200}), "newscrawl/fields/authors/jsonld": 200}
    failed = [f.name for f in judge_monitors(changed, history_of(*before), MonitorSettings())
              if f.failed]
    assert failed == ["layout/body", "layout/authors"]

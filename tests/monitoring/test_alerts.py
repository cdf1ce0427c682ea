"""Alerts reach local receivers: an SMTP server and an HTTP endpoint on port 0, and a
command; a receiver that is down is a warning, never an error."""

from __future__ import annotations

import contextlib
import json
import logging
import shlex
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler

from newscrawl.extensions.alerts import RunAlerts
from newscrawl.extensions.monitor import RunMonitor
from newscrawl.monitoring.alerts import (
    AlertFailed,
    SmtpConfig,
    build_alert,
    post_webhook,
    run_command,
    send_email,
)
from newscrawl.monitoring.rundata import RunData
from newscrawl.monitoring.verdict import Finding
from tests.monitoring import support
from tests.monitoring.runs import run_stats
from tests.monitoring.sinks import smtp_sink, webhook_sink
from tests.support import built_crawler, spider_of

LAYOUT = Finding("layout/body", False, "fail",
                 "layout changed: body from markup 94% → 3% (generic 6% → 97%)")


def failed_run() -> RunData:
    return RunData(spider="kangnamtimes", stats=run_stats(200), observed={},
                   findings=[LAYOUT, Finding("schema", True, "warn", "all valid")], ok=False,
                   verdict=f"run FAILED: {LAYOUT.reason}", feed="output/x.jsonl")


@contextlib.contextmanager
def refusing_port() -> Iterator[int]:
    """A port that refuses connections while the block runs: bound and never listening, so
    nothing else can take it in the meantime (a port bound, closed and reused could be)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def test_the_alert_says_what_failed_and_where_the_report_is() -> None:
    alert = build_alert(failed_run(), "output/x.report.html")
    assert alert.subject == ("[newscrawl] kangnamtimes run FAILED: run FAILED: layout "
                             "changed: body from markup 94% → 3% (generic 6% → 97%)")
    assert "- FAIL layout/body: layout changed: body" in alert.text
    assert "schema" not in alert.text  # only what did not pass
    assert "Report: output/x.report.html" in alert.text
    assert alert.facts["status"] == "failed"


def test_email_reaches_the_smtp_server() -> None:
    alert = build_alert(failed_run(), "output/x.report.html")
    with smtp_sink() as (port, received):
        send_email(alert, SmtpConfig("127.0.0.1", port, "crawler@example.org",
                                     ("ops@example.org", "data@example.org")), timeout=10)
    [message] = received.messages
    assert received.envelopes == [("crawler@example.org",
                                   ["ops@example.org", "data@example.org"])]
    assert message["Subject"] == alert.subject
    assert message["To"] == "ops@example.org, data@example.org"
    assert "layout changed: body from markup 94% → 3%" in message.get_content()


def test_webhook_posts_slack_style_json() -> None:
    alert = build_alert(failed_run(), None)
    with webhook_sink() as (url, received):
        post_webhook(alert, url, timeout=10)
    [(path, headers, body)] = received.posts
    payload = json.loads(body)
    assert path == "/hooks/alert"
    assert headers["Content-Type"].startswith("application/json")
    assert payload["text"].startswith(f"*{alert.subject}*\n")
    assert payload["newscrawl"]["findings"][0]["name"] == "layout/body"


def test_command_gets_the_message_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "alert.txt"
    script = ("import os, sys; open(sys.argv[1], 'w', encoding='utf-8').write("
              "os.environ['NEWSCRAWL_ALERT_STATUS'] + '|' + sys.stdin.read())")
    run_command(build_alert(failed_run(), None), [sys.executable, "-c", script, str(out)],
                timeout=30)
    status, text = out.read_text(encoding="utf-8").split("|", 1)
    assert status == "failed" and "layout changed" in text


@pytest.mark.parametrize("channel", ["email", "webhook", "command"])
def test_a_receiver_that_is_down_raises_one_line(channel: str) -> None:
    alert = build_alert(failed_run(), None)
    with pytest.raises(AlertFailed) as raised, refusing_port() as port:
        if channel == "email":
            send_email(alert, SmtpConfig("127.0.0.1", port, "a@b.c", ("d@e.f",)), 5)
        elif channel == "webhook":
            post_webhook(alert, f"http://127.0.0.1:{port}/x", timeout=5)
        else:
            run_command(alert, [sys.executable, "-c", "import sys; sys.exit(3)"], timeout=30)
    assert "\n" not in str(raised.value)


def test_webhook_error_status_is_a_failure() -> None:
    with webhook_sink(status=500) as (url, _), pytest.raises(AlertFailed, match="500"):
        post_webhook(build_alert(failed_run(), None), url, timeout=5)


# -- the extension ---------------------------------------------------------------------------


def crawler_with_alerts(tmp_path: Path, stats: dict[str, Any], **overrides: Any) -> Crawler:
    crawler = built_crawler(tmp_path, **support.settings(**overrides))
    monitor = crawler.get_extension(RunMonitor)
    assert monitor is not None
    for name, value in stats.items():
        crawler.stats.set_value(name, value)
    monitor.spider_closed(spider_of(crawler), stats["finish_reason"])
    return crawler


def test_alerts_are_off_by_default(tmp_path: Path) -> None:
    crawler = built_crawler(tmp_path, **support.settings())
    assert crawler.get_extension(RunAlerts) is None


def test_a_failed_run_is_sent_through_every_channel(tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    with smtp_sink() as (port, mail), webhook_sink() as (url, hooks):
        crawler = crawler_with_alerts(
            tmp_path, {**run_stats(200), "newscrawl/health/ok": False,
                       "newscrawl/health/reason": "run FAILED: 3 error(s) logged"},
            NEWSCRAWL_ALERT_EMAIL_TO="ops@example.org", MAIL_HOST="127.0.0.1", MAIL_PORT=port,
            NEWSCRAWL_ALERT_WEBHOOK_URL=url)
        alerts = crawler.get_extension(RunAlerts)
        assert alerts is not None
        alert = alerts.alert_for(spider_of(crawler))
        assert alert is not None
        alerts.send_all(alert)
    assert alerts.sent == {"email": None, "webhook": None}
    assert "3 error(s) logged" in mail.messages[0]["Subject"]
    assert len(hooks.posts) == 1


def test_a_degraded_run_alerts_unless_only_failures_are_wanted(tmp_path: Path) -> None:
    degraded = {**run_stats(200), "log_count/ERROR": 1, "newscrawl/health/ok": True,
                "newscrawl/health/reason": "finished"}
    command = shlex.join([sys.executable, "-c", "pass"])
    crawler = crawler_with_alerts(tmp_path / "a", degraded, NEWSCRAWL_ALERT_COMMAND=command)
    alerts = crawler.get_extension(RunAlerts)
    assert alerts is not None and alerts.alert_for(spider_of(crawler)) is not None
    crawler = crawler_with_alerts(tmp_path / "b", degraded, NEWSCRAWL_ALERT_COMMAND=command,
                                  NEWSCRAWL_ALERT_ON="failed")
    alerts = crawler.get_extension(RunAlerts)
    assert alerts is not None and alerts.alert_for(spider_of(crawler)) is None


def test_a_healthy_run_sends_nothing(tmp_path: Path) -> None:
    crawler = crawler_with_alerts(
        tmp_path, {**run_stats(200), "newscrawl/health/ok": True,
                   "newscrawl/health/reason": "finished"},
        NEWSCRAWL_ALERT_COMMAND=shlex.join([sys.executable, "-c", "pass"]))
    alerts = crawler.get_extension(RunAlerts)
    assert alerts is not None and alerts.alert_for(spider_of(crawler)) is None


def test_a_channel_that_fails_is_a_warning_and_the_others_still_send(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with webhook_sink() as (url, hooks), refusing_port() as mail_port:
        crawler = crawler_with_alerts(
            tmp_path, {**run_stats(200), "newscrawl/health/ok": False,
                       "newscrawl/health/reason": "run FAILED"},
            NEWSCRAWL_ALERT_EMAIL_TO="ops@example.org", MAIL_HOST="127.0.0.1",
            MAIL_PORT=mail_port, NEWSCRAWL_ALERT_WEBHOOK_URL=url)
        alerts = crawler.get_extension(RunAlerts)
        assert alerts is not None
        alert = alerts.alert_for(spider_of(crawler))
        assert alert is not None
        alerts.send_all(alert)
        with caplog.at_level(logging.INFO):
            alerts._count()
    assert alerts.sent["webhook"] is None and alerts.sent["email"]
    assert len(hooks.posts) == 1
    assert crawler.stats.get_value("newscrawl/alert/failed/email") == 1
    assert crawler.stats.get_value("newscrawl/alert/sent/webhook") == 1
    assert [r.levelname for r in caplog.records if "alert not sent" in r.message] == [
        "WARNING"]

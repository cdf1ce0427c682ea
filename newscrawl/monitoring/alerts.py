"""Alerts: a failed or degraded run, told through e-mail, a webhook or a command.

:func:`build_alert` makes the message from a run; :func:`send_email`, :func:`post_webhook`
and :func:`run_command` deliver it, each with a timeout, each raising :class:`AlertFailed`
with one line when it cannot. :class:`newscrawl.extensions.alerts.RunAlerts` decides when to
send and through which channels (all off by default).

* **E-mail** through SMTP with :mod:`smtplib`, configured by Scrapy's own ``MAIL_HOST``,
  ``MAIL_PORT``, ``MAIL_FROM``, ``MAIL_USER``, ``MAIL_PASS``, ``MAIL_TLS`` (STARTTLS) and
  ``MAIL_SSL`` (SMTPS).
* **Webhook**: an HTTP POST of JSON, ``{"text": …}`` as Slack's incoming webhooks (and
  Mattermost, Rocket.Chat, Teams' workflows) take it, plus the run's facts under
  ``"newscrawl"`` for other receivers.
* **Command**: run without a shell, the message on its standard input and
  ``NEWSCRAWL_ALERT_STATUS``, ``NEWSCRAWL_ALERT_SUBJECT``, ``NEWSCRAWL_ALERT_REPORT`` in its
  environment.
"""

from __future__ import annotations

import json
import os
import smtplib
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from newscrawl.monitoring.figures import key_figures
from newscrawl.monitoring.rundata import RunData


class AlertFailed(Exception):
    """A channel could not deliver the alert; ``str()`` is one line."""


@dataclass(frozen=True)
class Alert:
    subject: str
    text: str
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    ssl: bool = False


def build_alert(data: RunData, report: str | None) -> Alert:
    """The message about a run: its status and why, what did not pass, the key counts."""
    figures = key_figures(data.stats)
    not_ok = [f for f in data.findings if not f.ok]
    why = data.why or (not_ok[0].reason if not_ok else "")
    subject = f"[newscrawl] {data.spider} run {data.status.upper()}: {why}"[:200]
    lines = [
        f"Run of {data.spider} finished {data.finished or '?'} (UTC): {data.status.upper()}.",
        f"Verdict: {data.verdict or '(none)'}",
        "",
        *(f"- {f.severity.upper()} {f.name}: {f.reason}" for f in not_ok),
        "",
        f"Articles written: {figures['articles']} (new {figures['new']}, updated "
        f"{figures['updated']}); dropped: {sum(figures['dropped'].values())}",
        f"Pages: {figures['responses']} in {figures['elapsed_seconds']:.0f} s; errors logged: "
        f"{figures['errors']}; retries: {figures['retries']}",
        f"Output: {data.feed or '(no local feed)'}",
        f"Report: {report or '(none)'}",
    ]
    facts = {"spider": data.spider, "status": data.status, "verdict": data.verdict,
             "finished": data.finished, "feed": data.feed, "report": report,
             "articles": figures["articles"],
             "findings": [f.to_dict() for f in not_ok]}
    return Alert(subject, "\n".join(lines) + "\n", facts)


def send_email(alert: Alert, config: SmtpConfig, timeout: float) -> None:
    message = EmailMessage()
    message["Subject"] = alert.subject
    message["From"] = config.sender
    message["To"] = ", ".join(config.recipients)
    message.set_content(alert.text)
    smtp_class = smtplib.SMTP_SSL if config.ssl else smtplib.SMTP
    try:
        with smtp_class(config.host, config.port, timeout=timeout) as smtp:
            if config.starttls and not config.ssl:
                smtp.starttls()
            if config.user:
                smtp.login(config.user, config.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise AlertFailed(f"e-mail via {config.host}:{config.port}: {exc}") from exc


def post_webhook(alert: Alert, url: str, timeout: float) -> None:
    payload = {"text": f"*{alert.subject}*\n{alert.text}", "newscrawl": alert.facts}
    request = urllib.request.Request(
        url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8",
                 "User-Agent": "newscrawl-alerts"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except (OSError, urllib.error.URLError) as exc:  # HTTPError is a URLError
        raise AlertFailed(f"webhook {url}: {exc}") from exc


def run_command(alert: Alert, argv: list[str], timeout: float) -> None:
    env = {**os.environ, "NEWSCRAWL_ALERT_STATUS": str(alert.facts.get("status", "")),
           "NEWSCRAWL_ALERT_SUBJECT": alert.subject,
           "NEWSCRAWL_ALERT_REPORT": str(alert.facts.get("report") or "")}
    try:
        done = subprocess.run(argv, input=alert.text, text=True, capture_output=True,
                              timeout=timeout, env=env, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AlertFailed(f"command {argv[0]}: {exc}") from exc
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] or [""]
        raise AlertFailed(f"command {argv[0]} exited {done.returncode} {tail[0]}".strip())

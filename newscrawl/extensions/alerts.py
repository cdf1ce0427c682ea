"""Alert someone when a run failed or is degraded (off until a channel is configured).

:class:`RunAlerts` (``EXTENSIONS``, after ``RunHealth`` and ``RunReport``) looks at the run
at ``spider_closed``: when it failed (the health verdict or a failing monitor), or, with
``NEWSCRAWL_ALERT_ON=degraded`` (the default), when a monitor warned, it sends
:func:`newscrawl.monitoring.alerts.build_alert` through every configured channel, in a
thread (the crawl waits for it, each channel within ``NEWSCRAWL_ALERT_TIMEOUT_SECONDS``):

* ``NEWSCRAWL_ALERT_EMAIL_TO``: e-mail addresses; SMTP through Scrapy's ``MAIL_*`` settings;
* ``NEWSCRAWL_ALERT_WEBHOOK_URL``: a Slack-style incoming webhook;
* ``NEWSCRAWL_ALERT_COMMAND``: a command line (split like a shell would, run without one).

A channel that fails is logged as a WARNING (an alert must not fail the run it reports on)
and counted in ``newscrawl/alert/failed/<channel>``; one that delivers, in
``newscrawl/alert/sent/<channel>``.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Self

from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from twisted.internet import threads

from newscrawl.config import BadSetting, read_bool, read_choice, read_float, read_int, read_list
from newscrawl.config import read_url as read_http_url
from newscrawl.extensions.monitor import RunMonitor
from newscrawl.extensions.report import RunReport
from newscrawl.monitoring.alerts import (
    Alert,
    AlertFailed,
    SmtpConfig,
    build_alert,
    post_webhook,
    run_command,
    send_email,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

Channel = Callable[[Alert], None]


def smtp_config(settings: BaseSettings, recipients: list[str]) -> SmtpConfig:
    """Scrapy's ``MAIL_*`` settings, checked."""
    for address in recipients:
        if "@" not in address:
            raise BadSetting("NEWSCRAWL_ALERT_EMAIL_TO", "must list e-mail addresses", address)
    return SmtpConfig(
        host=str(settings.get("MAIL_HOST") or "localhost"),
        port=read_int(settings, "MAIL_PORT", minimum=1, maximum=65535),
        sender=str(settings.get("MAIL_FROM") or "newscrawl@localhost"),
        recipients=tuple(recipients),
        user=str(settings.get("MAIL_USER")) if settings.get("MAIL_USER") else None,
        password=str(settings.get("MAIL_PASS")) if settings.get("MAIL_PASS") else None,
        starttls=read_bool(settings, "MAIL_TLS"),
        ssl=read_bool(settings, "MAIL_SSL"),
    )


class RunAlerts:
    """Sends the run's alert at ``spider_closed`` (see the module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.on = read_choice(settings, "NEWSCRAWL_ALERT_ON", ("failed", "degraded"))
        timeout = read_float(settings, "NEWSCRAWL_ALERT_TIMEOUT_SECONDS", above=True)
        self.channels: dict[str, Channel] = {}
        recipients = read_list(settings, "NEWSCRAWL_ALERT_EMAIL_TO")
        if recipients:
            smtp = smtp_config(settings, recipients)
            self.channels["email"] = lambda alert: send_email(alert, smtp, timeout)
        if settings.get("NEWSCRAWL_ALERT_WEBHOOK_URL"):
            url = read_http_url(settings, "NEWSCRAWL_ALERT_WEBHOOK_URL")
            self.channels["webhook"] = lambda alert: post_webhook(alert, url, timeout)
        command = str(settings.get("NEWSCRAWL_ALERT_COMMAND") or "").strip()
        if command:
            try:
                argv = shlex.split(command)
            except ValueError as exc:
                raise BadSetting("NEWSCRAWL_ALERT_COMMAND", f"cannot be split ({exc})",
                                 command) from None
            self.channels["command"] = lambda alert: run_command(alert, argv, timeout)
        if not self.channels:  # the default: no message, or Scrapy warns on every run
            raise NotConfigured
        self.sent: dict[str, str | None] = {}
        """Channel → None when delivered, else why not (after the run)."""
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_closed(self, spider: Spider) -> Deferred[None] | None:
        alert = self.alert_for(spider)
        if alert is None:
            return None
        deferred: Deferred[None] = threads.deferToThread(self.send_all, alert)
        deferred.addCallback(lambda _: self._count())
        return deferred

    def alert_for(self, spider: Spider) -> Alert | None:
        """The alert this run calls for, or None (call it after the health verdict)."""
        monitor = self.crawler.get_extension(RunMonitor)
        if monitor is None:
            logger.warning("no alert: the run monitor is off (NEWSCRAWL_MONITOR_ENABLED)")
            return None
        data = monitor.run_data(spider)
        if data.status == "ok" or (data.status == "degraded" and self.on == "failed"):
            return None
        report = self.crawler.get_extension(RunReport)
        return build_alert(data, str(report.path) if report and report.path else None)

    def send_all(self, alert: Alert) -> None:
        """Every channel, each on its own (in a thread during a crawl)."""
        for name, send in self.channels.items():
            try:
                send(alert)
            except AlertFailed as exc:
                self.sent[name] = str(exc)
            else:
                self.sent[name] = None

    def _count(self) -> None:  # on the reactor thread, after send_all
        stats = self.crawler.stats
        assert stats is not None
        for name, problem in self.sent.items():
            if problem is None:
                stats.inc_value(f"newscrawl/alert/sent/{name}")
                logger.info("alert sent by %s", name)
            else:
                stats.inc_value(f"newscrawl/alert/failed/{name}")
                logger.warning("alert not sent: %s", problem)

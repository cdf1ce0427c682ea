"""Crawls run inside the test process, as Scrapy's own tests run them: the project's spider with
every component (``settings.py`` as ``scrapy crawl`` loads it), on the asyncio reactor that
``tests/conftest.py`` installs, driven by ``AsyncCrawlerRunner``; the replica (or a test's own
server) serves in a thread on a port the OS picks.

The reactor is started once, on first use (``startRunning``: it fires Twisted's start-up
triggers), and each crawl runs its event loop until that crawl is over. Results are read from
the crawler itself (``crawler.stats``, ``item_scraped``) and from the rejects file the run
writes beside its feed.
"""

from __future__ import annotations

import asyncio
import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.utils.test import get_reactor_settings

from newscrawl.demosite.server import DemoServer, Handler, handle, make_server
from newscrawl.spiders.kangnamtimes import KangnamTimesSpider
from tests.support import project_settings

#: A local replica needs none of the live-site politeness; no state carried between crawls, no
#: consoles.
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "NEWSCRAWL_STATE_ENABLED": False,
        "LOG_LEVEL": "INFO", "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False}


def event_loop() -> asyncio.AbstractEventLoop:
    """The reactor's event loop, the reactor marked as running (once)."""
    from twisted.internet import reactor

    if not reactor.running:
        reactor.startRunning(installSignalHandlers=False)
    loop: asyncio.AbstractEventLoop = reactor._asyncioEventloop
    asyncio.set_event_loop(loop)  # asyncio.run() elsewhere in the session unsets it
    return loop


@dataclass
class Run:
    """A finished crawl: its crawler (stats), the items written (``item_scraped``) and the
    lines of its rejects file."""

    crawler: Crawler
    items: list[Any] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stats(self) -> dict[str, Any]:
        return self.crawler.stats.get_stats()

    def rejects_by_id(self) -> dict[str | None, list[str]]:
        """Article id → the reasons of its reject lines."""
        out: dict[str | None, list[str]] = {}
        for reject in self.rejects:
            out.setdefault(reject["article_id"], []).append(reject["reason"])
        return out


def crawl(tmp_path: Path, base_url: str, spargs: dict[str, Any] | None = None,
          **overrides: Any) -> Run:
    """Crawl ``base_url`` with the project's settings (``FAST``, then ``overrides``); the run's
    files go under ``tmp_path``."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    files = {"NEWSCRAWL_STATE_PATH": str(tmp_path / "state.sqlite3"),
             "NEWSCRAWL_LOCK_PATH": str(tmp_path / "run.lock"),
             "FEEDS": {str(tmp_path / "out.jsonl"): {"format": "jsonl"}}}
    settings = project_settings(**{**FAST, **files, "NEWSCRAWL_BASE_URL": base_url,
                                   **overrides, **get_reactor_settings()})
    loop = event_loop()
    runner = AsyncCrawlerRunner(settings)
    crawler = runner.create_crawler(KangnamTimesSpider)
    run = Run(crawler)

    def scraped(item: Any) -> None:
        run.items.append(item)

    crawler.signals.connect(scraped, signal=signals.item_scraped)
    loop.run_until_complete(runner.crawl(crawler, **(spargs or {})))
    rejects = tmp_path / "out.rejects.jsonl"
    if rejects.exists():
        run.rejects = [json.loads(line) for line in rejects.read_text("utf-8").splitlines()]
    return run


@contextmanager
def serving(articles: int = 40, handler: Handler = handle) -> Iterator[DemoServer]:
    """The replica (``handler`` in front of it) in a thread; ``server.request_log`` holds one
    line per request: method, target, status, Host header."""
    server = make_server("127.0.0.1", 0, articles, quiet=True, handler=handler)
    server.request_log = io.StringIO()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def requested_paths(server: DemoServer) -> list[str]:
    """The request targets the server saw, in order."""
    assert isinstance(server.request_log, io.StringIO)
    return [line.split()[1] for line in server.request_log.getvalue().splitlines()]


"""Suite-wide set-up: the asyncio reactor the project runs on, installed once, as Scrapy's own
test suite does, so crawlers built in process (``tests.support``) use the real download
handlers and the real event loop."""

from __future__ import annotations

import pytest
from scrapy.utils.reactor import install_reactor

from newscrawl import settings as project


def pytest_configure(config: pytest.Config) -> None:
    install_reactor(project.TWISTED_REACTOR)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the reactor's thread pool (name resolution starts it): crawls run in process never
    stop the reactor, which is what stops the pool in ``scrapy crawl``, and its threads would
    keep the test process from exiting."""
    from twisted.internet import reactor

    pool = getattr(reactor, "threadpool", None)
    if pool is not None and not pool.joined:  # stopped already when a test stopped the reactor
        pool.stop()

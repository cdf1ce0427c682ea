"""Fixtures of the state tests: the reactor's thread pool for crawls run in process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def reactor_threads() -> Iterator[None]:
    """Start the reactor's thread pool (the state syncs its feed file there) for crawls run
    on the asyncio loop without ``reactor.run()`` (which can run once per process), and stop
    it at the end of the session (its threads would keep the process alive)."""
    from twisted.internet import reactor  # imported here: the suite installs its reactor first

    pool = reactor.getThreadPool()
    if not pool.started:
        pool.start()
    yield
    pool.stop()

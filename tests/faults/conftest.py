"""A faulty replica in a thread: every article misbehaves in one chosen way."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from newscrawl.demosite.faults import FaultConfig, FaultyHandler
from newscrawl.demosite.server import DemoServer, make_server

ARTICLES = 40


@dataclass
class Faulty:
    server: DemoServer
    base_url: str
    log: io.StringIO

    def requests(self) -> list[str]:
        return self.log.getvalue().splitlines()


@contextmanager
def faulty_server(config: FaultConfig, articles: int = ARTICLES) -> Iterator[Faulty]:
    server = make_server("127.0.0.1", 0, articles, quiet=True, handler=FaultyHandler(config))
    server.request_log = io.StringIO()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Faulty(server, server.base_url, server.request_log)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def serve_fault() -> Iterator[Callable[..., Faulty]]:
    """``serve_fault("http_503")``: a replica whose every article has that fault."""
    with ExitStack() as stack:

        def start(kind: str, **knobs: Any) -> Faulty:
            config = FaultConfig(seed=1, rate=1.0, only=(kind,), **knobs)
            return stack.enter_context(faulty_server(config))

        yield start

"""A time limit for a parse in the crawl process.

A parse in a worker process is stopped from outside (:mod:`newscrawl.pages.workers`). In the
crawl process nothing can stop it from outside, so the parse is interrupted from inside: a
real-time timer (``setitimer``) raises :class:`~newscrawl.pages.article.PageFailed`
(``parser_timeout``) in the parse when the limit passes, and the page is rejected with that
reason by :class:`~newscrawl.middlewares.failures.CallbackFailures` while the crawl goes on.

Python delivers the signal between two of its instructions, so a parse caught in Python (a
loop, a regular expression backtracking: ``re`` checks for signals as it goes) is stopped on
time; one caught inside a single call to C that never checks (libxml2) is stopped when that
call returns. The timer works in the main thread only (where ``scrapy crawl`` runs the
engine); elsewhere, and on systems without ``setitimer``, the parse runs without a limit. An
alarm set by other code (pytest-timeout's, say) is left to fire first when it is due first,
and is set again, less the time the parse took, when it is due later. The
parse holds no lock and changes nothing shared but caches, which it fills only with finished
values, so an interrupted parse leaves nothing half done.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from newscrawl.pages.article import PageFailed


@contextmanager
def parse_deadline(seconds: float | None) -> Iterator[None]:
    """Run the body with ``PageFailed("parser_timeout", …)`` raised in it once ``seconds`` have
    passed (None or 0: no limit). The timer is disarmed, and SIGALRM's handler given back,
    on the way out; a signal that arrives after that finds nothing to interrupt and is
    ignored."""
    if (not seconds or threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "setitimer")):
        yield
        return
    outer, interval = signal.getitimer(signal.ITIMER_REAL)
    if outer and outer <= seconds:  # another alarm comes first: it stands
        yield
        return
    started = time.monotonic()
    armed = True

    def expire(signum: int, frame: FrameType | None) -> None:
        if armed:
            raise PageFailed("parser_timeout", f"parsing took more than {seconds:g} s "
                                               "(NEWSCRAWL_PARSE_TIMEOUT_SECONDS)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        if outer:  # the other alarm goes on, less the time the parse took
            left = outer - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6), interval)

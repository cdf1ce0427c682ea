"""A parse in the crawl process is interrupted once NEWSCRAWL_PARSE_TIMEOUT_SECONDS pass
(:mod:`newscrawl.pages.deadline`)."""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from newscrawl.pages.article import PageFailed
from newscrawl.pages.deadline import parse_deadline


@contextmanager
def no_other_alarm() -> Iterator[None]:
    """No alarm of pytest-timeout's for a while (it is set again after)."""
    remaining, interval = signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        yield
    finally:
        if remaining:
            signal.setitimer(signal.ITIMER_REAL, remaining, interval)


def backtrack() -> None:
    """A regular expression that backtracks for seconds (2**27 ways to split the a's)."""
    re.match(r"(a+)+$", "a" * 27 + "b")


def test_a_regular_expression_backtracking_is_interrupted() -> None:
    with pytest.raises(PageFailed) as failed, parse_deadline(0.2):
        backtrack()
    assert failed.value.reason == "parser_timeout"
    assert failed.value.detail == "parsing took more than 0.2 s (NEWSCRAWL_PARSE_TIMEOUT_SECONDS)"


def test_the_timer_and_the_handler_are_given_back() -> None:
    def mine(signum: int, frame: object) -> None:
        raise AssertionError("not expected")

    previous = signal.signal(signal.SIGALRM, mine)
    try:
        with no_other_alarm():
            with parse_deadline(5):
                pass
            assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
            assert signal.getsignal(signal.SIGALRM) is mine
            with pytest.raises(PageFailed), parse_deadline(0.1):
                time.sleep(30)
            assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
            assert signal.getsignal(signal.SIGALRM) is mine
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_a_signal_after_the_parse_interrupts_nothing() -> None:
    """The handler stays in place a moment after the parse (the last instructions of the
    ``with``): a signal that lands then is ignored."""
    with parse_deadline(5):
        handler = signal.getsignal(signal.SIGALRM)
    assert callable(handler)
    handler(signal.SIGALRM, None)  # as if it fired after the parse: no PageFailed


@pytest.mark.parametrize("seconds", [0, None])
def test_no_limit(seconds: float | None) -> None:
    with parse_deadline(seconds):
        pass
    with no_other_alarm(), parse_deadline(seconds):
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_another_alarm_due_first_stands_and_one_due_later_is_set_again() -> None:
    """pytest-timeout's alarm, for one, is kept: it still fires when due."""
    with no_other_alarm():
        fired: list[str] = []
        previous = signal.signal(signal.SIGALRM, lambda *_: fired.append("other"))
        try:
            signal.setitimer(signal.ITIMER_REAL, 0.2)
            with parse_deadline(60):
                signal.pause()  # until the other alarm, whose handler returns
            assert fired == ["other"]
            signal.setitimer(signal.ITIMER_REAL, 50)
            with pytest.raises(PageFailed), parse_deadline(0.1):
                time.sleep(30)
            left = signal.getitimer(signal.ITIMER_REAL)[0]
            assert 0 < left < 50
            assert fired == ["other"]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def test_outside_the_main_thread_the_parse_runs_without_a_limit() -> None:
    outcome: list[str] = []

    def parse() -> None:
        try:
            with parse_deadline(0.05):
                time.sleep(0.3)
            outcome.append("finished")
        except PageFailed:
            outcome.append("interrupted")

    thread = threading.Thread(target=parse)
    thread.start()
    thread.join()
    assert outcome == ["finished"]

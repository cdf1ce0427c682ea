"""Progress of a running crawl: one line of pages, articles, rates, queue and ETA.

:class:`ProgressMeter` shows it in one of two ways, never both:

* **live**, when its stream (stderr) is a terminal: the line is redrawn in place
  (``\\r`` … erase to end of line) every :data:`LIVE_REFRESH_SECONDS`; a log record written
  to the same terminal first erases it (:class:`ClearLineFilter`), so the two never mix;
* **log**, otherwise (cron, a pipe, a file): the same line as an INFO log record every
  ``NEWSCRAWL_PROGRESS_INTERVAL_SECONDS``.

The ETA is given only where it can be estimated: when the run stops at a number of articles
(``NEWSCRAWL_MAX_ARTICLES``, ``CLOSESPIDER_ITEMCOUNT``) or at a time
(``CLOSESPIDER_TIMEOUT``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TextIO

logger = logging.getLogger(__name__)

LIVE_REFRESH_SECONDS = 1.0
CLEAR_LINE = "\r\x1b[K"


@dataclass(frozen=True)
class Snapshot:
    """The crawl at one moment."""

    elapsed: float
    pages: int
    articles: int
    queued: int
    """Requests waiting in the scheduler and in the downloader."""
    article_limit: int = 0
    """Articles at which the run stops (0: none)."""
    time_limit: float = 0.0
    """Seconds after which the run stops (0: none)."""


def eta_seconds(snapshot: Snapshot) -> float | None:
    """Seconds left, when a limit makes it knowable (and the rate so far is not zero)."""
    estimates = []
    if snapshot.article_limit and snapshot.articles and snapshot.elapsed > 0:
        rate = snapshot.articles / snapshot.elapsed
        estimates.append(max(0, snapshot.article_limit - snapshot.articles) / rate)
    if snapshot.time_limit:
        estimates.append(max(0.0, snapshot.time_limit - snapshot.elapsed))
    return min(estimates) if estimates else None


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def progress_line(snapshot: Snapshot) -> str:
    """``pages 1,204 (40.1/s) · articles 380 (12.7/s) · queued 85 · 0m30s · ETA 1m10s``"""
    elapsed = max(snapshot.elapsed, 1e-9)
    parts = [f"pages {snapshot.pages:,} ({snapshot.pages / elapsed:.1f}/s)",
             f"articles {snapshot.articles:,}"
             + (f"/{snapshot.article_limit:,}" if snapshot.article_limit else "")
             + f" ({snapshot.articles / elapsed:.1f}/s)",
             f"queued {snapshot.queued:,}", _duration(snapshot.elapsed)]
    eta = eta_seconds(snapshot)
    if eta is not None:
        parts.append(f"ETA {_duration(eta)}")
    return " · ".join(parts)


class ClearLineFilter(logging.Filter):
    """On a handler that writes to the live line's terminal: erase the line first."""

    def __init__(self, meter: ProgressMeter) -> None:
        super().__init__()
        self.meter = meter

    def filter(self, record: logging.LogRecord) -> bool:
        self.meter.clear()
        return True


class ProgressMeter:
    """Shows snapshots live on a terminal, or as log records (see the module doc)."""

    def __init__(self, stream: TextIO, *, live: bool | None = None) -> None:
        self.stream = stream
        self.live = _isatty(stream) if live is None else live
        self._shown = False
        self._filters: list[tuple[logging.Handler, ClearLineFilter]] = []

    def show(self, snapshot: Snapshot) -> None:
        line = progress_line(snapshot)
        if self.live:
            self.stream.write(CLEAR_LINE + line)
            self.stream.flush()
            self._shown = True
        else:
            logger.info("progress: %s", line)

    def clear(self) -> None:
        """Erase the live line (before a log record, and at the end)."""
        if self._shown:
            self.stream.write(CLEAR_LINE)
            self.stream.flush()
            self._shown = False

    def attach(self, root: logging.Logger | None = None) -> None:
        """Live: make every handler that writes to the same terminal erase the line first."""
        if not self.live:
            return
        for handler in (root or logging.getLogger()).handlers:
            if _same_stream(getattr(handler, "stream", None), self.stream):
                log_filter = ClearLineFilter(self)
                handler.addFilter(log_filter)
                self._filters.append((handler, log_filter))

    def detach(self) -> None:
        self.clear()
        for handler, log_filter in self._filters:
            handler.removeFilter(log_filter)
        self._filters.clear()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a real file
        return False


def _same_stream(a: object, b: TextIO) -> bool:
    if a is b:
        return True
    try:
        return a is not None and a.fileno() == b.fileno()  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False

"""One run per site at a time: an exclusive ``flock`` on ``NEWSCRAWL_LOCK_PATH``
(``state/%(name)s-%(site)s.lock``).

The kernel releases a ``flock`` when its holder dies, however it dies, so a lock left by a
killed run is simply taken over; the pid, host and start time written in the file are for the
message of the run that is refused (and for the log line of the run that takes over a dead
one's lock). The file is never deleted: deleting a locked file lets a third run lock a new
inode while the second still holds the old one.

The lock is taken when the extension is built, before the engine exists and before any feed
or state file is opened; a refused run raises :class:`RunLocked`, which the ``crawl`` command
(:mod:`newscrawl.commands.crawl`) turns into one log line and exit status 75.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.config import read_path, read_url
from newscrawl.paths import site_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

EXIT_LOCKED = 75
"""Exit status of a run refused because another one holds the lock (``EX_TEMPFAIL``)."""


@dataclass(frozen=True)
class LockHolder:
    """What a lock file says about the run holding it."""

    pid: int | None
    host: str = ""
    started: str = ""
    spider: str = ""


class RunLocked(Exception):
    """Another run holds the lock."""

    def __init__(self, path: Path, holder: LockHolder | None) -> None:
        self.path = path
        self.holder = holder
        if holder and holder.pid:
            who = f"pid {holder.pid} on {holder.host or '?'}, started {holder.started or '?'}"
        else:
            who = "a process that left no pid in the lock file"
        super().__init__(f"another run is active ({who}); lock file {path}")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_holder(fd: int) -> LockHolder | None:
    raw = os.pread(fd, 4096, 0)
    try:
        data = json.loads(raw)
        return LockHolder(pid=int(data["pid"]), host=str(data.get("host", "")),
                          started=str(data.get("started", "")),
                          spider=str(data.get("spider", "")))
    except (ValueError, KeyError, TypeError):
        return None


def acquire(path: Path, spider: str = "") -> int:
    """Lock *path* for this process and write who holds it; return the file descriptor.

    Raises :class:`RunLocked` at once (never waits) when another process holds it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = read_holder(fd)
        os.close(fd)
        raise RunLocked(path, holder) from None
    previous = read_holder(fd)
    if previous and previous.pid and previous.host == socket.gethostname():
        state = "still running" if pid_alive(previous.pid) else "dead"
        logger.info("taking over the lock %s left by pid %s (%s)", path, previous.pid, state)
    me = LockHolder(pid=os.getpid(), host=socket.gethostname(),
                    started=datetime.now(UTC).isoformat(timespec="seconds"), spider=spider)
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(asdict(me)) + "\n").encode(), 0)
    return fd


def release(fd: int) -> None:
    """Empty the lock file and unlock it."""
    try:
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class RunLock:
    """Holds ``NEWSCRAWL_LOCK_PATH`` from the crawler's start to the engine's stop."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLock:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        name = crawler.spider.name if crawler.spider else "default"
        site = site_key(read_url(crawler.settings, "NEWSCRAWL_BASE_URL"))
        path = read_path(crawler.settings, "NEWSCRAWL_LOCK_PATH", {"name": name, "site": site})
        if path is None:
            raise NotConfigured("NEWSCRAWL_LOCK_PATH is empty")
        self.path = path
        self._fd: int | None = acquire(self.path, spider=name)
        logger.info("holding the run lock %s", self.path)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def engine_stopped(self) -> None:
        if self._fd is not None:
            release(self._fd)
            self._fd = None

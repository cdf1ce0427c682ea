"""One run at a time over a state and its outputs: exclusive ``flock`` s on lock files keyed on
what the run writes, never on the site's host name.

The run locks:

* its state file: ``<NEWSCRAWL_STATE_PATH>.lock`` (with the SQLite state on), so two runs on
  one state never overlap, whatever ``base_url`` each names (``127.0.0.1`` and ``localhost``
  of one replica included);
* each of its output templates: a hidden ``.<name>.lock`` beside them
  (``output/kangnamtimes/.{time}.jsonl.lock``, ``.out.jsonl.lock`` for ``-O out.jsonl``), so
  two runs never write, publish or recover the same files;
* ``NEWSCRAWL_LOCK_PATH`` too, when set (an extra lock: one per site by default).

The kernel releases a ``flock`` when its holder dies, however it dies, so the locks of a
killed run are simply taken over; the pid, host and start time written in each file are for
the message of a refused run and for the log line of the run that takes over. Lock files are
never deleted: deleting a locked file lets a third run lock a new inode while the second still
holds the old one.

The locks are taken when the extension is built, before the engine exists and before any feed
or state file is opened; a refused run raises :class:`RunLocked`, which the ``crawl`` command
(:mod:`newscrawl.commands.verdict`) turns into one log line and exit status 75. Holding them,
the run publishes at ``spider_opened`` the ``.part`` files a killed run left
(:func:`newscrawl.state.journal.recover_parts`), before the state reads the outputs.
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

from newscrawl.config import BadSetting, path_params, read_path, writable_problem
from newscrawl.feeds import output_files
from newscrawl.paths import lock_path_for, time_token
from newscrawl.state.journal import recover_parts
from newscrawl.state.service import configured_state

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

EXIT_LOCKED = 75
"""Exit status of a run refused because another one holds the lock (``EX_TEMPFAIL``)."""
STAT_RECOVERED = "newscrawl/delivery/recovered_files"
"""Files of killed runs published at start (the state adds those it finds in its journal)."""


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


@dataclass(frozen=True)
class Held:
    """A lock this process holds, and who held it before (a run that died, or finished)."""

    fd: int
    path: Path
    previous: LockHolder | None


def acquire(path: Path, spider: str = "") -> Held:
    """Lock *path* for this process and write who holds it.

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
    me = LockHolder(pid=os.getpid(), host=socket.gethostname(),
                    started=datetime.now(UTC).isoformat(timespec="seconds"), spider=spider)
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(asdict(me)) + "\n").encode(), 0)
    return Held(fd, path, previous)


def release(held: Held) -> None:
    """Empty the lock file and unlock it."""
    try:
        os.ftruncate(held.fd, 0)
        fcntl.flock(held.fd, fcntl.LOCK_UN)
    finally:
        os.close(held.fd)


def acquire_all(paths: list[Path], spider: str = "") -> list[Held]:
    """Lock every path, or none (releasing those taken when one is held elsewhere)."""
    held: list[Held] = []
    try:
        for path in paths:
            held.append(acquire(path, spider))
    except BaseException:
        for lock in held:
            release(lock)
        raise
    return held


def lock_paths(crawler: Crawler) -> list[Path]:
    """The lock files of a run (see the module doc), each once, in a fixed order."""
    settings = crawler.settings
    name = crawler.spider.name if crawler.spider else "default"
    paths: list[Path] = []
    state = configured_state(settings, name)
    if state is not None and state.path is not None:
        paths.append(state.path.with_name(state.path.name + ".lock"))
    for template in output_files(crawler).templates():
        lock = lock_path_for(template)
        problem = writable_problem(lock)
        if problem is not None:
            raise BadSetting("FEEDS", f"cannot write beside {template} ({problem})")
        paths.append(lock)
    extra = read_path(settings, "NEWSCRAWL_LOCK_PATH", path_params(settings, name))
    if extra is not None:
        paths.append(extra)
    unique: dict[str, Path] = {}
    for path in paths:
        unique.setdefault(os.path.abspath(path), path)
    return list(unique.values())


class RunLock:
    """Holds the run's locks from the crawler's start to the engine's stop, and finishes the
    output of the killed run it takes them over from."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLock:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        name = crawler.spider.name if crawler.spider else "default"
        self.spider_name = name
        self.paths = lock_paths(crawler)
        self._held = acquire_all(self.paths, spider=name)
        logger.info("holding the run lock(s) %s", ", ".join(map(str, self.paths)))
        previous = next((lock.previous for lock in self._held
                         if lock.previous and lock.previous.pid), None)
        if previous and previous.pid and previous.host == socket.gethostname():
            state = "still running" if pid_alive(previous.pid) else "dead"
            logger.info("taking over the locks left by pid %s (%s)", previous.pid, state)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @property
    def held(self) -> bool:
        return bool(self._held)

    def previous_start(self) -> datetime | None:
        """When the run that held these locks before started (the killed run, if any)."""
        for lock in self._held:
            if lock.previous and lock.previous.started:
                try:
                    return datetime.fromisoformat(lock.previous.started)
                except ValueError:
                    continue
        return None

    def spider_opened(self) -> None:
        """Publish the ``.part`` files of a killed run (before the state reads the outputs).

        The release is connected now, after every other component connected its own
        ``engine_stopped`` handler, so the locks are released last: after the state has
        recorded the last lines and the summary is written."""
        self.crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)
        patterns = output_files(self.crawler).patterns(self.spider_name)
        token = time_token(self.previous_start())
        recovered = recover_parts(patterns, token)
        if recovered:
            self.crawler.stats.inc_value(STAT_RECOVERED, len(recovered))

    def engine_stopped(self) -> None:
        held, self._held = self._held, []
        for lock in held:
            release(lock)

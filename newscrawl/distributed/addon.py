"""The add-on that turns the distributed mode on: ``NEWSCRAWL_REDIS_URL`` set, nothing else.

Off (the default, an empty URL) it changes nothing: the embedded crawl stays exactly as it is.
On, it checks that Redis answers (else one line, exit status 2) and installs

* scrapy-redis's scheduler with our frontier and duplicate filter
  (:class:`~newscrawl.distributed.scheduler.RedisScheduler`, ``SCHEDULER_PERSIST``);
* :class:`~newscrawl.distributed.member.ClusterMember` (extension, before the state keeper:
  it hands it the Redis state) and :class:`~newscrawl.distributed.seeds.SeedOnce` (spider
  middleware: the seeds once per crawl);
* a **worker slot** on this machine, so several workers can run side by side: slot ``N`` is
  the first whose claim file ``<lock stem>.w<N>.claim`` no live process holds (a ``flock`` held
  for the life of the process, released by the kernel however it dies). The run lock becomes
  ``<lock stem>.w<N>.lock`` and the default feed ``<feed stem>.<host>-w<N>.jsonl``: each
  worker writes its own files (never the same ``.part`` file) and keeps its own journal of
  them in Redis, so no worker mistakes another live worker's ``.part`` for a killed run's. The
  next worker in a dead worker's slot publishes the ``.part`` file it left and reconciles the
  state with it, as a single run does after a kill; a worker that joins also adopts the journal
  of every other dead slot of its machine (one nobody took again, e.g. a run with fewer
  workers). ``-O``/``-o`` feeds are the user's: give each worker its own.

Listed in ``ADDONS`` before ``newscrawl.feeds.DefaultFeed``, which builds ``FEEDS`` from the
feed URI this add-on made per worker.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl.config import path_params
from newscrawl.distributed.url import masked, redis_url
from newscrawl.paths import PLACEHOLDER, fill_params

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

PACKAGE = "newscrawl.distributed"
MAX_SLOTS = 256


def host_label() -> str:
    """This machine's name, safe in a file name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", socket.gethostname()) or "host"


def claim_path(lock_path: Path, slot: int) -> Path:
    """The claim file of worker slot ``slot`` beside the run lock ``lock_path``."""
    return lock_path.with_name(f"{lock_path.stem}.w{slot}.claim")


def try_claim(lock_path: Path, slot: int) -> int | None:
    """The fd of ``slot``'s claim file, now held by this process; None when a live process
    holds it. The kernel releases the claim however the holder dies."""
    fd = os.open(claim_path(lock_path, slot), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def claim_slot(lock_path: Path) -> tuple[int, int]:
    """The first free worker slot beside *lock_path*: (slot, fd of its held claim file)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    for slot in range(MAX_SLOTS):
        fd = try_claim(lock_path, slot)
        if fd is not None:
            return slot, fd
    raise RuntimeError(f"{MAX_SLOTS} workers already run beside {lock_path}")


def per_slot(template: str, suffix: str) -> str:
    """``output/%(name)s/%(time)s.jsonl`` → ``output/%(name)s/%(time)s<suffix>.jsonl``."""
    path = Path(template)
    return str(path.with_name(f"{path.stem}{suffix}{path.suffix}"))


class DistributedMode:
    """Add-on: the distributed mode when ``NEWSCRAWL_REDIS_URL`` is set (module doc)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedMode:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.slot: int | None = None
        self.lock_path: Path | None = None
        """The run lock the slots are claimed beside (before the slot is added to its name)."""
        self._claim_fd: int | None = None  # held for the life of the process

    @classmethod
    def of(cls, crawler: Crawler) -> DistributedMode | None:
        """This crawler's instance of the add-on, if it is enabled."""
        return next((addon for addon in crawler.addons.addons if isinstance(addon, cls)), None)

    def update_settings(self, settings: BaseSettings) -> None:
        url = redis_url(settings)
        if not url:
            return
        from newscrawl.distributed.connection import connect  # redis: imported only when on

        connect(url).close()  # BadSetting (one line, exit 2) when Redis does not answer
        settings.set("SCHEDULER", f"{PACKAGE}.scheduler.RedisScheduler", priority="addon")
        settings.set("DUPEFILTER_CLASS", f"{PACKAGE}.scheduler.FingerprintDupeFilter",
                     priority="addon")
        settings.set("SCHEDULER_PERSIST", True, priority="addon")
        # The state lives in Redis (ClusterMember swaps the keeper's store when the worker
        # joins): no state file is opened, nor locked, so workers on one machine coexist.
        settings.set("NEWSCRAWL_STATE_BACKEND", "memory",
                     priority=max(settings.getpriority("NEWSCRAWL_STATE_BACKEND") or 0,
                                  SETTINGS_PRIORITIES["addon"]))
        from newscrawl.distributed.member import ClusterMember  # not imported when off
        from newscrawl.distributed.seeds import SeedOnce

        settings.set_in_component_priority_dict("EXTENSIONS", ClusterMember, 3)
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", SeedOnce, 50)
        self._per_worker_files(settings)
        logger.info("distributed mode: Redis at %s, worker slot %s on %s", masked(url),
                    self.slot, host_label())

    def _per_worker_files(self, settings: BaseSettings) -> None:
        lock = settings.get("NEWSCRAWL_LOCK_PATH")
        if not lock:
            return
        name = self.crawler.spider.name if self.crawler.spider else "default"
        lock_path = Path(fill_params(str(lock), path_params(settings, name)))
        if PLACEHOLDER.search(str(lock_path)):
            return  # an unknown placeholder: leave it to the lock to complain
        self.slot, self._claim_fd = claim_slot(lock_path)
        self.lock_path = lock_path
        slot_lock = lock_path.with_name(f"{lock_path.stem}.w{self.slot}{lock_path.suffix}")
        settings.set("NEWSCRAWL_LOCK_PATH", str(slot_lock),
                     priority=settings.getpriority("NEWSCRAWL_LOCK_PATH") or "addon")
        feed = settings.get("NEWSCRAWL_FEED_URI")
        if feed and not settings.getdict("FEEDS"):
            settings.set("NEWSCRAWL_FEED_URI", per_slot(str(feed), f".{host_label()}-w{self.slot}"),
                         priority=settings.getpriority("NEWSCRAWL_FEED_URI") or "addon")

"""One worker of a distributed crawl: its Redis connection, heartbeat, leases and ending.

:class:`ClusterMember` is an extension the add-on (:mod:`newscrawl.distributed.addon`)
installs when ``NEWSCRAWL_REDIS_URL`` is set. It

* **joins** the crawl when the spider opens (a worker id ``<host>:<pid>:<random>``, a key
  ``…:alive:<id>`` that expires :data:`WORKER_TTL_SECONDS` after the last beat), and beats
  every :data:`BEAT_SECONDS`;
* **leases** the requests the scheduler pops and finishes each lease once Scrapy is done with
  the request. "Done" is read from the engine's set of requests in progress
  (``crawler.engine._slot.inprogress``, private in Scrapy 2.19 but the one place that knows:
  a request leaves it after its response went through the callback, the links it yielded were
  scheduled and its items through the pipelines and the feed). A killed worker finishes
  nothing, its heartbeat key expires, and the next worker to check puts its leases back in the
  frontier: its requests are crawled by the others, or by the next run;
* **keeps the leases of the pages whose articles it holds**: with the
  :class:`~newscrawl.middlewares.hold.HoldMiddleware` on, a page is done long before its article
  is written (the articles are released when the worker is idle). While the hold has articles
  (or a release is under way), leases that are done are kept in Redis; they are finished once
  the release has put every held article through the pipelines and the feed. A worker killed
  while it holds articles thus gives their pages back, as it gives back pages in flight;
* **decides when the crawl is over**: an idle worker stays open while the frontier holds
  requests, another live worker holds a lease (pages in flight, or pages whose articles it has
  not released yet), or the seeding worker has not scheduled its seeds; it then leaves, and
  the last one to leave a finished crawl deletes the crawl's keys. The hold keeps a worker
  open until its own articles are released, so every article is written before its worker
  leaves;
* **orders the release across workers** (:class:`~newscrawl.distributed.release.ClusterRelease`,
  the hold's gate): the held articles are released once no worker crawls any more, every
  worker's in one publication order, so the dedupe decides as in one process. A worker
  without the hold says it is idle here, so that it never holds the others back;
* **moves the shared state to Redis**: when the spider opens it hands the run's
  :class:`~newscrawl.extensions.state.CrawlStateKeeper` a
  :class:`~newscrawl.distributed.state.RedisState` and the
  :class:`~newscrawl.pipelines.dedupe.DedupePipeline` a
  :class:`~newscrawl.distributed.dedupe.RedisDeduper` (both before their own ``spider_opened``
  handlers run: this extension is built, and connects, before them);
* **stops cleanly when Redis is lost**: one error line, finish reason ``redis_lost`` (the run's
  verdict fails), leases left in Redis for the next run. Lines already written stay in the
  feed, and the next run's reconciliation records any the state missed; articles still held
  are not written (nor recorded): the next run crawls their pages again.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter, is_item
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import deferred_from_coro

from newscrawl.config import read_bool, read_float, read_int, read_share, read_url
from newscrawl.distributed import scripts
from newscrawl.distributed.addon import DistributedMode, try_claim
from newscrawl.distributed.connection import LOST, RedisLost, connect
from newscrawl.distributed.dedupe import RedisDeduper
from newscrawl.distributed.keys import CrawlKeys
from newscrawl.distributed.release import ClusterRelease
from newscrawl.distributed.state import RedisState
from newscrawl.distributed.url import masked, redis_url
from newscrawl.extensions.state import CrawlStateKeeper
from newscrawl.meta import RELEASE_META
from newscrawl.middlewares.hold import HoldMiddleware
from newscrawl.pipelines.dedupe import DedupePipeline, window_start

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

BEAT_SECONDS = 1.0
"""How often a worker renews its heartbeat key, finishes its done leases and looks for work."""
WORKER_TTL_SECONDS = 10
"""How long after its last beat a worker counts as dead and its leases go back."""
FINISH_REASON_LOST = "redis_lost"


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def adopt_dead_slots(state: RedisState, lock_path: Path, own: int) -> int:
    """Take over the journals of this machine's dead worker slots (no live process holds
    their claim), so the ``.part`` files their workers left are published by this worker's
    recovery; each dead slot's claim is held while its journal moves, so no worker starting
    in it meanwhile sees half of it. Returns the entries adopted."""
    adopted = 0
    for slot in state.journal_slots():
        if slot == own:
            continue
        fd = try_claim(lock_path, slot)
        if fd is None:  # a live worker: its files are its own
            continue
        try:
            moved = state.adopt_journal(slot)
        finally:
            os.close(fd)
        if moved:
            logger.info("adopted the journal of dead worker slot %d (%d file(s))", slot, moved)
        adopted += moved
    return adopted


class ClusterMember:
    """This process's membership of the distributed crawl (see the module doc)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterMember:
        return cls(crawler)

    @classmethod
    def of(cls, crawler: Crawler) -> ClusterMember:
        member = crawler.get_extension(cls)
        if member is None:
            raise RuntimeError("the distributed scheduler needs the ClusterMember extension "
                               "(NEWSCRAWL_REDIS_URL and the newscrawl.distributed add-on)")
        return member

    def __init__(self, crawler: Crawler) -> None:
        url = redis_url(crawler.settings)
        if not url:
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = masked(url)
        self.client = connect(url)
        name = crawler.spider.name if crawler.spider else "default"
        self.keys = CrawlKeys.of(name, read_url(crawler.settings, "NEWSCRAWL_BASE_URL"))
        self.worker = worker_id()
        self._scripts = {name: self.client.register_script(getattr(scripts, name))
                         for name in ("JOIN", "BEAT", "POP", "ENQUEUE", "STATUS", "LEAVE",
                                      "SEED", "SEEDED")}
        self._leases: dict[Request, bytes] = {}
        """Requests leased and not yet done, with their lease ids."""
        self._retained: list[bytes] = []
        """Leases of done requests, kept while the hold has articles not yet written."""
        self._hold: HoldMiddleware | None = None
        self._lost = False
        self._joined = False
        self._waiting: tuple[int, int] | None = None
        self._links_counted = 0
        self.deduper: RedisDeduper | None = None
        self.release = ClusterRelease(self.client, self.keys, self.worker, self.stats,
                                      on_lost=self.lost)
        self._beat = create_looping_call(self.beat)
        # The dedupe settings, as the dedupe pipeline reads them (for the Redis deduper).
        settings = crawler.settings
        self.full = read_bool(settings, "NEWSCRAWL_FULL_CRAWL_ENABLED")
        self.window_days = read_float(settings, "NEWSCRAWL_DEDUPE_WINDOW_DAYS")
        self.shingle = read_int(settings, "NEWSCRAWL_DEDUPE_SHINGLE_CHARS", minimum=1)
        self.threshold = read_share(settings, "NEWSCRAWL_DEDUPE_THRESHOLD", above_zero=True)
        self.num_perm = read_int(settings, "NEWSCRAWL_DEDUPE_NUM_PERM", minimum=16)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_done, signal=signal)

    def _run(self, script: str, *args: Any) -> Any:
        return self._scripts[script](args=[self.keys.crawl, self.worker, *args])

    # -- joining and leaving ---------------------------------------------------------------

    def spider_opened(self) -> None:
        queued = self._run("JOIN", WORKER_TTL_SECONDS)
        self._joined = True
        logger.info("worker %s joined the crawl %s at %s (%d request(s) queued)", self.worker,
                    self.keys.crawl, self.url, queued)
        self._share_state()
        self._hold = self.crawler.get_spider_middleware(HoldMiddleware)
        if self._hold is not None:
            self._hold.gate = self.release  # before the hold's spider_opened (resumed spool)
        self._beat.start(BEAT_SECONDS, now=False)

    def _share_state(self) -> None:
        keeper = self.crawler.get_extension(CrawlStateKeeper)
        if keeper is not None:
            mode = DistributedMode.of(self.crawler)
            slot = mode.slot if mode is not None else None
            state = RedisState(self.client, self.keys, on_lost=self.lost, slot=slot)
            if mode is not None and mode.lock_path is not None and slot is not None:
                adopt_dead_slots(state, mode.lock_path, slot)
            keeper.state = state
            keeper.path = f"{self.url} {self.keys.state}"
        pipeline = self.crawler.get_item_pipeline(DedupePipeline)
        if pipeline is None:
            return
        self.deduper = pipeline.deduper = RedisDeduper(
            self.client, self.keys, worker=self.worker, shingle=self.shingle,
            threshold=self.threshold, num_perm=self.num_perm,
            since=window_start(datetime.now(UTC), self.window_days),
            full=keeper is None or self.full, on_lost=self.lost)

    def leave(self, reason: str) -> None:
        """Give back what this worker did not finish and unregister; clear a finished crawl."""
        if self._beat.running:
            self._beat.stop()
        if not self._joined or self._lost:
            return
        self._joined = False
        self._record_waiting_copies()
        finished = reason == "finished"
        # The engine closes the scheduler once no request is in progress: every lease is done,
        # but articles still held (a release that failed, a run stopped before it was idle)
        # were not written: their pages go back to the frontier with the other leases.
        found = self._links_found()
        acks = [] if self._holding() else [*self._retained, *self._leases.values()]
        self._leases.clear()
        self._retained = []
        try:
            requeued, cleared, links = self._run("LEAVE", "1" if finished else "0",
                                                 found - self._links_counted, *acks)
        except LOST as exc:
            logger.warning("could not leave the crawl (%s): this worker's leases go back to the "
                           "frontier once its heartbeat key expires", exc)
            return
        self._links_counted = found
        self._count_links(links)
        if requeued:
            logger.warning("gave back %d unfinished request(s) to the frontier", requeued)
        if cleared:
            logger.info("the crawl %s is complete: its Redis keys were deleted", self.keys.crawl)
        elif finished:
            logger.info("left the crawl %s; other workers finish it", self.keys.crawl)
        else:
            logger.info("left the crawl %s (%s); it resumes with the next run", self.keys.crawl,
                        reason)

    def _record_waiting_copies(self) -> None:
        """The copies this worker dropped whose original another worker wrote: the state keeper
        records a copy once it records the original's line, and it never reads another
        worker's lines. Asked here, once the crawl is over for this worker (the originals are
        written, and recorded by their workers moments after), so the next run skips these
        copies as one process's does instead of fetching and judging them again."""
        keeper = self.crawler.get_extension(CrawlStateKeeper)
        if keeper is None:
            return
        try:
            recorded = keeper.record_waiting_copies()
        except (*LOST, RedisLost) as exc:
            logger.warning("could not record the copies of other workers' articles (%s): the "
                           "next run judges them again", exc)
            return
        if recorded:
            logger.info("recorded %d copy(ies) of articles other workers wrote", recorded)

    def spider_closed(self, reason: str) -> None:
        if self._beat.running:
            self._beat.stop()

    # -- leases ----------------------------------------------------------------------------

    def _progress(self) -> list[Any]:
        """What this worker tells Redis with each script: links found since it last told (see
        :meth:`_count_links`), then the leases it finished."""
        found = self._links_found()
        delta, self._links_counted = found - self._links_counted, found
        return [delta, *self._done_leases()]

    def _count_links(self, links: Any) -> None:
        """The run's health asks whether the pages had article links; a worker may fetch only
        robots.txt and a sitemap index while the others find them: count the crawl's."""
        self.stats.set_value("newscrawl/cluster/links", int(links))

    def _done_leases(self) -> list[bytes]:
        """The leases to finish now: those of done requests, unless the hold still has
        articles to write (then they are retained until it has not)."""
        slot = getattr(self.crawler.engine, "_slot", None)
        in_progress = slot.inprogress if slot is not None else set()
        done = [self._leases.pop(request) for request in list(self._leases)
                if request not in in_progress]
        if self._holding():
            self._retained += done
            return []
        done, self._retained = [*self._retained, *done], []
        return done

    def _holding(self) -> bool:
        """Whether this worker has articles not yet written: held by the hold, or released
        and still in the pipelines (the release request is in progress until they are
        through them and the feed)."""
        if self._hold is None:
            return False
        if len(self._hold.spool):
            return True
        slot = getattr(self.crawler.engine, "_slot", None)
        return slot is not None and any(request.meta.get(RELEASE_META)
                                        for request in slot.inprogress)

    def lease(self) -> tuple[bytes, bytes] | None:
        """Pop the first request of the frontier into this worker's leases: (lease, data)."""
        if self._lost or not self._joined:
            return None
        got = self._run("POP", *self._progress())
        return (got[0] if isinstance(got[0], bytes) else str(got[0]).encode(), got[1]) \
            if got else None

    def leased(self, request: Request, lease: bytes) -> None:
        self._leases[request] = lease

    def enqueue(self, fingerprint: str, score: float, data: bytes) -> bool:
        if self._lost:
            return False
        return bool(self._scripts["ENQUEUE"](args=[self.keys.crawl, fingerprint, score, data]))

    def beat(self) -> None:
        if self._lost or not self._joined:
            return
        try:
            queued, links = self._run("BEAT", WORKER_TTL_SECONDS, *self._progress())
        except LOST as exc:
            self.lost(exc)
            return
        self._count_links(links)
        if self.release.registered and not self._holding():
            self.release.forget()  # nothing held any more: nobody waits for this worker
        if queued or self._waiting is not None or self.release.waiting:
            self._wake_engine()  # waiting idle: ask again now rather than in 5 s

    def _links_found(self) -> int:
        return sum(int(value) for key, value in self.stats.get_stats().items()
                   if key.startswith("newscrawl/spider/links/") and isinstance(value, int))

    def _wake_engine(self) -> None:
        """Have the engine ask the scheduler again now (it asks on its own every 5 s)."""
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    # -- the end of the crawl --------------------------------------------------------------

    def spider_idle(self) -> None:
        """Stay open while the crawl is not over anywhere (see the module doc)."""
        if self._lost or not self._joined:
            return
        try:
            queued, leased, requeued, seeding, links = self._run("STATUS", *self._progress())
        except LOST as exc:
            self.lost(exc)
            return
        if self._hold is None:
            self.release.ready()  # idle: the others' release barrier need not wait for it
        self._count_links(links)
        if requeued:
            self.stats.inc_value("newscrawl/cluster/requeued", requeued)
            logger.warning("put back %d request(s) leased by worker(s) that stopped beating",
                           requeued)
        if queued or leased or seeding:
            state = (int(queued), int(leased))
            if state != self._waiting:
                logger.info("idle here; the crawl goes on: %d request(s) queued, %d in the "
                            "hands of other workers%s", queued, leased,
                            ", seeds being scheduled" if seeding else "")
                self._waiting = state
            self.stats.inc_value("newscrawl/cluster/idle_waits")
            if queued:
                self._wake_engine()
            raise DontCloseSpider
        self._waiting = None

    # -- items -----------------------------------------------------------------------------

    def item_done(self, item: Any) -> None:
        """The item went through the pipelines: its dedupe claim stands for good."""
        if self.deduper is None or self._lost or not is_item(item):
            return
        article_id = ItemAdapter(item).get("article_id")
        if article_id:
            self.deduper.settle(str(article_id))

    # -- seeds -----------------------------------------------------------------------------

    def claim_seeds(self) -> str:
        """``""`` when this worker requests the seeds, else the worker that does."""
        holder = self._run("SEED")
        return holder.decode() if isinstance(holder, bytes) else str(holder or "")

    def seeds_scheduled(self) -> None:
        self._run("SEEDED")

    # -- losing Redis ----------------------------------------------------------------------

    def lost(self, exc: BaseException) -> None:
        """Stop this worker: Redis is gone (once; later calls do nothing)."""
        if self._lost:
            return
        self._lost = True
        self.stats.set_value("newscrawl/cluster/redis_lost", str(exc))
        keeper = self.crawler.get_extension(CrawlStateKeeper)
        if keeper is not None:
            # Articles still in the pipelines (a release under way) would each fail the state
            # read of these handlers with a traceback; what they would record is left to the
            # next run's reconciliation, as every state write from now on.
            self.crawler.signals.disconnect(keeper.item_scraped, signal=signals.item_scraped)
            self.crawler.signals.disconnect(keeper.item_dropped, signal=signals.item_dropped)
        logger.error("lost Redis at %s (%s): stopping this worker; the %d request(s) it holds "
                     "stay leased in Redis and are crawled again by the next run", self.url,
                     exc, len(self._leases) + len(self._retained))
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            closing = deferred_from_coro(engine.close_spider_async(reason=FINISH_REASON_LOST))
            closing.addErrback(lambda f: logger.error("closing failed: %s", f.value))

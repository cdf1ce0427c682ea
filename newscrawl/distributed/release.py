"""One release order for the whole crawl: the hold across workers.

In one process the :class:`~newscrawl.middlewares.hold.HoldMiddleware` holds every article
until the crawl is idle and releases them oldest first, so the dedupe sees each story's
original before its copies. With several workers each holds what *it* parsed; released by
each worker when *it* is idle, a copy one worker released before another released its
original was claimed first, and both were written. :class:`ClusterRelease` (the hold's
``gate`` in the distributed mode) makes the release one merge of every worker's articles in
publication order (:func:`newscrawl.neardup.precedence`):

1. **The barrier.** A worker that is idle (its engine has nothing to do after every idle
   handler ran) registers the places of the articles it held since it last said, and says it
   is idle (:data:`~newscrawl.distributed.scripts.BARRIER`, one script call). Popping a request
   makes it crawling again (:data:`~newscrawl.distributed.scripts.POP`). When no live worker
   crawls any more (the frontier empty, the seeds scheduled, every registered worker idle:
   late joiners included), the script *seals* the round: every worker's registered articles at
   once. A worker with sealed articles releases them (a worker that joins later has none and
   delays nothing). A worker that dies is reaped once its heartbeat key expires
   (:data:`~newscrawl.distributed.member.WORKER_TTL_SECONDS`): its leases go back to the
   frontier, its registered articles out of the round, so it blocks no one for longer.
2. **In turn.** Each worker's release yields its own articles oldest first, as in one
   process, and before each one asks whether another worker still has a sealed article that
   precedes it and was not judged yet (:data:`~newscrawl.distributed.scripts.AHEAD`); if so it
   waits (polling, from 2 ms up to 50 ms) until that one is. An article leaves the round in the
   very script that judges it (:data:`~newscrawl.distributed.scripts.CLAIM`), or when it is
   dropped before the dedupe (:data:`~newscrawl.distributed.scripts.SETTLE`). So every claim of
   the crawl is made in publication order, whichever worker parsed which article and whenever
   it reached its idle: the articles written are those one process writes. Redis is asked only
   when the next article is not before the earliest other worker's one last read: once per run
   of consecutive own articles, plus the polls while waiting.

What it cannot order: articles of pages crawled *after* the round was sealed (the pages of a
worker that died, put back by the others) are held, registered at the next idle and released
then, in order among themselves; one of them may precede a copy written in the round before
(both are then written, as without the hold; nothing is dropped for it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from newscrawl.distributed import scripts
from newscrawl.distributed.connection import LOST
from newscrawl.distributed.dedupe import precedence_key

if TYPE_CHECKING:
    import redis
    from scrapy.statscollectors import StatsCollector

    from newscrawl.distributed.keys import CrawlKeys
    from newscrawl.neardup import Precedence

logger = logging.getLogger(__name__)

FIRST_POLL_SECONDS = 0.002
"""The first wait for another worker's turn; each further wait is 1.5 times longer, up to
:data:`MAX_POLL_SECONDS`."""
MAX_POLL_SECONDS = 0.05


class ClusterRelease:
    """The hold's gate in the distributed mode (see the module doc): it registers the held
    articles, keeps the release barrier and gives each article its turn."""

    def __init__(self, client: redis.Redis, keys: CrawlKeys, worker: str, stats: StatsCollector,
                 on_lost: Callable[[BaseException], None]) -> None:
        self.client = client
        self.keys = keys
        self.worker = worker
        self.stats = stats
        self.on_lost = on_lost
        self._scripts = {name: client.register_script(getattr(scripts, name))
                         for name in ("BARRIER", "AHEAD", "UNHOLD")}
        self._unsaid: list[str] = []
        """``id, place`` of articles held since the last barrier call, flat."""
        self.registered = False
        """Whether Redis may hold places of this worker's articles (:meth:`forget` clears)."""
        self.waiting = False
        """Idle at the barrier: the member wakes the engine each beat to ask again."""
        self._ahead: str | None = None
        """The earliest sealed place of another worker, as last read (``''``: none)."""

    def _run(self, script: str, *args: Any) -> Any:
        return self._scripts[script](args=[self.keys.crawl, self.worker, *args])

    def held(self, key: Precedence, article_id: str) -> None:
        """The hold took *article_id* at place *key*: registered with the next barrier call."""
        self._unsaid += [article_id, precedence_key(key)]
        self.registered = True

    def ready(self) -> bool:
        """This worker is idle: register what it held, say so, and whether it has sealed
        articles to release now (every worker is done crawling). False while others crawl,
        and once Redis is lost (the member stops the worker)."""
        try:
            sealed, requeued = self._run("BARRIER", *self._unsaid)
        except LOST as exc:
            self.on_lost(exc)
            return False
        self._unsaid = []
        self._count_requeued(requeued)
        self.waiting = not sealed
        if sealed:
            self._ahead = None  # a new round: read the other workers' places afresh
        return bool(sealed)

    async def wait_turn(self, key: Precedence) -> bool:
        """Return once no other worker has a sealed, unjudged article before *key*; False when
        Redis is lost (the release stops: the rest stays held and undelivered)."""
        place = precedence_key(key)
        delay = FIRST_POLL_SECONDS
        waited = False
        while self._ahead is None or (self._ahead and self._ahead < place):
            if self._ahead is not None:
                if not waited:
                    waited = True
                    self.stats.inc_value("newscrawl/hold/turn_waits")
                await asyncio.sleep(delay)
                delay = min(delay * 1.5, MAX_POLL_SECONDS)
            try:
                ahead, requeued = self._run("AHEAD")
            except LOST as exc:
                self.on_lost(exc)
                return False
            self._count_requeued(requeued)
            self._ahead = ahead.decode() if isinstance(ahead, bytes) else str(ahead)
        return True

    def forget(self) -> None:
        """Take every article of this worker out of the release order: its release failed,
        or it has nothing held any more (then nothing should be left; this makes sure no one
        waits for an article that left the hold some other way)."""
        self._unsaid = []
        self.registered = False
        try:
            self._run("UNHOLD")
        except LOST as exc:
            self.on_lost(exc)

    def _count_requeued(self, requeued: Any) -> None:
        if int(requeued):
            self.stats.inc_value("newscrawl/cluster/requeued", int(requeued))
            logger.warning("put back %d request(s) leased by worker(s) that stopped beating",
                           int(requeued))

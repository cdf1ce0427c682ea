"""Hold the articles until the crawl is idle, then release them in publication order.

The dedupe rule (:mod:`newscrawl.neardup`) makes the earliest-published member of a story its
original; the crawl meets the members in whatever order links lead to them. So this spider
middleware takes every article out of the spider's output (``get_processed_item`` returns
None: nothing reaches the pipelines, nothing is dropped or counted), pickles it to a spool
file (:class:`ArticleSpool`; 32 bytes of key, offset and length stay in memory), and when
nothing else is left to do (``spider_idle``, once the other idle handlers, such as the
spider's sitemap reading, have nothing more scheduled) schedules one ``data:`` request whose
callback yields the held articles oldest first: ``date_published``, then the smaller id
(:func:`newscrawl.neardup.precedence`). The pipelines then see every story's original before
its copies, and two runs of the same site write the same articles.

The trade-off: articles are delivered at the end of the crawl, not as they are parsed. A run
that stops before it is idle (``kill -9``, Ctrl-C, ``CLOSESPIDER_TIMEOUT``) delivers none of the
held articles; they are not recorded in the state either, so the next run fetches them again
(stat ``newscrawl/hold/undelivered``, and a warning). With ``JOBDIR`` the spool lives there and a
resumed run releases what the paused one held. Without this middleware
(``SPIDER_MIDDLEWARES``: ``None``) articles are delivered as parsed: an original met after its
copy is then written as well (the copy was already), never dropped. It is off with the dedupe
pipeline (``NEWSCRAWL_DEDUPE_ENABLED``) and in a run limited by ``NEWSCRAWL_MAX_ARTICLES`` (a
sample, whose limit counts articles written as they come: a copy dropped makes room for another).

The release request is a ``data:`` URL: it never touches the network, robots.txt is not asked
for it, and ``dont_filter`` lets it past the duplicate and off-site filters.

In the distributed mode (``NEWSCRAWL_REDIS_URL``) the worker's
:class:`~newscrawl.distributed.member.ClusterMember` sets :attr:`HoldMiddleware.gate`: the
articles of every worker are then released as one merge in publication order, once no worker
crawls any more (:mod:`newscrawl.distributed.release`). Without it (the embedded crawl) the
gate is None and nothing of this applies.
"""

from __future__ import annotations

import logging
import pickle
import struct
import tempfile
from array import array
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import numpy as np
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.job import job_dir

from newscrawl.config import read_bool, read_int
from newscrawl.items import Article
from newscrawl.meta import RELEASE_META
from newscrawl.neardup import Precedence, precedence

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

SPOOL_NAME = "newscrawl-held.spool"
"""The spool's file name in ``JOBDIR``."""

_LENGTH = struct.Struct("<Q")


class ReleaseGate(Protocol):
    """What the hold asks when several workers share a crawl
    (:class:`newscrawl.distributed.release.ClusterRelease`)."""

    def held(self, key: Precedence, article_id: str) -> None:
        """An article was held at place *key*."""

    def ready(self) -> bool:
        """This worker is idle: may it release now (no worker crawls any more)?"""

    async def wait_turn(self, key: Precedence) -> bool:
        """Wait until the article at *key* may be judged; False: stop releasing."""

    def forget(self) -> None:
        """This worker's articles will not be released: nobody is to wait for them."""


class _Keys:
    """``(key, offset, length)`` of the held items: four ``int64`` arrays (32 bytes an item)
    for keys of a dated or undated article with a numeric id, which are all the site's;
    a dict for any other key."""

    def __init__(self) -> None:
        self.seconds, self.numbers, self.offsets, self.lengths = (array("q") for _ in range(4))
        self.others: dict[int, Precedence] = {}

    def __len__(self) -> int:
        return len(self.offsets)

    def append(self, key: Precedence, offset: int, length: int) -> None:
        seconds, (kind, number, _) = key
        if kind or not 0 <= number < 2**63:
            self.others[len(self)] = key
            seconds, number = 0, 0
        self.seconds.append(seconds)
        self.numbers.append(number)
        self.offsets.append(offset)
        self.lengths.append(length)

    def key(self, row: int) -> Precedence:
        other = self.others.get(row)
        return other if other is not None else (self.seconds[row], (0, self.numbers[row], ""))

    def order(self, count: int) -> Iterator[int]:
        """The first *count* rows, smallest key first (rows of equal keys in their order).

        The site's keys are two ``int64`` columns: sorted by index arrays (8 bytes a row), not
        by a ``(seconds, (kind, number, text))`` tuple a row, which at 20,000 held articles cost
        4 MB at the very end of a crawl, when the dedupe index is largest."""
        if self.others:
            yield from sorted(range(count), key=self.key)
            return
        seconds = np.frombuffer(self.seconds, dtype=np.int64, count=count)
        numbers = np.frombuffer(self.numbers, dtype=np.int64, count=count)
        rows = np.lexsort((numbers, seconds))  # a stable sort, the last column first
        del seconds, numbers  # views of the arrays, which grow while the rows are yielded
        for row in rows:
            yield int(row)

    def drop_first(self, count: int) -> None:
        for column in (self.seconds, self.numbers, self.offsets, self.lengths):
            del column[:count]
        self.others = {row - count: key for row, key in self.others.items() if row >= count}


class ArticleSpool:
    """Items held on disk, released in order of a key.

    Each item is one record: an 8-byte length, then the pickle of ``(key, item)``. In memory:
    the key, offset and length of each item (32 bytes). *path* None: an anonymous temporary
    file, gone when closed; a path (in ``JOBDIR``): kept while it holds items, and read back on
    :meth:`open` (a record cut short by a killed process is dropped).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._file: IO[bytes] | None = None
        self._keys = _Keys()
        self._out = 0
        """Items of the release under way already yielded."""

    def open(self) -> int:
        """Open the spool; returns how many items it already holds (a resumed job's)."""
        if self.path is None:
            # open until close(): the spool outlives any one block
            self._file = tempfile.TemporaryFile(prefix="newscrawl-held-")  # noqa: SIM115
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a+b")
        self._scan(self._file)
        return len(self._keys)

    def _scan(self, file: IO[bytes]) -> None:
        file.seek(0)
        offset = 0
        while True:
            head = file.read(_LENGTH.size)
            if len(head) < _LENGTH.size:
                break
            (length,) = _LENGTH.unpack(head)
            payload = file.read(length)
            if len(payload) < length:
                break
            key, _ = pickle.loads(payload)
            self._keys.append(key, offset + _LENGTH.size, length)
            offset += _LENGTH.size + length
        file.truncate(offset)

    @property
    def file(self) -> IO[bytes]:
        if self._file is None:
            raise RuntimeError("ArticleSpool used before open() or after close()")
        return self._file

    def hold(self, key: Precedence, item: Any) -> None:
        payload = pickle.dumps((key, item), protocol=pickle.HIGHEST_PROTOCOL)
        file = self.file
        file.seek(0, 2)
        offset = file.tell()
        file.write(_LENGTH.pack(len(payload)))
        file.write(payload)
        file.flush()
        self._keys.append(key, offset + _LENGTH.size, len(payload))

    def __len__(self) -> int:
        """Items held and not yet yielded."""
        return len(self._keys) - self._out

    def held_keys(self) -> list[Precedence]:
        """The keys of the items held (in the order they were held)."""
        return [self._keys.key(row) for row in range(len(self._keys))]

    def release(self) -> Iterator[Any]:
        """Every held item, smallest key first, read one at a time. Items held meanwhile wait
        for the next release; the file is emptied once everything was yielded (a release cut
        short leaves the whole file: a resumed job releases it again)."""
        keys = self._keys
        count, self._out = len(keys), 0
        for row in keys.order(count):
            file = self.file
            file.seek(keys.offsets[row])
            item = pickle.loads(file.read(keys.lengths[row]))[1]
            self._out += 1
            yield item
        keys.drop_first(count)
        self._out = 0
        if not len(keys):
            self.file.truncate(0)

    def close(self) -> None:
        """Close the file; a ``JOBDIR`` spool is removed once it holds nothing."""
        if self._file is None:
            return
        self._file.close()
        self._file = None
        if self.path is not None and not len(self):
            self.path.unlink(missing_ok=True)


class HoldMiddleware(BaseSpiderMiddleware):
    """Holds every article the spider yields until the crawl is idle, then yields them in
    publication order from the callback of one ``data:`` request (see the module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not read_bool(settings, "NEWSCRAWL_DEDUPE_HOLD_ENABLED"):
            raise NotConfigured("NEWSCRAWL_DEDUPE_HOLD_ENABLED is False")
        if not read_bool(settings, "NEWSCRAWL_DEDUPE_ENABLED"):
            raise NotConfigured("NEWSCRAWL_DEDUPE_ENABLED is False: no order to keep")
        if read_int(settings, "NEWSCRAWL_MAX_ARTICLES"):
            # A sample of the site: its limit counts articles written as they come (a copy
            # dropped makes room for another), and it has no complete set of originals to order.
            raise NotConfigured("NEWSCRAWL_MAX_ARTICLES is set: articles delivered as parsed")
        super().__init__(crawler)
        self.stats = crawler.stats
        folder = job_dir(settings)
        self.spool = ArticleSpool(Path(folder) / SPOOL_NAME if folder else None)
        self._releasing = False
        self._failed = False
        self.gate: ReleaseGate | None = None
        """Set by the distributed mode when the spider opens (see the module doc)."""
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_opened(self) -> None:
        resumed = self.spool.open()
        if resumed:
            self.stats.inc_value("newscrawl/hold/held", resumed)
            if self.gate is not None:
                for seconds, (kind, number, text) in self.spool.held_keys():
                    self.gate.held((seconds, (kind, number, text)),
                                   str(number) if kind == 0 else text)
            logger.info("%d article(s) held by the paused run, released when this one is idle",
                        resumed)

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if not isinstance(item, Article) or not item.article_id:
            return item  # nothing to order: the pipelines take it (or reject it) now
        if response is not None and response.meta.get(RELEASE_META):
            return item
        key = precedence(item.date_published, item.article_id)
        self.spool.hold(key, item)
        if self.gate is not None:
            self.gate.held(key, item.article_id)
        self.stats.inc_value("newscrawl/hold/held")
        return None

    def spider_idle(self) -> None:
        if self._releasing:
            # Idle while the release request is out: it was dropped without reaching its
            # callback or errback. Give up rather than wait for ever.
            self._releasing, self._failed = False, True
            logger.error("the request releasing %d held article(s) was dropped", len(self.spool))
            if self.gate is not None:
                self.gate.forget()
            return
        if self.gate is not None:
            self._cluster_idle(self.gate)
            return
        if not len(self.spool) or self._failed:
            return
        if not self.crawler.engine.spider_is_idle():
            raise DontCloseSpider  # another idle handler scheduled more: release after it
        self._releasing = True
        self.crawler.engine.crawl(Request(
            "data:,", callback=self.release, errback=self.release_failed, dont_filter=True,
            meta={RELEASE_META: True, "dont_obey_robotstxt": True}))
        raise DontCloseSpider

    def _cluster_idle(self, gate: ReleaseGate) -> None:
        """Idle in a distributed crawl: say so (even with nothing held: the others wait for
        every worker), and release in turn once no worker crawls any more."""
        if not self.crawler.engine.spider_is_idle():
            raise DontCloseSpider  # another idle handler scheduled more: say idle after it
        if not gate.ready():
            if len(self.spool) and not self._failed:
                raise DontCloseSpider  # other workers still crawl: an original may come
            return
        if not len(self.spool) or self._failed:
            return
        self._releasing = True
        self.crawler.engine.crawl(Request(
            "data:,", callback=self.release_in_turn, errback=self.release_failed,
            dont_filter=True, meta={RELEASE_META: True, "dont_obey_robotstxt": True}))
        raise DontCloseSpider

    async def release_in_turn(self, response: Response) -> AsyncIterator[Any]:
        """The release callback in a distributed crawl: this worker's articles in publication
        order, each once no other worker has an earlier one still to judge."""
        gate = self.gate
        assert gate is not None
        logger.info("releasing %d held article(s) in publication order, in turn with the "
                    "other workers", len(self.spool))
        try:
            for item in self.spool.release():
                if not await gate.wait_turn(precedence(item.date_published, item.article_id)):
                    return  # Redis lost: the member stops the worker; the rest stays held
                self.stats.inc_value("newscrawl/hold/released")
                yield item
        except Exception:
            self._failed = True  # Scrapy logs the spider error; the rest stays undelivered
            gate.forget()
            raise
        finally:
            self._releasing = False

    def release(self, response: Response) -> Iterator[Any]:
        """The callback of the release request: every held article, in publication order."""
        logger.info("releasing %d held article(s) in publication order", len(self.spool))
        try:
            for item in self.spool.release():
                self.stats.inc_value("newscrawl/hold/released")
                yield item
        except Exception:
            self._failed = True  # Scrapy logs the spider error; the rest stays undelivered
            raise
        finally:
            self._releasing = False

    def release_failed(self, failure: Failure) -> None:
        self._releasing, self._failed = False, True
        logger.error("could not release %d held article(s): %s", len(self.spool),
                     failure.value)
        if self.gate is not None:
            self.gate.forget()

    def spider_closed(self, reason: str) -> None:
        left = len(self.spool)
        if left:
            self.stats.set_value("newscrawl/hold/undelivered", left)
            where = ("kept in JOBDIR for the resumed run" if self.spool.path is not None
                     else "not recorded: the next run fetches them again")
            logger.warning("%d held article(s) not delivered (the run closed for %s before it "
                           "was idle): %s", left, reason, where)
        self.spool.close()

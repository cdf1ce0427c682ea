"""The crawl state in Redis: a :class:`~newscrawl.state.base.CrawlState` shared by workers.

Implements the protocol of ``newscrawl/state/base.py`` (as of this module) with hashes under
:attr:`CrawlKeys.state`:

* ``…:articles``: article id → the :class:`~newscrawl.state.base.ArticleState` as JSON;
* ``…:journal:<host>:w<slot>``: output path → bytes reconciled, one journal per worker slot of
  a machine (:mod:`newscrawl.distributed.addon`). Output files are local to a machine and each
  worker writes its own, so a worker never forgets, nor publishes, another worker's files
  (a ``.part`` another live worker is writing looks exactly like one a killed run left);
  :meth:`RedisState.adopt_journal` hands a dead slot's journal to a live worker;
* the dedupe fingerprints of written articles (:meth:`CrawlKeys.fingerprints`), each with its
  place in publication order, which the distributed dedupe
  (:mod:`newscrawl.distributed.dedupe`) reads inside its claim script.

Every method is one round trip; :meth:`record` and :meth:`touch` are single atomic commands (a
script for ``touch``), so two workers never leave a half-written record. One request per
article id per crawl (the shared duplicate filter) means two workers do not record the same
article at once.

When Redis goes away mid-run (``on_lost`` given), a read raises
:class:`~newscrawl.distributed.connection.RedisLost` (unless this worker read the same article
moments before, see :meth:`RedisState.get`) and a write is skipped: the line it would record is
already in the output, and the next run's reconciliation records it (the journal offset of that
file did not move either).
"""

from __future__ import annotations

import json
import socket
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from typing import TYPE_CHECKING

from newscrawl.distributed.connection import LOST, RedisLost
from newscrawl.distributed.dedupe import place_of_key, precedence_key
from newscrawl.neardup import UNDATED, precedence
from newscrawl.state.base import ArticleState, JournalMark, StoredFingerprint

if TYPE_CHECKING:
    import redis

    from newscrawl.distributed.keys import CrawlKeys

_FIELDS = frozenset(f.name for f in fields(ArticleState))
READ_CACHE = 1024
"""Answers of :meth:`RedisState.get` kept for when Redis goes away (more than the articles a
worker has in its pipelines at once: one per response in flight)."""
_TOUCH = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local state = cjson.decode(raw)
state['last_seen'] = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(state))
return 1
"""

_RECORD_FINGERPRINT = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3])
local ids = redis.call('HGET', KEYS[3], ARGV[4])
if not ids then
  redis.call('HSET', KEYS[3], ARGV[4], ARGV[1])
elseif not string.find(' ' .. ids .. ' ', ' ' .. ARGV[1] .. ' ', 1, true) then
  redis.call('HSET', KEYS[3], ARGV[4], ids .. ' ' .. ARGV[1])
end
redis.call('HSET', KEYS[4], ARGV[1], ARGV[5])
return 1
"""
"""Id → body hash + signature; the first time seen; body hash → the ids with that body; id →
its place in publication order (one step)."""


def _decode(raw: bytes | str) -> ArticleState:
    data = json.loads(raw)
    return ArticleState(**{k: v for k, v in data.items() if k in _FIELDS})


_ADOPT = """
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  redis.call('HSETNX', KEYS[2], entries[i], entries[i + 1])
end
redis.call('DEL', KEYS[1])
return #entries / 2
"""
"""Move one journal hash into another (``KEYS[1]`` → ``KEYS[2]``); an entry already in the
target keeps the target's mark."""


class RedisState:
    """Articles, journal offsets and dedupe fingerprints in one Redis server."""

    def __init__(self, client: redis.Redis, keys: CrawlKeys, host: str | None = None,
                 on_lost: Callable[[BaseException], None] | None = None,
                 slot: int | None = None) -> None:
        self.client = client
        self.on_lost = on_lost
        self.keys = keys
        self.articles = f"{keys.state}:articles"
        self.journals = f"{keys.state}:journal:{host or socket.gethostname()}"
        """The prefix of this machine's journals."""
        self.journal = self.journal_of(slot)
        self._adopt = client.register_script(_ADOPT)
        self._touch = client.register_script(_TOUCH)
        self._record_fp = client.register_script(_RECORD_FINGERPRINT)
        self._read: OrderedDict[str, ArticleState | None] = OrderedDict()
        """The last :data:`READ_CACHE` answers of :meth:`get` (used once Redis is gone)."""

    def open(self) -> None:
        self.client.ping()

    def _lost(self, exc: BaseException, *, read: bool) -> None:
        if self.on_lost is None:
            raise exc
        self.on_lost(exc)
        if read:
            raise RedisLost(exc) from None

    def get(self, article_id: str) -> ArticleState | None:
        """The article's record. Once Redis is gone, the answer read for it moments before, if
        any: an article still in the pipelines when Redis went away was read by the state
        pipeline, and is read again by the state keeper once it is written (whose record is
        then skipped); one process handles an article at a time, so nothing changed it since.
        Any other read raises :class:`~newscrawl.distributed.connection.RedisLost`."""
        try:
            raw = self.client.hget(self.articles, article_id)
        except LOST as exc:
            if article_id in self._read:
                self._lost(exc, read=False)
                return self._read[article_id]
            self._lost(exc, read=True)
            raise
        known = _decode(raw) if raw else None
        self._read[article_id] = known
        self._read.move_to_end(article_id)
        if len(self._read) > READ_CACHE:
            self._read.popitem(last=False)
        return known

    def record(self, state: ArticleState) -> None:
        try:
            self.client.hset(self.articles, state.article_id,
                             json.dumps(asdict(state), ensure_ascii=False))
        except LOST as exc:
            self._lost(exc, read=False)

    def touch(self, article_id: str, last_seen: str) -> None:
        try:
            self._touch(keys=[self.articles], args=[article_id, last_seen])
        except LOST as exc:
            self._lost(exc, read=False)

    def __iter__(self) -> Iterator[ArticleState]:
        for _, raw in self.client.hscan_iter(self.articles, count=1000):
            yield _decode(raw)

    def __len__(self) -> int:
        return int(self.client.hlen(self.articles))

    def record_fingerprint(self, article_id: str, scheme: str, body_hash: bytes,
                           signature: bytes | None, seen: str) -> None:
        """Also records the article's place in publication order, as one process reads it
        when a later article resembles it (its state's ``date_published``, else its
        ``first_seen``): see :meth:`_place_of_delivered`."""
        prefix = self.keys.fingerprints(scheme)
        try:
            place = self._place_of_delivered(article_id, seen)
            self._record_fp(
                keys=[f"{prefix}:fp", f"{prefix}:fpfirst", f"{prefix}:fpbody",
                      f"{prefix}:fpprec"],
                args=[article_id, bytes(body_hash) + (signature or b""), seen,
                      bytes(body_hash), place])
        except LOST as exc:
            self._lost(exc, read=False)

    def _place_of_delivered(self, article_id: str, seen: str) -> str:
        """The place (:func:`~newscrawl.distributed.dedupe.precedence_key`) of an article whose
        line was just written. The fingerprint is recorded on ``item_scraped``, before the
        state keeper has read the line back and recorded the article's state (it does that
        once the file is synced, a moment later): so the state cannot say yet. The place the
        article was claimed at in this crawl can: it comes from the ``date_published`` of
        the very item written, which is what the state records. An undated article (or one
        this crawl did not claim) counts from its ``first_seen``: its state's when it has
        one, else *seen* (now, when the state records it first seen too). One round trip."""
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hget(f"{self.keys.crawl}:prec", article_id)
            pipe.hget(self.articles, article_id)
            claimed, raw = pipe.execute()
        if claimed is not None:
            key = claimed.decode() if isinstance(claimed, bytes) else str(claimed)
            if place_of_key(key)[0] != UNDATED:
                return key
        known = _decode(raw) if raw else None
        if known is not None and known.date_published and claimed is None:
            return precedence_key(precedence(known.date_published, article_id))
        first_seen = known.first_seen if known is not None and known.first_seen else seen
        return precedence_key(precedence(first_seen, article_id))

    def fingerprints(self, scheme: str, since: str | None = None) -> list[StoredFingerprint]:
        prefix = self.keys.fingerprints(scheme)
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hgetall(f"{prefix}:fp")
            pipe.hgetall(f"{prefix}:fpfirst")
            records, first = pipe.execute()
        found = []
        for raw_id, record in records.items():
            seen = first.get(raw_id, b"").decode()
            if since is not None and seen < since:
                continue
            found.append(StoredFingerprint(raw_id.decode(), record[:16], record[16:] or None))
        return found

    def check(self) -> str | None:
        """Nothing to check before the run: the worker pings Redis when it connects."""
        return None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Each write is one Redis command or script, atomic by itself: nothing to group."""
        yield

    def journal_mark(self, path: str) -> JournalMark | None:
        raw = self.client.hget(self.journal, path)
        if not raw:
            return None
        offset, _, head = (raw.decode() if isinstance(raw, bytes) else str(raw)).partition(" ")
        return JournalMark(int(offset), head)

    def set_journal_mark(self, path: str, mark: JournalMark) -> None:
        try:
            self.client.hset(self.journal, path, f"{mark.offset} {mark.head}")
        except LOST as exc:
            self._lost(exc, read=False)

    def forget_journal(self, path: str) -> None:
        try:
            self.client.hdel(self.journal, path)
        except LOST as exc:  # the next run finds the file published and forgets it then
            self._lost(exc, read=False)

    def journal_paths(self) -> list[str]:
        return sorted(p.decode() for p in self.client.hkeys(self.journal))  # type: ignore[union-attr]

    def journal_of(self, slot: int | None) -> str:
        """The journal key of worker slot ``slot`` on this machine (None: a worker with no
        slot, e.g. one with no lock file)."""
        return self.journals if slot is None else f"{self.journals}:w{slot}"

    def journal_slots(self) -> list[int]:
        """The worker slots of this machine that have a journal."""
        slots = []
        for key in self.client.scan_iter(match=f"{self.journals}:w*", count=100):
            tail = (key.decode() if isinstance(key, bytes) else str(key)).rpartition(":w")[2]
            if tail.isdigit():
                slots.append(int(tail))
        return sorted(slots)

    def adopt_journal(self, slot: int) -> int:
        """Move the journal of ``slot`` (a dead worker's: the caller holds its claim) into this
        worker's, atomically; the ``.part`` files it lists are then published by this worker's
        recovery as its own. Returns how many entries moved."""
        moved = self._adopt(keys=[self.journal_of(slot), self.journal])
        return int(moved or 0)

    def close(self) -> None:
        """Nothing: the connection is the worker's (:class:`.member.ClusterMember`)."""

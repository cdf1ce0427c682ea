"""Dedupe across workers: the :class:`~newscrawl.neardup.DedupeStore` in Redis, claimed atomically.

The in-process :class:`~newscrawl.neardup.Deduper` checks, then adds: two workers handed two
copies of one story at the same moment would both find it new. Here the check and the add are
one Lua script (:data:`newscrawl.distributed.scripts.CLAIM`): the fingerprint (body hash,
MinHash signature, LSH band hashes) is computed in the worker, exactly as in one process, and
Redis decides ``new`` or duplicate against

* the claims of this crawl (every worker's), and
* the fingerprints earlier runs recorded (:class:`~newscrawl.distributed.state.RedisState`),
  first seen within ``NEWSCRAWL_DEDUPE_WINDOW_DAYS`` (none in a full run),

with the rules of :meth:`newscrawl.neardup.Deduper.check`: an article is a copy only of a kept
article that comes *before* it in publication order (:func:`newscrawl.neardup.precedence`) and
has its id or canonical URL, its body, or an estimated Jaccard similarity of at least the
threshold on a candidate the bands propose (the same banding as
:class:`~newscrawl.neardup.MemoryDedupeStore`, the same low 16 bits of each signature value).
So each claim carries its article's place in that order (:func:`precedence_key`, a string the
script compares byte by byte), and each earlier run's fingerprint the place its state record
gives (``date_published``, else ``first_seen``, as in one process). An article that precedes a
kept one it resembles is new too, and the kept one is named (``last_preceded``): the pipeline
counts ``newscrawl/dedupe/original_after_copy``.

A claim stands once its article went through the pipelines (:meth:`RedisDeduper.settle`) or
while its worker is alive, so a worker killed in mid-article does not make the article a
duplicate of itself when another worker crawls it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from newscrawl.distributed import scripts
from newscrawl.distributed.connection import LOST, RedisLost
from newscrawl.neardup import (
    LSH_MARGIN,
    BandIndex,
    Deduper,
    Duplicate,
    Fingerprint,
    Precedence,
    id_rank,
    precedence,
    published_seconds,
)

if TYPE_CHECKING:
    import redis

    from newscrawl.distributed.keys import CrawlKeys

_OFFSET = 2**63  # seconds + this: a non-negative 64-bit number, 16 hex digits


def precedence_key(place: Precedence) -> str:
    """*place* as a string whose byte order is the order of places (ASCII only).

    16 hex digits of the seconds (shifted to be non-negative); then ``0``, the number of
    digits of a numeric id (8 hex digits) and its digits; or ``1`` and the UTF-8 bytes of any
    other id in hex (byte order of UTF-8 is code point order)."""
    seconds, (kind, number, text) = place
    head = f"{seconds + _OFFSET:016x}"
    if kind == 0:
        digits = str(number)
        return f"{head}0{len(digits):08x}{digits}"
    return f"{head}1{text.encode('utf-8', 'surrogatepass').hex()}"


def place_of_key(key: str) -> Precedence:
    """The inverse of :func:`precedence_key`."""
    seconds = int(key[:16], 16) - _OFFSET
    if key[16] == "0":
        return (seconds, (0, int(key[25:]), ""))
    return (seconds, (1, 0, bytes.fromhex(key[17:]).decode("utf-8", "surrogatepass")))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisDedupeStore:
    """A :class:`~newscrawl.neardup.DedupeStore` whose state is in Redis.

    :meth:`claim` is what the crawl uses; the protocol's separate methods answer for this
    crawl's standing claims and, where one process would too, earlier runs' fingerprints
    (``add`` claims without a check)."""

    def __init__(self, client: redis.Redis, keys: CrawlKeys, *, worker: str, scheme: str,
                 threshold: float, num_perm: int, since: str | None, full: bool,
                 on_lost: Callable[[BaseException], None] | None = None) -> None:
        self.client = client
        self.on_lost = on_lost
        self.keys = keys
        self.worker = worker
        self.threshold = threshold
        self.num_perm = num_perm
        self.since = since
        self.full = full
        self.prefix = keys.fingerprints(scheme)
        self.bands = BandIndex(max(0.05, threshold - LSH_MARGIN), num_perm)
        self.bands_key = f"{self.prefix}:bands:{self.bands.bands}x{self.bands.rows}"
        self._claim = client.register_script(scripts.CLAIM)
        self._near = client.register_script(scripts.NEAR)
        self._settle = client.register_script(scripts.SETTLE)
        self.claimed = 0

    def _args(self, article_id: str, canonical_url: str | None, body_hash: bytes,
              signature: np.ndarray | None, place: str, check: bool) -> list[Any]:
        """The ``ARGV`` of :data:`~newscrawl.distributed.scripts.CLAIM` and ``NEAR``."""
        low16 = b""
        fields: list[str] = []
        if signature is not None:
            values = np.asarray(signature, dtype=np.uint32)
            low16 = values.astype("<u2").tobytes()  # what the memory store compares
            hashes = self.bands.hashes(values[None, :])[0]  # from the full values
            fields = [f"{band}:{int(value):x}" for band, value in enumerate(hashes.tolist())]
        return [self.keys.crawl, self.prefix, self.worker, repr(self.threshold),
                self.since or "", "1" if self.full else "0", self.num_perm, self.bands_key,
                article_id, canonical_url or "", body_hash, low16, place,
                "1" if check else "0", *fields]

    def _call(self, script: Any, args: list[Any]) -> Any:
        try:
            return script(args=args)
        except LOST as exc:
            if self.on_lost is None:
                raise
            self.on_lost(exc)
            raise RedisLost(exc) from None

    # -- the atomic path --------------------------------------------------------------------

    def claim(self, article_id: str, canonical_url: str | None, fingerprint: Fingerprint,
              place: Precedence, *, check: bool = True,
              ) -> tuple[Duplicate | None, tuple[str, ...]]:
        """``(None, later)`` when *article_id* (at *place* in publication order) is new and now
        claimed, *later* naming the kept articles it precedes and resembles; else why it is a
        duplicate of an article that precedes it, and ``()``. ``check=False`` claims without
        asking."""
        reply = self._call(self._claim, self._args(
            article_id, canonical_url, fingerprint.body_hash, fingerprint.signature,
            precedence_key(place), check))  # bytes: the client does not decode
        reason, kept, same, *later = reply
        if reason == b"new":
            self.claimed += 1
            return None, tuple(_text(other) for other in later)
        return Duplicate(_text(reason), _text(kept),
                         round(int(same) / self.num_perm, 3)), ()

    def settle(self, article_id: str) -> None:
        try:
            self._settle(args=[self.keys.crawl, self.worker, article_id])
        except LOST as exc:
            if self.on_lost is None:
                raise
            self.on_lost(exc)  # the claim lapses with this worker: the article is rewritten

    # -- the protocol -----------------------------------------------------------------------

    def _stands(self, article_id: str) -> bool:
        owner = self.client.hget(f"{self.keys.crawl}:claims", article_id)
        if owner is None:
            return False
        text = _text(owner)
        return text == "+" or bool(self.client.exists(self.keys.alive(text)))

    def has_id(self, article_id: str) -> bool:
        return self._stands(article_id)

    def id_for_url(self, canonical_url: str) -> str | None:
        kept = self.client.hget(f"{self.keys.crawl}:urls", canonical_url)
        return _text(kept) if kept is not None and self._stands(_text(kept)) else None

    def id_for_body(self, body_hash: bytes) -> str | None:
        """This crawl's standing claim with that body (earlier runs' are in the claim script's
        reach only)."""
        kept = self.client.hget(f"{self.keys.crawl}:bodies", body_hash)
        return _text(kept) if kept is not None and self._stands(_text(kept)) else None

    def precedence_of(self, article_id: str) -> Precedence:
        key = (self.client.hget(f"{self.keys.crawl}:prec", article_id)
               if self._stands(article_id) else None)
        if key is None:
            key = self.client.hget(f"{self.prefix}:fpprec", article_id)
        if key is None:
            return (published_seconds(None), id_rank(article_id))
        return place_of_key(_text(key))

    def near(self, signature: np.ndarray) -> list[tuple[str, float]]:
        """Standing claims of this crawl and earlier runs' fingerprints within the window that
        the bands propose and the estimate confirms."""
        flat = self._call(self._near, self._args("", None, b"", signature, "", False))
        return [(_text(flat[n]), int(flat[n + 1]) / self.num_perm)
                for n in range(0, len(flat), 2)]

    def add(self, article_id: str, canonical_url: str | None, fingerprint: Fingerprint,
            published: int) -> None:
        self.claim(article_id, canonical_url, fingerprint, (published, id_rank(article_id)),
                   check=False)

    def preload(self, records: Iterable[tuple[str, bytes, bytes | None]]) -> int:
        """Nothing to load: the claim script reads earlier runs' fingerprints in Redis."""
        return sum(1 for _ in records)

    def __len__(self) -> int:
        return self.claimed


class RedisDeduper(Deduper):
    """:class:`~newscrawl.neardup.Deduper` whose :meth:`check` also claims, in one Redis script.

    Fingerprints are computed here, as in one process. The pipeline calls ``check`` then, when
    the article is new, ``add``: here ``check`` has already claimed it (one round trip), so
    that ``add`` does nothing. ``since`` is the window start (ISO 8601) of earlier runs'
    fingerprints, ``full`` ignores them."""

    store: RedisDedupeStore

    def __init__(self, client: redis.Redis, keys: CrawlKeys, *, worker: str, shingle: int,
                 threshold: float, num_perm: int, since: str | None, full: bool,
                 on_lost: Callable[[BaseException], None] | None = None) -> None:
        super().__init__(shingle=shingle, threshold=threshold, num_perm=num_perm)
        self.store = RedisDedupeStore(client, keys, worker=worker, scheme=self.scheme,
                                      threshold=threshold, num_perm=num_perm, since=since,
                                      full=full, on_lost=on_lost)
        self._claimed: str | None = None
        """The article the last ``check`` claimed (its ``add`` is then done)."""

    def check(self, article_id: str, canonical_url: str | None, body: str,
              published: str | None = None) -> Duplicate | None:
        """The reason *article_id* is a duplicate of a kept article that precedes it, or None,
        and then it is claimed: new to every worker from now on."""
        self._claimed = None
        found, self.last_preceded = self.store.claim(
            article_id, canonical_url, self.fingerprint(body), precedence(published, article_id))
        if found is None:
            self._claimed = article_id
        return found

    def add(self, article_id: str, canonical_url: str | None, body: str,
            published: str | None = None) -> None:
        if self._claimed == article_id:
            self._claimed = None
            return
        super().add(article_id, canonical_url, body, published)

    def settle(self, article_id: str) -> None:
        self.store.settle(article_id)

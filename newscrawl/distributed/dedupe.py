"""Dedupe across workers: the :class:`~newscrawl.neardup.DedupeStore` in Redis, claimed atomically.

The in-process :class:`~newscrawl.neardup.Deduper` checks, then adds: two workers handed two
copies of one story at the same moment would both find it new. Here the check and the add are
one Lua script (:data:`newscrawl.distributed.scripts.CLAIM`): the fingerprint (body hash,
MinHash signature, LSH band hashes) is computed in the worker, exactly as in one process, and
Redis decides ``new`` or duplicate against

* the claims of this crawl (every worker's), and
* the fingerprints earlier runs recorded (:class:`~newscrawl.distributed.state.RedisState`),
  first seen within ``NEWSCRAWL_DEDUPE_WINDOW_DAYS`` (none in a full run),

with the rules of :meth:`newscrawl.neardup.Deduper.check`: same id or canonical URL, same body,
or an estimated Jaccard similarity of at least the threshold on a candidate the bands propose
(the same banding as :class:`~newscrawl.neardup.MemoryDedupeStore`). A claim stands once its
article went through the pipelines (:meth:`RedisDeduper.settle`) or while its worker is alive,
so a worker killed in mid-article does not make the article a duplicate of itself when another
worker crawls it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np

from newscrawl.distributed import scripts
from newscrawl.distributed.connection import LOST, RedisLost
from newscrawl.neardup import LSH_MARGIN, BandIndex, Deduper, Duplicate, Fingerprint

if TYPE_CHECKING:
    import redis
    from datasketch import MinHash

    from newscrawl.distributed.keys import CrawlKeys


class RedisDedupeStore:
    """A :class:`~newscrawl.neardup.DedupeStore` whose state is in Redis.

    :meth:`claim` is what the crawl uses; the protocol's separate methods answer for this
    crawl's standing claims (``add`` claims without a check)."""

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
        self._settle = client.register_script(scripts.SETTLE)
        self.claimed = 0

    # -- the atomic path --------------------------------------------------------------------

    def claim(self, article_id: str, canonical_url: str | None,
              fingerprint: Fingerprint) -> Duplicate | None:
        """None when *article_id* is new (and now claimed), else why it is a duplicate."""
        signature = b""
        fields: list[str] = []
        if fingerprint.minhash is not None:
            values = fingerprint.minhash.hashvalues.astype("<u4", copy=False)
            signature = values.tobytes()
            hashes = self.bands.hashes(values.astype(np.uint32)[None, :])[0]
            fields = [f"{band}:{int(value):x}" for band, value in enumerate(hashes.tolist())]
        try:
            reason, kept, similarity = self._claim(args=[  # bytes: the client does not decode
                self.keys.crawl, self.prefix, self.worker, article_id, canonical_url or "",
                fingerprint.body_hash, signature, repr(self.threshold), self.since or "",
                "1" if self.full else "0", self.num_perm, self.bands_key, *fields])
        except LOST as exc:
            if self.on_lost is None:
                raise
            self.on_lost(exc)
            raise RedisLost(exc) from None
        if reason == b"new":
            self.claimed += 1
            return None
        return Duplicate(bytes(reason).decode(), bytes(kept).decode(),
                         round(float(similarity), 3))

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
        text = owner.decode() if isinstance(owner, bytes) else str(owner)
        return text == "+" or bool(self.client.exists(self.keys.alive(text)))

    def has_id(self, article_id: str) -> bool:
        return self._stands(article_id)

    def id_for_url(self, canonical_url: str) -> str | None:
        kept = self.client.hget(f"{self.keys.crawl}:urls", canonical_url)
        return kept.decode() if kept and self._stands(kept.decode()) else None  # type: ignore[union-attr]

    def id_for_body(self, body_hash: bytes) -> str | None:
        kept = self.client.hget(f"{self.keys.crawl}:bodies", body_hash)
        return kept.decode() if kept and self._stands(kept.decode()) else None  # type: ignore[union-attr]

    def near(self, minhash: MinHash) -> list[tuple[str, float]]:
        """Standing claims of this crawl that the bands propose and the estimate confirms
        (several round trips: the crawl uses :meth:`claim`)."""
        values = minhash.hashvalues.astype("<u4", copy=False)
        hashes = self.bands.hashes(values.astype(np.uint32)[None, :])[0]
        fields = [f"{band}:{int(value):x}" for band, value in enumerate(hashes.tolist())]
        candidates = {cid for found in self.client.hmget(self.bands_key, fields) if found
                      for cid in found.decode().split()}  # type: ignore[union-attr]
        near: list[tuple[str, float]] = []
        for cid in sorted(candidates):
            other = self.client.hget(f"{self.keys.crawl}:sigs", cid)
            if other is None or not self._stands(cid):
                continue
            same = np.count_nonzero(np.frombuffer(other, dtype="<u4") == values)  # type: ignore[arg-type]
            if same / len(values) >= self.threshold:
                near.append((cid, float(same / len(values))))
        return near

    def add(self, article_id: str, canonical_url: str | None, fingerprint: Fingerprint) -> None:
        self.claim(article_id, canonical_url, fingerprint)

    def preload(self, records: Iterable[tuple[str, bytes, bytes | None]]) -> int:
        """Nothing to load: the claim script reads earlier runs' fingerprints in Redis."""
        return sum(1 for _ in records)

    def __len__(self) -> int:
        return self.claimed


class RedisDeduper(Deduper):
    """:class:`~newscrawl.neardup.Deduper` with the check and the add in one Redis script.

    Fingerprints are computed here, as in one process; :meth:`check_and_add` is one round
    trip. ``since`` is the window start (ISO 8601) of earlier runs' fingerprints, ``full``
    ignores them."""

    store: RedisDedupeStore

    def __init__(self, client: redis.Redis, keys: CrawlKeys, *, worker: str, shingle: int,
                 threshold: float, num_perm: int, since: str | None, full: bool,
                 on_lost: Callable[[BaseException], None] | None = None) -> None:
        super().__init__(shingle=shingle, threshold=threshold, num_perm=num_perm)
        self.store = RedisDedupeStore(client, keys, worker=worker, scheme=self.scheme,
                                      threshold=threshold, num_perm=num_perm, since=since,
                                      full=full, on_lost=on_lost)

    def check_and_add(self, article_id: str, canonical_url: str | None,
                      body: str) -> Duplicate | None:
        return self.store.claim(article_id, canonical_url, self.fingerprint(body))

    def settle(self, article_id: str) -> None:
        self.store.settle(article_id)

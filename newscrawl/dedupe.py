"""Duplicate detection, without a crawler: exact ids and URLs, identical bodies, near-copies.

:class:`Deduper` keeps the first copy of a story and names it in the :class:`Duplicate` it
returns for later copies. Near-copies are found with character n-gram shingles, MinHash and
LSH (datasketch); a candidate from the LSH index is confirmed with the MinHash estimate of the
Jaccard similarity, so no body is ever stored.

State lives behind :class:`DedupeStore`, so it can move to Redis; :class:`MemoryDedupeStore`
keeps about 3 KB per article (measured: a 16-byte body hash, a 4·num_perm-byte
signature, 16 LSH band keys and their buckets), so 100,000 articles take about 300 MB.

Across runs, the body hash and signature of every written article are kept with the crawl
state (:meth:`Deduper.signature`, :attr:`Deduper.scheme`) and handed back at the next start
with :meth:`Deduper.preload`: a preloaded article is a story a later copy repeats, but never
its own duplicate (its next version is an update, not a copy).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from datasketch import MinHash, MinHashLSH

_SPACE = re.compile(r"\s+")
_SCHEME = "affine32"  # datasketch 2's default: 32-bit hash values, a bijective permutation


def normalise(body: str) -> str:
    """The body as compared: NFKC, case-folded, without any whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", body).casefold())


def shingles(text: str, k: int) -> set[str]:
    """The set of character k-grams of *text* (the whole text when it is shorter)."""
    if len(text) <= k:
        return {text} if text else set()
    return {text[i : i + k] for i in range(len(text) - k + 1)}


LSH_MARGIN = 0.15
"""How far below the similarity threshold the LSH index looks for candidates."""

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def shingle_hashes(text: str, k: int) -> np.ndarray:
    """32-bit hashes of the distinct character k-grams of *text*, computed in numpy.

    A polynomial hash over the code points (wrapping in 64 bits), folded to 32 bits; stable
    across processes, unlike ``hash()``. datasketch premixes the values with fmix32.
    """
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(points) == 0:
        return np.empty(0, dtype=np.uint32)
    k = min(k, len(points))
    count = len(points) - k + 1
    acc = np.zeros(count, dtype=np.uint64)
    for j in range(k):
        acc = acc * _MULTIPLIER + points[j : j + count]
    folded = (acc ^ (acc >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    return np.unique(folded.astype(np.uint32))


class BandIndex:
    """The LSH index: buckets of signature bands, with the banding datasketch's ``MinHashLSH``
    picks for the threshold (b bands of r values), in plain dicts keyed by the band's bytes.

    Rows of many signatures are cut into bands in one numpy pass, so an earlier run's 20,000
    signatures load in a fraction of a second (datasketch inserts one at a time, ~0.1 ms each).
    """

    def __init__(self, threshold: float, num_perm: int) -> None:
        banding = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.bands: int = banding.b
        self.rows: int = banding.r
        self._buckets: list[dict[bytes, list[str]]] = [{} for _ in range(self.bands)]

    def _keys(self, signatures: np.ndarray) -> list[list[bytes]]:
        """Per band, the band keys of each row of *signatures* (n x num_perm, uint32)."""
        n, width = len(signatures), self.rows * 4
        used = np.ascontiguousarray(signatures[:, : self.bands * self.rows], dtype="<u4")
        banded = used.reshape(n, self.bands, self.rows)
        keys = []
        for band in range(self.bands):
            blob = np.ascontiguousarray(banded[:, band, :]).tobytes()
            keys.append([blob[i * width : (i + 1) * width] for i in range(n)])
        return keys

    def insert_many(self, ids: list[str], signatures: np.ndarray) -> None:
        for bucket, keys in zip(self._buckets, self._keys(signatures), strict=True):
            for key, article_id in zip(keys, ids, strict=True):
                found = bucket.get(key)
                if found is None:
                    bucket[key] = [article_id]
                else:
                    found.append(article_id)

    def remove(self, article_id: str, signature: np.ndarray) -> None:
        for bucket, (key,) in zip(self._buckets, self._keys(signature[None, :]), strict=True):
            found = bucket.get(key)
            if found is not None and article_id in found:
                found.remove(article_id)
                if not found:
                    del bucket[key]

    def query(self, signature: np.ndarray) -> set[str]:
        candidates: set[str] = set()
        for bucket, (key,) in zip(self._buckets, self._keys(signature[None, :]), strict=True):
            found = bucket.get(key)
            if found:
                candidates.update(found)
        return candidates


@dataclass(frozen=True)
class Fingerprint:
    """What is kept of a body: a hash of the normalised text and a MinHash signature."""

    body_hash: bytes
    minhash: MinHash | None
    """None when the normalised body is empty."""


@dataclass(frozen=True)
class Duplicate:
    """Why an article is a duplicate, and of which kept article."""

    reason: str
    """``duplicate_id``, ``duplicate_body`` or ``near_duplicate``."""
    duplicate_of: str
    """The id of the article that was kept."""
    similarity: float = 1.0
    """The estimated Jaccard similarity of the shingle sets (1.0 for exact duplicates)."""


class DedupeStore(Protocol):
    """Where the seen articles are remembered (in memory now; Redis later)."""

    def has_id(self, article_id: str) -> bool: ...

    def id_for_url(self, canonical_url: str) -> str | None: ...

    def id_for_body(self, body_hash: bytes) -> str | None: ...

    def near(self, minhash: MinHash) -> list[tuple[str, float]]:
        """Kept articles whose estimated Jaccard similarity reaches the threshold, with it."""
        ...

    def add(
        self, article_id: str, canonical_url: str | None, fingerprint: Fingerprint
    ) -> None: ...

    def preload(self, records: Iterable[tuple[str, bytes, bytes | None]]) -> int:
        """Remember articles earlier runs wrote, as ``(article_id, body_hash, signature)``
        (signature: ``num_perm`` little-endian uint32). Their ids are not taken as seen."""
        ...

    def __len__(self) -> int: ...


class MemoryDedupeStore:
    """A :class:`DedupeStore` in dicts and a :class:`BandIndex`."""

    def __init__(self, threshold: float, num_perm: int) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._ids: set[str] = set()
        self._urls: dict[str, str] = {}
        self._bodies: dict[bytes, str] = {}
        self._signatures: dict[str, bytes] = {}
        self.preloaded = 0
        """Articles of earlier runs handed to :meth:`preload`."""
        # The LSH index only proposes candidates, so it is tuned below the threshold: at 0.8
        # datasketch's own banding (9 x 13) finds a pair of Jaccard 0.85 only 69 % of the
        # time; at 0.65 (16 x 8), 99 %. Candidates are then confirmed with the estimate.
        self._lsh = BandIndex(max(0.05, threshold - LSH_MARGIN), num_perm)

    def has_id(self, article_id: str) -> bool:
        return article_id in self._ids

    def id_for_url(self, canonical_url: str) -> str | None:
        return self._urls.get(canonical_url)

    def id_for_body(self, body_hash: bytes) -> str | None:
        return self._bodies.get(body_hash)

    def near(self, minhash: MinHash) -> list[tuple[str, float]]:
        found = []
        values = minhash.hashvalues.astype("<u4", copy=False)
        for key in self._lsh.query(values):
            kept = np.frombuffer(self._signatures[key], dtype="<u4")
            similarity = float(np.count_nonzero(kept == values)) / len(values)
            if similarity >= self.threshold:
                found.append((key, similarity))
        return found

    def add(
        self, article_id: str, canonical_url: str | None, fingerprint: Fingerprint
    ) -> None:
        self._ids.add(article_id)
        if canonical_url:
            self._urls.setdefault(canonical_url, article_id)
        self._remember(article_id, fingerprint)

    def preload(self, records: Iterable[tuple[str, bytes, bytes | None]]) -> int:
        ids: list[str] = []
        signatures: list[bytes] = []
        count = 0
        for article_id, body_hash, signature in records:
            self._bodies.setdefault(bytes(body_hash), article_id)
            count += 1
            if signature is None:
                continue
            if len(signature) != 4 * self.num_perm:
                raise ValueError(f"the signature of {article_id!r} has {len(signature)} bytes, "
                                 f"not {4 * self.num_perm}")
            if article_id in self._signatures:
                self._forget_signature(article_id)
            self._signatures[article_id] = signature = bytes(signature)
            ids.append(article_id)
            signatures.append(signature)
        if ids:
            matrix = np.frombuffer(b"".join(signatures), dtype="<u4")
            self._lsh.insert_many(ids, matrix.reshape(len(ids), self.num_perm))
        self.preloaded += count
        return count

    def _forget_signature(self, article_id: str) -> None:
        signature = np.frombuffer(self._signatures.pop(article_id), dtype="<u4")
        self._lsh.remove(article_id, signature)

    def _remember(self, article_id: str, fingerprint: Fingerprint) -> None:
        self._bodies.setdefault(fingerprint.body_hash, article_id)
        if article_id in self._signatures:  # a new version of a preloaded article replaces it
            self._forget_signature(article_id)
        if fingerprint.minhash is not None:
            values = fingerprint.minhash.hashvalues.astype("<u4", copy=False)
            self._signatures[article_id] = values.tobytes()
            self._lsh.insert_many([article_id], values[None, :])

    def __len__(self) -> int:
        return len(self._ids)


class Deduper:
    """Decides whether an article repeats one seen before. ``check`` first, then ``add``."""

    def __init__(
        self,
        store: DedupeStore | None = None,
        *,
        shingle: int = 5,
        threshold: float = 0.8,
        num_perm: int = 128,
    ) -> None:
        if shingle < 1:
            raise ValueError(f"shingle must be at least 1, not {shingle}")
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {threshold}")
        self.shingle = shingle
        self.threshold = threshold
        self.num_perm = num_perm
        self.store: DedupeStore = (
            store if store is not None else MemoryDedupeStore(threshold, num_perm)
        )
        # Permutations are drawn once and shared by every MinHash of this run.
        template = MinHash(num_perm=num_perm, scheme=_SCHEME)
        self._permutations = template.permutations
        self._last: tuple[str, Fingerprint] | None = None

    @property
    def scheme(self) -> str:
        """Names how signatures are made: only signatures of the same scheme are comparable."""
        return f"{_SCHEME}-k{self.shingle}-p{self.num_perm}"

    @staticmethod
    def signature(fingerprint: Fingerprint) -> bytes | None:
        """The MinHash signature as bytes (``num_perm`` little-endian uint32), for storage."""
        if fingerprint.minhash is None:
            return None
        return fingerprint.minhash.hashvalues.astype("<u4", copy=False).tobytes()

    def preload(self, records: Iterable[tuple[str, bytes, bytes | None]]) -> int:
        """Remember articles written by earlier runs: ``(article_id, body_hash, signature)``
        of this :attr:`scheme`. Later copies of them are duplicates; their own next versions
        are not. Returns how many articles were loaded."""
        return self.store.preload(records)

    def fingerprint(self, body: str) -> Fingerprint:
        """The body hash and MinHash of *body* (cached for the latest body)."""
        if self._last is not None and self._last[0] == body:
            return self._last[1]
        text = normalise(body)
        body_hash = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        minhash = None
        hashes = shingle_hashes(text, self.shingle)
        if len(hashes):
            minhash = MinHash(
                num_perm=self.num_perm,
                hashfunc=int,
                permutations=self._permutations,
                scheme=_SCHEME,
            )
            minhash.update_batch(hashes.tolist())
        result = Fingerprint(body_hash, minhash)
        self._last = (body, result)
        return result

    def check(
        self, article_id: str, canonical_url: str | None, body: str
    ) -> Duplicate | None:
        """The reason *article_id* is a duplicate of a kept article, or None if it is new.

        A preloaded earlier version of *article_id* itself never counts."""
        if self.store.has_id(article_id):
            return Duplicate("duplicate_id", article_id)
        if canonical_url and (kept := self.store.id_for_url(canonical_url)) is not None:
            return Duplicate("duplicate_id", kept)
        fingerprint = self.fingerprint(body)
        kept = self.store.id_for_body(fingerprint.body_hash)
        if kept is not None and kept != article_id:
            return Duplicate("duplicate_body", kept)
        if fingerprint.minhash is not None:
            candidates = [c for c in self.store.near(fingerprint.minhash) if c[0] != article_id]
            if candidates:
                kept, similarity = max(candidates, key=lambda c: c[1])
                return Duplicate("near_duplicate", kept, round(similarity, 3))
        return None

    def add(self, article_id: str, canonical_url: str | None, body: str) -> None:
        """Remember *article_id* as kept."""
        self.store.add(article_id, canonical_url, self.fingerprint(body))

    def check_and_add(
        self, article_id: str, canonical_url: str | None, body: str
    ) -> Duplicate | None:
        """``check``, and ``add`` when the article is new."""
        duplicate = self.check(article_id, canonical_url, body)
        if duplicate is None:
            self.add(article_id, canonical_url, body)
        return duplicate

"""Duplicate detection, without a crawler: exact ids and URLs, identical bodies, near-copies.

:class:`Deduper` keeps the first copy of a story and names it in the :class:`Duplicate` it
returns for later copies. Near-copies are found with character n-gram shingles, MinHash and
LSH (datasketch); a candidate from the LSH index is confirmed with the MinHash estimate of the
Jaccard similarity, so no body is ever stored.

State lives behind :class:`DedupeStore`, so it can move to Redis. :class:`MemoryDedupeStore`
keeps the signatures in one ``uint32`` matrix (512 bytes per article at 128 permutations) and
the LSH bands as sorted 64-bit hashes with row numbers (192 bytes at 16 bands): with the id,
URL and body-hash dicts, about 1 KB per article, where byte keys and lists of ids took 3.4 KB.

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


_MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def band_hashes(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit hash per band of each row of *signatures* (n x num_perm, uint32): n x bands.

    A weighted sum of the band's values (odd 64-bit weights) plus a salt for the band number,
    so equal values in two different bands hash apart, then splitmix64's finaliser. Bands of
    different values sharing a hash (for MinHash values, about 2**-64 a pair) only add a
    candidate, which the signature comparison turns down.
    """
    used = np.asarray(signatures[:, : bands * rows], dtype=np.uint64)
    weights = (np.arange(1, rows + 1, dtype=np.uint64) * _MULTIPLIER) | np.uint64(1)
    salts = np.arange(1, bands + 1, dtype=np.uint64) * _MIX[0]
    acc = (used.reshape(len(signatures), bands, rows) * weights).sum(axis=2, dtype=np.uint64)
    acc += salts
    acc ^= acc >> np.uint64(30)  # splitmix64's finaliser
    acc *= _MIX[0]
    acc ^= acc >> np.uint64(27)
    acc *= _MIX[1]
    acc ^= acc >> np.uint64(31)
    return acc


class BandIndex:
    """The LSH index: which rows share a band with a signature, for the banding datasketch's
    ``MinHashLSH`` picks for the threshold (b bands of r values), in numpy arrays.

    A row's b band hashes (:func:`band_hashes`) go first to a small unsorted tail (a
    ``TAIL x b`` matrix scanned column by column), which is merged, when full, into one sorted
    array of every band hash with a parallel array of row numbers, searched with
    ``searchsorted``. About ``12 * b`` bytes per row (192 at 16 bands), where dicts of byte
    keys and lists of ids took ~2.8 KB; a lookup stays logarithmic (a few tens of µs).
    """

    TAIL = 512
    """Rows kept unsorted before a merge."""

    def __init__(self, threshold: float, num_perm: int) -> None:
        banding = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.bands: int = banding.b
        self.rows: int = banding.r
        self._keys = np.empty(0, dtype=np.uint64)
        """Every merged band hash, sorted."""
        self._key_rows = np.empty(0, dtype=np.int32)
        """The row of each of ``_keys``."""
        self._tail = np.empty((self.TAIL, self.bands), dtype=np.uint64)
        self._tail_rows = np.empty(self.TAIL, dtype=np.int32)
        self._tail_len = 0

    @property
    def nbytes(self) -> int:
        return (self._keys.nbytes + self._key_rows.nbytes + self._tail.nbytes
                + self._tail_rows.nbytes)

    def hashes(self, signatures: np.ndarray) -> np.ndarray:
        return band_hashes(signatures, self.bands, self.rows)

    def insert_many(self, rows: np.ndarray, signatures: np.ndarray) -> None:
        """Index *signatures* (n x num_perm, uint32) as *rows* (n row numbers)."""
        hashes = self.hashes(signatures)
        rows = np.asarray(rows, dtype=np.int32)
        if len(hashes) >= self.TAIL:  # a bulk load: straight into the sorted part
            self._merge(hashes, rows)
            return
        done = 0
        while done < len(hashes):
            take = min(len(hashes) - done, self.TAIL - self._tail_len)
            end = self._tail_len + take
            self._tail[self._tail_len : end] = hashes[done : done + take]
            self._tail_rows[self._tail_len : end] = rows[done : done + take]
            self._tail_len, done = end, done + take
            if self._tail_len == self.TAIL:
                self._merge(self._tail, self._tail_rows)
                self._tail_len = 0

    def _merge(self, hashes: np.ndarray, rows: np.ndarray) -> None:
        keys = hashes.ravel()
        key_rows = np.repeat(rows, self.bands)
        order = np.argsort(keys, kind="stable")
        keys, key_rows = keys[order], key_rows[order]
        at = np.searchsorted(self._keys, keys, side="right")
        self._keys = np.insert(self._keys, at, keys)
        self._key_rows = np.insert(self._key_rows, at, key_rows)

    def query(self, signature: np.ndarray) -> np.ndarray:
        """The rows sharing at least one band with *signature*, ascending (removed rows too:
        the caller knows which rows are gone)."""
        hashes = self.hashes(signature[None, :])[0]
        low = np.searchsorted(self._keys, hashes, side="left")
        high = np.searchsorted(self._keys, hashes, side="right")
        hit = high > low
        found = [self._key_rows[start:stop]
                 for start, stop in zip(low[hit].tolist(), high[hit].tolist(), strict=True)]
        if self._tail_len:
            tail = self._tail[: self._tail_len]
            found.append(self._tail_rows[: self._tail_len][(tail == hashes).any(axis=1)])
        if not found:
            return np.empty(0, dtype=np.int32)
        return np.unique(np.concatenate(found))


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
    """A :class:`DedupeStore` in dicts, a signature matrix and a :class:`BandIndex`.

    Signatures are rows of one growable ``uint32`` matrix (``4 * num_perm`` bytes each); the
    index and the near-copy check work on row numbers, vectorised.
    """

    def __init__(self, threshold: float, num_perm: int) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._ids: set[str] = set()
        self._urls: dict[str, str] = {}
        self._bodies: dict[bytes, str] = {}
        self._matrix = np.empty((0, num_perm), dtype=np.uint32)
        """Signatures, one row each; rows past ``len(_row_ids)`` are spare capacity."""
        self._row_ids: list[str | None] = []
        """The article of each row (None: replaced by a newer version)."""
        self._rows: dict[str, int] = {}
        """The current row of each article with a signature."""
        self.preloaded = 0
        """Articles of earlier runs handed to :meth:`preload`."""
        # The LSH index only proposes candidates, so it is tuned below the threshold: at 0.8
        # datasketch's own banding (9 x 13) finds a pair of Jaccard 0.85 only 69 % of the
        # time; at 0.65 (16 x 8), 99 %. Candidates are then confirmed with the estimate.
        self._lsh = BandIndex(max(0.05, threshold - LSH_MARGIN), num_perm)

    @property
    def index_nbytes(self) -> int:
        """Bytes of the signature matrix and the band index (numpy buffers, spare included)."""
        return self._matrix.nbytes + self._lsh.nbytes

    def signature_of(self, article_id: str) -> np.ndarray | None:
        """The signature kept for *article_id* (a read-only view), if any."""
        row = self._rows.get(article_id)
        if row is None:
            return None
        view = self._matrix[row]
        view.flags.writeable = False
        return view

    def has_id(self, article_id: str) -> bool:
        return article_id in self._ids

    def id_for_url(self, canonical_url: str) -> str | None:
        return self._urls.get(canonical_url)

    def id_for_body(self, body_hash: bytes) -> str | None:
        return self._bodies.get(body_hash)

    def near(self, minhash: MinHash) -> list[tuple[str, float]]:
        values = minhash.hashvalues.astype(np.uint32, copy=False)
        rows = self._lsh.query(values)
        if not len(rows):
            return []
        equal = np.count_nonzero(self._matrix[rows] == values, axis=1)
        found = []
        for row, same in zip(rows.tolist(), equal.tolist(), strict=True):
            similarity = same / len(values)
            article_id = self._row_ids[row]
            if article_id is not None and similarity >= self.threshold:
                found.append((article_id, similarity))
        return found

    def add(
        self, article_id: str, canonical_url: str | None, fingerprint: Fingerprint
    ) -> None:
        self._ids.add(article_id)
        if canonical_url:
            self._urls.setdefault(canonical_url, article_id)
        self._bodies.setdefault(fingerprint.body_hash, article_id)
        if fingerprint.minhash is not None:
            values = fingerprint.minhash.hashvalues.astype(np.uint32, copy=False)
            self._append([article_id], values[None, :])
        else:
            self._forget_signature(article_id)

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
            ids.append(article_id)
            signatures.append(bytes(signature))
        if ids:
            matrix = np.frombuffer(b"".join(signatures), dtype="<u4")
            self._append(ids, matrix.reshape(len(ids), self.num_perm))
        self.preloaded += count
        return count

    def _forget_signature(self, article_id: str) -> None:
        row = self._rows.pop(article_id, None)
        if row is not None:  # the row stays in the matrix and the index, unclaimed
            self._row_ids[row] = None

    def _append(self, ids: list[str], signatures: np.ndarray) -> None:
        """New rows for *ids*; an article that had one (a new version of a preloaded article,
        or the same article twice in a preload) leaves its old row behind."""
        first = len(self._row_ids)
        needed = first + len(ids)
        if needed > len(self._matrix):
            grown = np.empty((max(needed, 2 * len(self._matrix), 64), self.num_perm),
                             dtype=np.uint32)
            grown[:first] = self._matrix[:first]
            self._matrix = grown
        self._matrix[first:needed] = signatures
        for row, article_id in enumerate(ids, first):
            self._forget_signature(article_id)
            self._rows[article_id] = row
            self._row_ids.append(article_id)
        self._lsh.insert_many(np.arange(first, needed, dtype=np.int32), signatures)

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

"""Duplicate detection, without a crawler: exact ids and URLs, identical bodies, near-copies.

**The rule.** An article is a copy only of an article that *precedes* it in publication order
(:func:`precedence`: ``date_published``, then the smaller article id): the earliest-published
member of a story is its original, whatever order the crawl meets them in, and a copy never
makes its original (or the original's later versions) a copy. :class:`Deduper` returns a
:class:`Duplicate` naming the earlier article, or None. An article that precedes a kept one is
not a copy of it; it is kept too (:attr:`Deduper.last_preceded` names the later ones), so
nothing is ever dropped for a later article. Fed in publication order (the hold,
:mod:`newscrawl.middlewares.hold`), the kept articles are exactly the originals.

**Fingerprints.** A body is compared as normalised text (NFKC, case-folded, whitespace
removed; :func:`normalise`). Identical bodies share a BLAKE2b hash of the whole normalised
text. Near-copies are found with character k-gram shingles of at most
``HEAD_CHARS + TAIL_CHARS`` characters of it (the first and the last; :func:`shingle_text`),
a MinHash signature (:func:`minhash`: datasketch's ``affine32`` scheme, computed block by
block, bit for bit the same values) and a banded LSH index (:class:`BandIndex`); a candidate
is confirmed with the estimated Jaccard similarity. No body is ever stored. Work per body is
bounded: the body is normalised and hashed in pieces (:func:`fingerprint_text`), at most
``HEAD_CHARS + TAIL_CHARS`` characters are shingled, and MinHash works on blocks of
``MINHASH_BLOCK`` shingles.

State lives behind :class:`DedupeStore`, so it can move to Redis. :class:`MemoryDedupeStore`
keeps the low 16 bits of each signature value in ``uint16`` blocks of 1,024 rows (256 bytes
per article at 128 permutations), a publication time per row (8 bytes) and the LSH bands,
hashed from the full values, as sorted 64-bit hashes with row numbers in runs of at most 8,192
rows (192 bytes at 16 bands), with the id, URL and body-hash dicts: about 930 bytes per article
in all, none of it ever copied whole as it grows.

Across runs, the body hash and signature of every written article are kept with the crawl
state (:meth:`Deduper.signature`, :attr:`Deduper.scheme`) and handed back at the next start
with :meth:`Deduper.preload`: a preloaded article is a story a later copy repeats, but never
its own duplicate (its next version is an update, not a copy); its publication time is asked
of ``published_of`` when it first matters.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

import numpy as np

_SPACE = re.compile(r"\s+")
_SCHEME = "affine32"  # datasketch 2's default: 32-bit hash values, a bijective permutation
_SEED = 1  # datasketch's default seed: the permutations every run of the project drew

HEAD_CHARS = 12_000
"""Characters of the normalised body, from its start, that are shingled."""
TAIL_CHARS = 4_000
"""Characters of the normalised body, from its end, that are shingled (bodies longer than
``HEAD_CHARS + TAIL_CHARS``; a news article is 200 to 5,000 characters, so this only ever
cuts pathological pages)."""
MINHASH_BLOCK = 1_024
"""Shingles hashed at a time: a block is ``MINHASH_BLOCK x num_perm`` uint32 (512 KB at 128)."""
NORMALISE_PIECE = 65_536
"""Characters normalised at a time (a body is cut only before a boundary character)."""

BLOCK_ROWS = 1_024
"""Signatures per block of the store (256 KB at 128 permutations): the store grows a block at
a time, never by copying what it holds."""

LSH_MARGIN = 0.15
"""How far below the similarity threshold the LSH index looks for candidates."""


# --- Publication order -----------------------------------------------------------------------

UNDATED = 2**62
"""The publication time of an article without a readable ``date_published``: after all."""
UNKNOWN = -(2**62)
"""The publication time of a preloaded row, until it is asked of ``published_of``."""

Precedence = tuple[int, tuple[int, int, str]]
"""``(seconds since the epoch, id rank)``: the smaller precedes."""


def published_seconds(value: str | None) -> int:
    """Seconds since the epoch of an ISO 8601 time with offset; :data:`UNDATED` otherwise."""
    if not value:
        return UNDATED
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return UNDATED
    if parsed.tzinfo is None:
        return UNDATED
    return int(parsed.timestamp())


def id_rank(article_id: str) -> tuple[int, int, str]:
    """Ids in order: numeric ids by value (the site's ids grow with time), then the others."""
    if article_id.isascii() and article_id.isdigit():
        return (0, int(article_id), "")
    return (1, 0, article_id)


def precedence(date_published: str | None, article_id: str) -> Precedence:
    """Where an article stands in publication order: ``date_published``, then the smaller id
    (an article without a date comes after every dated one)."""
    return (published_seconds(date_published), id_rank(article_id))


# --- Text ------------------------------------------------------------------------------------


def normalise(body: str) -> str:
    """The body as compared: NFKC, case-folded, without any whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", body).casefold())


# A boundary character starts a new piece: a starter that NFKC leaves alone (or maps to a
# starter), that composes with nothing before it and that case folding maps alone, so
# normalising the pieces one by one gives the same text as normalising the whole body. Line
# breaks, spaces, ASCII, CJK punctuation, kana and ideographs; not halfwidth kana (ﾞ folds
# into the kana before it), Hangul jamo or combining marks.
_BOUNDARY = re.compile("[\n\t !-~\u3000-\u3002\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff]")


def pieces(body: str, size: int = NORMALISE_PIECE) -> Iterator[str]:
    """*body* cut into pieces of at least *size* characters (the last one shorter), each cut
    just before a boundary character; a stretch with none is not cut."""
    start, end = 0, len(body)
    while end - start > size:
        found = _BOUNDARY.search(body, start + size)
        if found is None:
            break
        yield body[start : found.start()]
        start = found.start()
    yield body[start:]


def shingle_text(text: str, head: int = HEAD_CHARS, tail: int = TAIL_CHARS) -> str:
    """The part of normalised *text* that is shingled: all of it, or its first *head* and last
    *tail* characters when it is longer."""
    if len(text) <= head + tail:
        return text
    return text[:head] + text[len(text) - tail :]


def fingerprint_text(body: str, head: int = HEAD_CHARS, tail: int = TAIL_CHARS,
                     piece: int = NORMALISE_PIECE) -> tuple[bytes, str]:
    """The BLAKE2b hash (16 bytes) of the whole normalised body and its :func:`shingle_text`.

    The body is normalised piece by piece (:func:`pieces`), so memory stays within a few
    pieces plus ``head + tail`` characters whatever the body's size; the results are those of
    :func:`normalise` on the whole body."""
    digest = hashlib.blake2b(digest_size=16)
    kept: list[str] = []
    kept_len = 0
    last = ""  # past head + tail: the last `tail` characters
    long = False
    for part in pieces(body, piece):
        text = normalise(part)
        if not text:
            continue
        digest.update(text.encode("utf-8"))
        if long:
            last = (last + text)[-tail:] if tail else ""
            continue
        kept.append(text)
        kept_len += len(text)
        if kept_len > head + tail:
            joined = "".join(kept)
            kept = [joined[:head]]
            last = joined[len(joined) - tail :] if tail else ""
            long = True
    return digest.digest(), (kept[0] + last if long else "".join(kept))


# --- MinHash ---------------------------------------------------------------------------------

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def shingle_hashes(text: str, k: int) -> np.ndarray:
    """32-bit hashes of the distinct character k-grams of *text*, computed in numpy.

    A polynomial hash over the code points (wrapping in 64 bits), folded to 32 bits; stable
    across processes, unlike ``hash()``. :func:`minhash` premixes the values with fmix32.
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


_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


def permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` of datasketch's ``affine32`` permutations (seed 1): the same in every run,
    so signatures stored by earlier runs stay comparable.

    Drawn here as datasketch 2 draws them (``MinHash._init_permutations``: an odd ``a`` and any
    ``b`` from ``numpy.random.RandomState(1)``), without importing datasketch, which pulls in
    scipy (0.2–0.4 s of every crawl's start); ``tests/pipelines/test_neardup.py`` checks the
    values against datasketch's own."""
    gen = np.random.RandomState(_SEED)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


_BANDING = {(0.65, 128): (16, 8)}
"""``(threshold, num_perm)`` → the ``(bands, rows)`` datasketch's ``MinHashLSH`` chooses, for
the default settings (``NEWSCRAWL_DEDUPE_THRESHOLD`` 0.8 less :data:`LSH_MARGIN`, 128
permutations); checked against datasketch by the tests. Other settings ask datasketch."""


def banding(threshold: float, num_perm: int) -> tuple[int, int]:
    """``(bands, rows)`` of the LSH index for ``threshold``: datasketch's choice (it minimises
    the false positives and negatives), so the band hashes stored in Redis by earlier runs
    stay valid."""
    known = _BANDING.get((round(threshold, 6), num_perm))
    if known is not None:
        return known
    from datasketch import MinHashLSH  # here: scipy is imported only for other settings

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


def minhash(hashes: np.ndarray, perms: tuple[np.ndarray, np.ndarray],
            block: int = MINHASH_BLOCK) -> np.ndarray:
    """The MinHash signature (``num_perm`` uint32) of 32-bit *hashes*.

    datasketch's ``affine32`` scheme (fmix32 of each value, then ``a * h + b`` modulo 2**32
    for each permutation, the minimum over the values), exactly the values of
    ``MinHash.update_batch``, but computed *block* values at a time instead of in one
    ``(values x num_perm)`` matrix."""
    a, b = perms
    values = np.asarray(hashes, dtype=np.uint32)
    shift1, mul1, shift2, mul2 = _FMIX32
    values = values ^ (values >> shift1)
    values *= mul1
    values ^= values >> shift2
    values *= mul2
    values ^= values >> shift1
    signature = np.full(len(a), 0xFFFFFFFF, dtype=np.uint32)
    for start in range(0, len(values), block):
        products = np.multiply.outer(values[start : start + block], a)
        products += b
        np.minimum(signature, products.min(axis=0), out=signature)
    return signature


# --- LSH -------------------------------------------------------------------------------------

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
    return cast("np.ndarray", acc)


class BandIndex:
    """The LSH index: which rows share a band with a signature, for the banding datasketch's
    ``MinHashLSH`` picks for the threshold (b bands of r values), in numpy arrays.

    A row's b band hashes (:func:`band_hashes`) go first to a small unsorted tail (a
    ``TAIL x b`` matrix scanned column by column), which is merged, when full, into sorted
    runs: arrays of band hashes, each with a parallel array of row numbers, searched with
    ``searchsorted``. A run holds at most ``RUN_ROWS`` rows: a merge copies one run, not the
    whole index, so the index never needs twice its size at once (one sorted array of 20,000
    rows took 3.7 MB more for each merge at the end of a crawl). ``12 * b`` bytes per row (192
    at 16 bands); a lookup is logarithmic in each of ``rows / RUN_ROWS`` runs.
    """

    TAIL = 512
    """Rows kept unsorted before a merge."""
    RUN_ROWS = 8192
    """Most rows of one sorted run (1.5 MB at 16 bands)."""

    def __init__(self, threshold: float, num_perm: int) -> None:
        self.bands, self.rows = banding(threshold, num_perm)
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        """Sorted runs: ``(band hashes, their rows)``, the hashes sorted."""
        self._tail = np.empty((self.TAIL, self.bands), dtype=np.uint64)
        self._tail_rows = np.empty(self.TAIL, dtype=np.int32)
        self._tail_len = 0

    @property
    def nbytes(self) -> int:
        return (sum(keys.nbytes + rows.nbytes for keys, rows in self._runs)
                + self._tail.nbytes + self._tail_rows.nbytes)

    def hashes(self, signatures: np.ndarray) -> np.ndarray:
        return band_hashes(signatures, self.bands, self.rows)

    def insert_many(self, rows: np.ndarray, signatures: np.ndarray) -> None:
        """Index *signatures* (n x num_perm, uint32) as *rows* (n row numbers)."""
        hashes = self.hashes(signatures)
        rows = np.asarray(rows, dtype=np.int32)
        if len(hashes) >= self.TAIL:  # a bulk load: straight into the sorted runs
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
        """Add the band hashes of *rows* to the last run while it has room, then to new ones."""
        done = 0
        while done < len(rows):
            room = 0
            if self._runs:
                room = self.RUN_ROWS - len(self._runs[-1][0]) // self.bands
            if room <= 0:
                self._runs.append((np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int32)))
                room = self.RUN_ROWS
            take = min(room, len(rows) - done)
            keys = hashes[done : done + take].ravel()
            key_rows = np.repeat(rows[done : done + take], self.bands)
            order = np.argsort(keys, kind="stable")
            keys, key_rows = keys[order], key_rows[order]
            run_keys, run_rows = self._runs[-1]
            at = np.searchsorted(run_keys, keys, side="right")
            self._runs[-1] = (np.insert(run_keys, at, keys), np.insert(run_rows, at, key_rows))
            done += take

    def query(self, signature: np.ndarray) -> np.ndarray:
        """The rows sharing at least one band with *signature*, ascending (removed rows too:
        the caller knows which rows are gone)."""
        hashes = self.hashes(signature[None, :])[0]
        found: list[np.ndarray] = []
        for keys, key_rows in self._runs:
            low = np.searchsorted(keys, hashes, side="left")
            high = np.searchsorted(keys, hashes, side="right")
            hit = high > low
            found.extend(key_rows[start:stop]
                         for start, stop in zip(low[hit].tolist(), high[hit].tolist(),
                                                strict=True))
        if self._tail_len:
            tail = self._tail[: self._tail_len]
            found.append(self._tail_rows[: self._tail_len][(tail == hashes).any(axis=1)])
        if not found:
            return np.empty(0, dtype=np.int32)
        return np.unique(np.concatenate(found))


# --- The store -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """What is kept of a body: a hash of the normalised text and a MinHash signature."""

    body_hash: bytes
    signature: np.ndarray | None
    """``num_perm`` uint32; None when the normalised body is empty."""


@dataclass(frozen=True)
class Duplicate:
    """Why an article is a duplicate, and of which earlier article."""

    reason: str
    """``duplicate_id``, ``duplicate_body`` or ``near_duplicate``."""
    duplicate_of: str
    """The id of the article that precedes it (kept in this run, or written by an earlier
    run)."""
    similarity: float = 1.0
    """The estimated Jaccard similarity of the shingle sets (1.0 for exact duplicates)."""


class DedupeStore(Protocol):
    """Where the seen articles are remembered (in memory now; Redis later)."""

    def has_id(self, article_id: str) -> bool:
        """Whether *article_id* was kept in this run."""
        ...

    def id_for_url(self, canonical_url: str) -> str | None: ...

    def id_for_body(self, body_hash: bytes) -> str | None: ...

    def precedence_of(self, article_id: str) -> Precedence:
        """Where a kept or preloaded article stands in publication order."""
        ...

    def near(self, signature: np.ndarray) -> list[tuple[str, float]]:
        """Kept articles whose estimated Jaccard similarity reaches the threshold, with it."""
        ...

    def add(self, article_id: str, canonical_url: str | None, fingerprint: Fingerprint,
            published: int) -> None:
        """Remember *article_id* as kept, published at *published* (:func:`published_seconds`)."""

    def preload(self, records: Iterable[tuple[str, bytes, bytes | None]]) -> int:
        """Remember articles earlier runs wrote, as ``(article_id, body_hash, signature)``
        (signature: ``num_perm`` little-endian uint32). Their ids are not taken as seen."""
        ...

    def __len__(self) -> int: ...


class MemoryDedupeStore:
    """A :class:`DedupeStore` in dicts, a signature matrix and a :class:`BandIndex`.

    Every kept or preloaded article has a row: its signature in ``uint16`` blocks of
    :data:`BLOCK_ROWS` rows (``2 * num_perm`` bytes; zeros, and not indexed, for an empty
    body) and its publication time in a parallel ``int64`` array. The blocks are never copied
    (a matrix grown by half copied itself, 5 MB old and new at 20,000 articles). The index and
    the near-copy check work on row numbers, vectorised.

    Only the low 16 bits of each signature value are kept (b-bit MinHash): two different
    values agree there once in 65,536, which moves the similarity estimate by about 1e-5,
    where its own standard error at 128 permutations is 0.035. The band hashes are taken from
    the full values, before they are cut.
    """

    def __init__(self, threshold: float, num_perm: int,
                 published_of: Callable[[str], str | None] | None = None) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.published_of = published_of
        """``date_published`` of a preloaded article (None: unknown, it comes last)."""
        self._ids: set[str] = set()
        self._urls: dict[str, str] = {}
        self._bodies: dict[bytes, str] = {}
        self._blocks: list[np.ndarray] = []
        """Signatures (low 16 bits), ``BLOCK_ROWS`` rows a block; rows past
        ``len(_row_ids)`` are spare (in the last block only)."""
        self._times = array("q")
        """Publication time of each row (:data:`UNKNOWN` until asked, for preloaded rows)."""
        self._row_ids: list[str | None] = []
        """The article of each row (None: replaced by a newer version)."""
        self._rows: dict[str, int] = {}
        """The current row of each article."""
        self.preloaded = 0
        """Articles of earlier runs handed to :meth:`preload`."""
        # The LSH index only proposes candidates, so it is tuned below the threshold: at 0.8
        # datasketch's own banding (9 x 13) finds a pair of Jaccard 0.85 only 69 % of the
        # time; at 0.65 (16 x 8), 99 %. Candidates are then confirmed with the estimate.
        self._lsh = BandIndex(max(0.05, threshold - LSH_MARGIN), num_perm)

    @property
    def index_nbytes(self) -> int:
        """Bytes of the signature matrix, the times and the band index (numpy buffers, spare
        capacity included)."""
        return (sum(block.nbytes for block in self._blocks)
                + self._times.itemsize * len(self._times) + self._lsh.nbytes)

    def signature_of(self, article_id: str) -> np.ndarray | None:
        """The signature kept for *article_id* (its low 16 bits, a read-only view), if any."""
        row = self._rows.get(article_id)
        if row is None:
            return None
        view = self._blocks[row // BLOCK_ROWS][row % BLOCK_ROWS]
        view.flags.writeable = False
        return cast("np.ndarray", view)

    def has_id(self, article_id: str) -> bool:
        return article_id in self._ids

    def id_for_url(self, canonical_url: str) -> str | None:
        return self._urls.get(canonical_url)

    def id_for_body(self, body_hash: bytes) -> str | None:
        return self._bodies.get(body_hash)

    def precedence_of(self, article_id: str) -> Precedence:
        row = self._rows.get(article_id)
        if row is None:  # not kept (a body hash of an article that had no row): ask
            return (self._resolve(article_id), id_rank(article_id))
        seconds = int(self._times[row])
        if seconds == UNKNOWN:
            seconds = self._times[row] = self._resolve(article_id)
        return (seconds, id_rank(article_id))

    def _resolve(self, article_id: str) -> int:
        date = self.published_of(article_id) if self.published_of is not None else None
        return published_seconds(date)

    def near(self, signature: np.ndarray) -> list[tuple[str, float]]:
        values = np.asarray(signature, dtype=np.uint32)
        rows = self._lsh.query(values)
        if not len(rows):
            return []
        kept = np.stack([self._blocks[row // BLOCK_ROWS][row % BLOCK_ROWS]
                         for row in rows.tolist()])
        equal = np.count_nonzero(kept == values.astype(np.uint16), axis=1)
        found = []
        for row, same in zip(rows.tolist(), equal.tolist(), strict=True):
            similarity = same / len(values)
            article_id = self._row_ids[row]
            if article_id is not None and similarity >= self.threshold:
                found.append((article_id, similarity))
        return found

    def add(self, article_id: str, canonical_url: str | None, fingerprint: Fingerprint,
            published: int) -> None:
        self._ids.add(article_id)
        here = (published, id_rank(article_id))
        if canonical_url:
            self._claim(self._urls, canonical_url, article_id, here)
        self._claim(self._bodies, fingerprint.body_hash, article_id, here)
        signature = fingerprint.signature
        indexed = signature is not None
        matrix = (np.zeros((1, self.num_perm), dtype=np.uint32) if signature is None
                  else np.asarray(signature, dtype=np.uint32)[None, :])
        self._append([article_id], matrix, np.array([published], dtype=np.int64),
                     np.array([indexed]))

    def _claim(self, table: dict[Any, str], key: Any, article_id: str,
               here: Precedence) -> None:
        """*table[key]* names the earliest article with that key."""
        holder = table.get(key)
        if holder is None or (holder != article_id and here < self.precedence_of(holder)):
            table[key] = article_id

    def preload(self, records: Iterable[tuple[str, bytes, bytes | None]]) -> int:
        ids: list[str] = []
        signatures: list[bytes] = []
        indexed: list[bool] = []
        shared: list[tuple[bytes, str]] = []  # a body hash already held: the earliest keeps it
        empty = bytes(4 * self.num_perm)
        for article_id, body_hash, signature in records:
            if self._bodies.setdefault(bytes(body_hash), article_id) != article_id:
                shared.append((bytes(body_hash), article_id))
            if signature is not None and len(signature) != 4 * self.num_perm:
                raise ValueError(f"the signature of {article_id!r} has {len(signature)} bytes, "
                                 f"not {4 * self.num_perm}")
            ids.append(article_id)
            signatures.append(empty if signature is None else bytes(signature))
            indexed.append(signature is not None)
        if ids:
            matrix = np.frombuffer(b"".join(signatures), dtype="<u4").astype(np.uint32)
            self._append(ids, matrix.reshape(len(ids), self.num_perm),
                         np.full(len(ids), UNKNOWN, dtype=np.int64), np.array(indexed))
        for body_hash, article_id in shared:
            self._claim(self._bodies, body_hash, article_id, self.precedence_of(article_id))
        self.preloaded += len(ids)
        return len(ids)

    def _append(self, ids: list[str], signatures: np.ndarray, times: np.ndarray,
                indexed: np.ndarray) -> None:
        """New rows for *ids*; an article that had one (a new version of a preloaded article,
        or the same article twice in a preload) leaves its old row behind, unclaimed."""
        first = len(self._row_ids)
        needed = first + len(ids)
        while needed > len(self._blocks) * BLOCK_ROWS:
            self._blocks.append(np.empty((BLOCK_ROWS, self.num_perm), dtype=np.uint16))
        row = first
        while row < needed:  # the low 16 bits, block by block
            block, offset = divmod(row, BLOCK_ROWS)
            take = min(needed - row, BLOCK_ROWS - offset)
            part = signatures[row - first : row - first + take]
            self._blocks[block][offset : offset + take] = part.astype(np.uint16)
            row += take
        self._times.extend(times.tolist())
        for row, article_id in enumerate(ids, first):
            old = self._rows.get(article_id)
            if old is not None:
                self._row_ids[old] = None
            self._rows[article_id] = row
            self._row_ids.append(article_id)
        rows = np.arange(first, needed, dtype=np.int32)[indexed]
        if len(rows):
            self._lsh.insert_many(rows, signatures[indexed])

    def __len__(self) -> int:
        return len(self._ids)


# --- The deduper -----------------------------------------------------------------------------


class Deduper:
    """Decides whether an article is a copy of one that precedes it. ``check`` first, then
    ``add`` (or ``check_and_add``)."""

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
        self._permutations = permutations(num_perm)
        self._last: tuple[str, Fingerprint] | None = None
        self.last_preceded: tuple[str, ...] = ()
        """Kept articles that the last checked article precedes and resembles: copies that
        were kept before their original was met (in this run, when articles do not come in
        publication order; or by an earlier run). They are not dropped, nor is the original."""

    @property
    def scheme(self) -> str:
        """Names how signatures are made: only signatures of the same scheme are comparable."""
        return f"{self.legacy_scheme}-h{HEAD_CHARS}t{TAIL_CHARS}"

    @property
    def legacy_scheme(self) -> str:
        """The scheme before shingling was capped: the same signatures for every body within
        ``HEAD_CHARS + TAIL_CHARS`` normalised characters (all but pathological pages), so
        its fingerprints are loaded too."""
        return f"{_SCHEME}-k{self.shingle}-p{self.num_perm}"

    @staticmethod
    def signature(fingerprint: Fingerprint) -> bytes | None:
        """The MinHash signature as bytes (``num_perm`` little-endian uint32), for storage."""
        if fingerprint.signature is None:
            return None
        return fingerprint.signature.astype("<u4", copy=False).tobytes()

    def preload(self, records: Iterable[tuple[str, bytes, bytes | None]]) -> int:
        """Remember articles written by earlier runs: ``(article_id, body_hash, signature)``
        of this :attr:`scheme`. Later copies of them are duplicates; their own next versions
        are not. Returns how many articles were loaded."""
        return self.store.preload(records)

    def fingerprint(self, body: str) -> Fingerprint:
        """The body hash and MinHash signature of *body* (cached for the latest body)."""
        if self._last is not None and self._last[0] == body:
            return self._last[1]
        body_hash, text = fingerprint_text(body)
        hashes = shingle_hashes(text, self.shingle)
        signature = minhash(hashes, self._permutations) if len(hashes) else None
        result = Fingerprint(body_hash, signature)
        self._last = (body, result)
        return result

    def check(self, article_id: str, canonical_url: str | None, body: str,
              published: str | None = None) -> Duplicate | None:
        """The reason *article_id* (published at *published*, ISO 8601) is a duplicate of a
        kept article that precedes it, or None if it is not.

        A preloaded earlier version of *article_id* itself never counts, nor does a kept
        article that *article_id* precedes (:attr:`last_preceded` names those)."""
        self.last_preceded = ()
        if self.store.has_id(article_id):  # the same article again in this run
            return Duplicate("duplicate_id", article_id)
        here = precedence(published, article_id)
        later: list[str] = []

        def earlier(other: str | None) -> bool:
            if other is None or other == article_id:
                return False
            if self.store.precedence_of(other) < here:
                return True
            later.append(other)
            return False

        fingerprint = self.fingerprint(body)
        found: Duplicate | None = None
        if canonical_url and earlier(kept := self.store.id_for_url(canonical_url)):
            found = Duplicate("duplicate_id", str(kept))
        elif earlier(kept := self.store.id_for_body(fingerprint.body_hash)):
            found = Duplicate("duplicate_body", str(kept))
        elif fingerprint.signature is not None:
            candidates = [c for c in self.store.near(fingerprint.signature) if earlier(c[0])]
            if candidates:  # the most similar; among equals, the earliest
                best = min(candidates,
                           key=lambda c: (-c[1], self.store.precedence_of(c[0])))
                found = Duplicate("near_duplicate", best[0], round(best[1], 3))
        if found is None:
            self.last_preceded = tuple(dict.fromkeys(later))
        return found

    def add(self, article_id: str, canonical_url: str | None, body: str,
            published: str | None = None) -> None:
        """Remember *article_id* as kept."""
        self.store.add(article_id, canonical_url, self.fingerprint(body),
                       published_seconds(published))

    def check_and_add(self, article_id: str, canonical_url: str | None, body: str,
                      published: str | None = None) -> Duplicate | None:
        """``check``, and ``add`` when the article is not a duplicate."""
        duplicate = self.check(article_id, canonical_url, body, published)
        if duplicate is None:
            self.add(article_id, canonical_url, body, published)
        return duplicate

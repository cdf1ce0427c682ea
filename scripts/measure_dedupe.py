"""Figures for docs/notes/dedupe.md: MinHash time per article, the 9 MB page, bytes per article.

    python scripts/measure_dedupe.py minhash [--articles 2000]   # time and estimate agreement
    python scripts/measure_dedupe.py page                         # one hostile 9 MB body
    python scripts/measure_dedupe.py index [--articles 100000]    # bytes per article

``minhash`` compares, on the replica's Japanese bodies (5-gram shingles of the normalised
text): datasketch's ``MinHash.update_batch`` (what the pipeline called before), our blockwise
:func:`newscrawl.neardup.minhash` (the same values), and rensa's ``RMinHash`` when it is
installed (``pip install rensa``; not a dependency). ``page`` runs in a fresh process and
reports the peak RSS and tracemalloc peak of fingerprinting one body of 9 MB where nearly
every 5-gram is new (the page of issue 12). ``index`` adds synthetic articles to the store,
their ids, URLs and hashes made inside the loop so that what the store keeps is counted.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import numpy as np
from datasketch import MinHash

from newscrawl.demosite.generator import DemoSite
from newscrawl.neardup import (
    Deduper,
    Fingerprint,
    MemoryDedupeStore,
    minhash,
    normalise,
    permutations,
    shingle_hashes,
)

NUM_PERM = 128


def replica_bodies(count: int) -> tuple[list[str], list[tuple[int, int]]]:
    """Bodies of a replica, and (copy, original) index pairs from its generator."""
    site = DemoSite(articles=count)
    bodies = [site.content(i).body for i in range(count)]
    pairs = [(i, site.meta(i).source) for i in range(count) if site.meta(i).dup_kind]
    return bodies, pairs


def per_call(function: Callable[[Any], Any], inputs: list[Any]) -> float:
    """Median seconds of one call over *inputs* (after one warm-up call)."""
    function(inputs[0])
    times = []
    for value in inputs:
        started = time.perf_counter()
        function(value)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def minhash_figures(count: int) -> None:
    """Print the MinHash table of docs/notes/dedupe.md (one measurement script, in the order
    of the table's rows: over 60 lines on purpose)."""
    bodies, pairs = replica_bodies(count)
    texts = [normalise(b) for b in bodies]
    hashes = [shingle_hashes(t, 5) for t in texts]
    shingles = [{t[i : i + 5] for i in range(len(t) - 4)} for t in texts]
    print(f"{count} replica bodies: median {statistics.median(map(len, texts)):.0f} "
          f"normalised characters, {statistics.median(map(len, hashes)):.0f} shingles")
    template = MinHash(num_perm=NUM_PERM, scheme="affine32")
    perms = permutations(NUM_PERM)

    def datasketch(values: np.ndarray) -> np.ndarray:
        m = MinHash(num_perm=NUM_PERM, hashfunc=int, permutations=template.permutations,
                    scheme="affine32")
        m.update_batch(values.tolist())
        return m.hashvalues

    def ours(values: np.ndarray) -> np.ndarray:
        return minhash(values, perms)

    rows = [("datasketch update_batch (before)", per_call(datasketch, hashes)),
            ("newscrawl.neardup.minhash (now)", per_call(ours, hashes))]
    deduper = Deduper()
    rows.append(("whole fingerprint now (normalise, shingle, hash)",
                 per_call(lambda b: (setattr(deduper, "_last", None), deduper.fingerprint(b)),
                          bodies)))
    signatures = {"ours": [ours(h) for h in hashes]}
    assert all(np.array_equal(datasketch(h), s) for h, s in zip(hashes[:200],
                                                                signatures["ours"], strict=False))
    try:
        from rensa import RMinHash
    except ImportError:
        RMinHash = None
    if RMinHash is not None:
        def rensa_strings(tokens: set[str]) -> list[int]:
            m = RMinHash(num_perm=NUM_PERM, seed=42)
            m.update(list(tokens))
            return list(m.digest())

        def rensa_hashes(values: np.ndarray) -> Any:
            return RMinHash.digest_matrix_from_flat_token_hashes(
                values.astype(np.uint64), [0, len(values)], NUM_PERM, 42)

        rows.append(("rensa RMinHash.update(str shingles)", per_call(rensa_strings, shingles)))
        rows.append(("rensa digest_matrix_from_flat_token_hashes",
                     per_call(rensa_hashes, hashes)))
        signatures["rensa"] = [np.array(rensa_strings(s), dtype=np.uint32) for s in shingles]
    for name, seconds in rows:
        print(f"  {name:<52} {seconds * 1e3:7.3f} ms per article")

    # Agreement with the exact Jaccard: copies and their originals, and neighbouring articles
    # (mostly different stories, some on the same topic).
    cases = {"copy/original": pairs, "neighbours": list(pairwise(range(count)))[:2000]}
    for label, index_pairs in cases.items():
        for name, sigs in signatures.items():
            errors, decisions = [], 0
            for a, b in index_pairs:
                exact = len(shingles[a] & shingles[b]) / max(1, len(shingles[a] | shingles[b]))
                estimate = float(np.count_nonzero(sigs[a] == sigs[b])) / NUM_PERM
                errors.append(abs(estimate - exact))
                decisions += (estimate >= 0.8) == (exact >= 0.8)
            print(f"  {label:<14} {name:<6} {len(index_pairs):5d} pairs: mean |estimate - exact|"
                  f" {statistics.mean(errors):.3f}, max {max(errors):.3f}, same decision "
                  f"at 0.8 {decisions / len(index_pairs):.1%}")


def hostile_body(size: int = 9_000_000) -> str:
    rng = random.Random(12)
    kanji = [chr(c) for c in range(0x4E00, 0x4E00 + 3_000)]
    lines, total = [], 0
    while total < size:
        line = "".join(rng.choices(kanji, k=150)) + "。"
        lines.append(line)
        total += len(line.encode("utf-8")) + 1
    return "\n".join(lines)


def page_figures() -> None:
    body = hostile_body()
    deduper = Deduper()
    deduper.check_and_add("0", None, "暖機運転の本文です。")
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    deduper.check_and_add("1", None, body)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    deduper._last = None
    tracemalloc.start()
    deduper.check_and_add("2", None, body + "追記")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"9 MB page ({len(body.encode('utf-8')) / 1e6:.1f} MB UTF-8, {len(body):,} "
          f"characters): {elapsed:.2f} s; peak RSS +{(after - before) / 1024:.0f} MB; "
          f"tracemalloc peak {peak / 1e6:.1f} MB (the body itself not counted)")


def index_figures(count: int) -> None:
    rng = np.random.default_rng(3)
    signatures = rng.integers(0, 2**32, size=(count, NUM_PERM), dtype=np.uint32)
    store = MemoryDedupeStore(0.8, NUM_PERM)
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    for i in range(count):
        article_id = str(500_000 + 7 * i)
        url = f"https://www.kangnamtimes.com/ja/report/article/{article_id}"
        body_hash = rng.bytes(16)
        store.add(article_id, url, Fingerprint(body_hash, signatures[i]), 1_765_000_000 + i)
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - start
    tracemalloc.stop()
    print(f"index of {count:,} articles: {used / count:.0f} bytes per article in all "
          f"(ids, URLs, body hashes and dicts included); numpy buffers "
          f"{store.index_nbytes / count:.0f} bytes per article (signature 256, time 8, "
          f"bands 192, spare capacity)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["minhash", "page", "index"])
    parser.add_argument("--articles", type=int)
    args = parser.parse_args()
    if args.what == "minhash":
        minhash_figures(args.articles or 2000)
    elif args.what == "page":
        page_figures()
    else:
        index_figures(args.articles or 100_000)


if __name__ == "__main__":
    main()

"""Bounded work per body: MinHash in blocks, the body normalised in pieces, shingling capped.

References are independent of the code under test: datasketch's own ``MinHash.update_batch``
for signatures, ``unicodedata`` on the whole text for normalisation.
"""

from __future__ import annotations

import hashlib
import random
import re
import subprocess
import sys
import unicodedata

import numpy as np
import pytest
from datasketch import MinHash

from newscrawl import neardup
from newscrawl import settings as project_settings
from newscrawl.demosite.generator import DemoSite
from newscrawl.demosite.truth import iter_truth
from newscrawl.neardup import (
    HEAD_CHARS,
    TAIL_CHARS,
    UNDATED,
    Deduper,
    MemoryDedupeStore,
    fingerprint_text,
    minhash,
    normalise,
    permutations,
    precedence,
    shingle_hashes,
    shingle_text,
)

from . import stories


def reference_normalise(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())


def test_minhash_equals_datasketch_update_batch_on_replica_bodies() -> None:
    """The signatures stored by earlier runs (datasketch) stay comparable: same values."""
    template = MinHash(num_perm=128, scheme="affine32")
    perms = permutations(128)
    for record in list(iter_truth(120))[:120]:
        hashes = shingle_hashes(normalise(str(record["body"])), 5)
        reference = MinHash(num_perm=128, hashfunc=int, permutations=template.permutations,
                            scheme="affine32")
        reference.update_batch(hashes.tolist())
        # a small block: many blocks per body, so the blockwise minimum is exercised
        assert np.array_equal(minhash(hashes, perms, block=37), reference.hashvalues)


@pytest.mark.parametrize("num_perm", [16, 128, 256])
def test_permutations_are_datasketchs_own(num_perm: int) -> None:
    """Drawn without importing datasketch, the same values: stored signatures stay valid."""
    a, b = permutations(num_perm)
    reference = MinHash(num_perm=num_perm, scheme="affine32").permutations
    assert np.array_equal(a, reference[0]) and np.array_equal(b, reference[1])


def test_the_default_banding_is_datasketchs_choice() -> None:
    """The known banding (the default settings) is what datasketch's ``MinHashLSH`` picks,
    so band hashes stored in Redis by earlier runs stay valid; other settings ask it."""
    from datasketch import MinHashLSH

    for (threshold, num_perm), chosen in neardup._BANDING.items():
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert chosen == (lsh.b, lsh.r)
    default = float(project_settings.NEWSCRAWL_DEDUPE_THRESHOLD) - neardup.LSH_MARGIN
    assert (round(default, 6), project_settings.NEWSCRAWL_DEDUPE_NUM_PERM) in neardup._BANDING
    other = MinHashLSH(threshold=0.5, num_perm=64)
    assert neardup.banding(0.5, 64) == (other.b, other.r)


def test_a_default_crawls_dedupe_does_not_import_datasketch_or_scipy() -> None:
    code = ("import sys; from newscrawl.neardup import Deduper; import newscrawl.settings as s;"
            "d = Deduper(threshold=s.NEWSCRAWL_DEDUPE_THRESHOLD,"
            " num_perm=s.NEWSCRAWL_DEDUPE_NUM_PERM);"
            "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


# Characters around which pieces could go wrong: combining marks, halfwidth kana and their
# voiced mark, Hangul jamo that compose, compatibility forms, case folding that expands.
TRICKY = ("ab Z\n\t\u3000。、かがカガ漢字ｶﾞﾊﾟ\u3099\u0301e\u0308ᄀ\u1161\u11a8가①Ｆßﬁ\u00a8"
          "ΣσςİЖ\u200b")


@pytest.mark.parametrize("seed", range(8))
def test_normalising_in_pieces_equals_normalising_the_whole(seed: int) -> None:
    rng = random.Random(seed)
    body = "".join(rng.choice(TRICKY) for _ in range(3_000))
    whole = reference_normalise(body)
    for piece in (1, 7, 64):
        digest, text = fingerprint_text(body, head=40, tail=25, piece=piece)
        assert digest == hashlib.blake2b(whole.encode("utf-8"), digest_size=16).digest()
        assert text == whole[:40] + whole[-25:]
        digest, text = fingerprint_text(body, head=len(whole), tail=0, piece=piece)
        assert text == whole


def test_a_nine_megabyte_body_is_shingled_within_the_cap() -> None:
    """A hostile page: 9 MB of text where nearly every 5-gram is new (the page that took the
    process to 3.6 GB). Only the first HEAD_CHARS and last TAIL_CHARS characters are
    shingled; the body hash still covers every character."""
    rng = random.Random(5)
    kanji = [chr(c) for c in range(0x4E00, 0x4E00 + 3_000)]
    lines = ["".join(rng.choices(kanji, k=150)) + "。" for _ in range(20_000)]
    body = "\n".join(lines)
    assert len(body.encode("utf-8")) > 9_000_000
    digest, text = fingerprint_text(body)
    assert len(text) == HEAD_CHARS + TAIL_CHARS
    whole = reference_normalise(body)
    assert text == whole[:HEAD_CHARS] + whole[-TAIL_CHARS:]
    assert len(shingle_hashes(text, 5)) <= HEAD_CHARS + TAIL_CHARS
    changed = body[:-10] + "変更された末尾"
    assert fingerprint_text(changed)[0] != digest
    deduper = Deduper()
    fingerprint = deduper.fingerprint(body)
    assert fingerprint.body_hash == digest
    assert fingerprint.signature is not None
    assert np.array_equal(fingerprint.signature,
                          minhash(shingle_hashes(text, 5), permutations(128)))


def long_story(seed: int, paragraphs: int = 60) -> list[str]:
    """A long original text (well past the cap): sentences built from words of the stories."""
    rng = random.Random(seed)
    words = [w for line in (stories.STORY + stories.SAME_TOPIC).split("\n")
             for w in re.split(r"[、。「」]", line) if w]
    return ["".join(rng.choice(words) + ("、" if k % 3 else "。") for k in range(40))
            for _ in range(paragraphs)]


def test_capped_shingling_still_finds_copies_of_long_articles() -> None:
    original = long_story(1)
    assert len(normalise("\n".join(original))) > 2 * (HEAD_CHARS + TAIL_CHARS)
    deduper = Deduper()
    deduper.add("1", None, "\n".join(original))
    edits = {
        "paragraph added at the start": ["速報です。", *original],
        "paragraph removed near the start": original[:2] + original[3:],
        "paragraph added at the end": [*original, "追記:詳細は分かり次第お伝えする。"],
        "middle rewritten": original[:25] + long_story(9, 10) + original[35:],
    }
    for name, paragraphs in edits.items():
        duplicate = deduper.check("2", None, "\n".join(paragraphs))
        assert duplicate is not None and duplicate.duplicate_of == "1", name
    other = long_story(2)
    assert deduper.check("3", None, "\n".join(other)) is None


def test_shingle_text_keeps_short_texts_whole() -> None:
    assert shingle_text("abcdef", head=3, tail=3) == "abcdef"
    assert shingle_text("abcdefg", head=3, tail=2) == "abcfg"


def test_precedence_is_date_then_id() -> None:
    jst = "2025-12-12T09:10:00+09:00"
    same_instant_utc = "2025-12-12T00:10:00+00:00"
    assert precedence(jst, "500") == precedence(same_instant_utc, "500")
    assert precedence(jst, "900") < precedence("2025-12-12T09:11:00+09:00", "100")
    assert precedence(jst, "99") < precedence(jst, "100")  # ids by value, not as text
    assert precedence(jst, "100") < precedence(None, "1")  # undated articles come last
    assert precedence("not a date", "1")[0] == precedence("2025-12-12T09:10:00", "1")[0] \
        == UNDATED  # unreadable or without an offset: undated


def test_the_store_estimates_similarity_as_the_full_signatures_do() -> None:
    """The store keeps the low 16 bits of each signature value; its estimates for the replica's
    copies equal those of the full 32-bit signatures."""
    site = DemoSite(articles=400)
    deduper = Deduper()
    store = deduper.store
    assert isinstance(store, MemoryDedupeStore)
    pairs = [(i, site.meta(i).source) for i in range(400) if site.meta(i).dup_kind]
    assert len(pairs) >= 10
    for _, original in pairs:
        deduper.add(str(original), None, site.content(original).body)
    for copy, original in pairs:
        mine = deduper.fingerprint(site.content(copy).body).signature
        theirs = deduper.fingerprint(site.content(original).body).signature
        assert mine is not None and theirs is not None
        full = np.count_nonzero(mine == theirs) / len(mine)
        found = dict(store.near(mine))
        if full >= deduper.threshold:
            assert found[str(original)] == full
        else:
            assert str(original) not in found

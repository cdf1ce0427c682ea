"""The state and the dedupe store in Redis: the same answers as in one process, and one
winner when two workers reach the same story at once."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import redis

from newscrawl.demo import truth
from newscrawl.distributed.dedupe import RedisDeduper
from newscrawl.distributed.keys import CrawlKeys
from newscrawl.distributed.state import RedisState
from newscrawl.neardup import Deduper
from newscrawl.state import ArticleState, MemoryState
from tests.pipelines.stories import STORY, credit_changed, paragraph_added

BASE = "http://127.0.0.1:8765/ja/"
KEYS = CrawlKeys.of("kangnamtimes", BASE)


def alive(client: redis.Redis, *workers: str) -> None:
    for worker in workers:
        client.set(KEYS.alive(worker), "1", ex=60)


def deduper(client: redis.Redis, worker: str, *, since: str | None = None,
            full: bool = False) -> RedisDeduper:
    return RedisDeduper(client, KEYS, worker=worker, shingle=5, threshold=0.8, num_perm=128,
                        since=since, full=full)


@pytest.fixture(scope="module")
def replica_bodies() -> list[tuple[str, str, str]]:
    """(id, canonical URL, body) of the replica's articles, near-copies included."""
    found = truth(BASE, 150)
    assert sum(1 for t in found.values() if t["near_duplicate_of"]) >= 3
    return [(i, t["canonical_url"], t["body"]) for i, t in sorted(found.items())]


def test_decisions_are_those_of_one_process(client: redis.Redis,
                                            replica_bodies: list[tuple[str, str, str]]) -> None:
    alive(client, "a", "b")
    workers = [deduper(client, "a"), deduper(client, "b")]
    local = Deduper(shingle=5, threshold=0.8, num_perm=128)
    shared, expected = [], []
    for n, (article_id, url, body) in enumerate(replica_bodies):
        shared.append(workers[n % 2].check_and_add(article_id, url, body))
        expected.append(local.check_and_add(article_id, url, body))
    assert shared == expected
    assert sum(d is not None and d.reason == "near_duplicate" for d in shared) >= 3


def test_two_workers_reaching_one_story_at_once_keep_one(client: redis.Redis) -> None:
    workers = [f"w{n}" for n in range(8)]
    alive(client, *workers)
    bodies = [STORY, STORY, paragraph_added(), credit_changed()] * 2
    results: list[object] = [None] * len(workers)
    start = threading.Barrier(len(workers))

    def claim(n: int) -> None:
        store = deduper(redis.Redis(connection_pool=client.connection_pool), workers[n])
        start.wait()
        results[n] = store.check_and_add(f"60000{n}", f"{BASE}report/article/60000{n}",
                                         bodies[n])

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kept = [n for n, result in enumerate(results) if result is None]
    assert len(kept) == 1
    for result in results:
        if result is not None:
            assert result.duplicate_of == f"60000{kept[0]}"  # type: ignore[attr-defined]


def test_a_claim_of_a_killed_worker_does_not_stand_a_delivered_one_does(
        client: redis.Redis) -> None:
    alive(client, "a", "b")
    a, b = deduper(client, "a"), deduper(client, "b")
    assert a.check_and_add("700001", None, STORY) is None
    assert b.check_and_add("700001", None, STORY).reason == "duplicate_id"  # type: ignore[union-attr]
    client.delete(KEYS.alive("a"))  # killed before its article went through the pipelines
    assert b.check_and_add("700001", None, STORY) is None  # crawled again, claimed afresh
    b.settle("700001")
    client.delete(KEYS.alive("b"))  # gone after delivering it
    c = deduper(client, "c")
    alive(client, "c")
    assert c.check_and_add("700001", None, STORY).reason == "duplicate_id"  # type: ignore[union-attr]
    copy = c.check_and_add("700002", None, paragraph_added())
    assert copy is not None and copy.duplicate_of == "700001"


def test_earlier_runs_count_within_the_window_and_not_in_a_full_run(
        client: redis.Redis) -> None:
    # An earlier run: claimed, delivered, recorded (as the state keeper records it).
    alive(client, "x")
    earlier = deduper(client, "x")
    assert earlier.check_and_add("800001", None, STORY) is None
    earlier.settle("800001")
    fingerprint = earlier.fingerprint(STORY)
    seen = datetime(2026, 1, 10, tzinfo=UTC)
    RedisState(client, KEYS).record_fingerprint(
        "800001", earlier.scheme, fingerprint.body_hash, Deduper.signature(fingerprint),
        seen.isoformat())
    alive(client, "a")

    def verdict(**kwargs: object) -> str | None:
        # A new crawl: the last one's keys are gone, the state stays.
        for key in client.keys(f"{KEYS.crawl}:*"):
            client.delete(key)
        found = deduper(client, "a", **kwargs).check_and_add("800002", None, credit_changed())  # type: ignore[arg-type]
        return None if found is None else f"{found.reason}:{found.duplicate_of}"

    assert verdict() in ("near_duplicate:800001", "duplicate_body:800001")
    assert verdict(since=(seen - timedelta(days=1)).isoformat()) is not None
    assert verdict(since=(seen + timedelta(days=1)).isoformat()) is None
    assert verdict(full=True) is None
    # Its own next version is an update, never a copy of itself.
    assert deduper(client, "a").check_and_add("800001", None, paragraph_added()) is None


def test_state_answers_as_the_memory_state(client: redis.Redis) -> None:
    shared, local = RedisState(client, KEYS, host="h1"), MemoryState()
    first = ArticleState("1", "hash-a", 1, "2026-01-01T09:00:00+09:00", None,
                         "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00", '"e1"', None)
    steps = [first, replace(first, article_id="2", content_hash="hash-b"),
             replace(first, content_hash="hash-c", version=2),
             ArticleState("3", "hash-d", 0, duplicate_of="1")]
    for store in (shared, local):
        store.open()
        for state in steps:
            store.record(state)
        store.touch("2", "2026-01-02T00:00:00+00:00")
        store.touch("404", "2026-01-02T00:00:00+00:00")
        store.set_journal_offset("/out/a.jsonl", 120)
        store.set_journal_offset("/out/b.jsonl", 7)
        store.forget_journal("/out/b.jsonl")
        for n, seen in enumerate(["2026-01-01T00:00:00+00:00", "2026-01-05T00:00:00+00:00"]):
            store.record_fingerprint(str(n), "s", bytes([n]) * 16, bytes([n]) * 512, seen)
        store.record_fingerprint("0", "s", b"\x09" * 16, None, "2026-01-09T00:00:00+00:00")
    assert [shared.get(i) for i in ("1", "2", "3", "404")] == \
        [local.get(i) for i in ("1", "2", "3", "404")]
    assert sorted(shared, key=lambda s: s.article_id) == \
        sorted(local, key=lambda s: s.article_id)
    assert len(shared) == len(local) == 3
    assert shared.journal_paths() == local.journal_paths() == ["/out/a.jsonl"]
    assert shared.journal_offset("/out/a.jsonl") == 120
    for since in (None, "2026-01-03T00:00:00+00:00"):
        assert sorted(shared.fingerprints("s", since)) == sorted(local.fingerprints("s", since))
    # Output files are per machine: another host keeps its own journal.
    assert RedisState(client, KEYS, host="h2").journal_paths() == []

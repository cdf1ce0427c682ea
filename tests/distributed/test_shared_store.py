"""The state and the dedupe store in Redis: the same answers as in one process (the original
of a story is its earliest-published member), and claims one after the other when workers
reach the same story at once."""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import redis

from newscrawl.distributed import scripts
from newscrawl.distributed.connection import RedisLost
from newscrawl.distributed.dedupe import RedisDeduper, place_of_key, precedence_key
from newscrawl.distributed.demo import RedisServer
from newscrawl.distributed.keys import CrawlKeys
from newscrawl.distributed.state import RedisState
from newscrawl.items import Article
from newscrawl.neardup import UNDATED, UNKNOWN, Deduper, Duplicate, id_rank
from newscrawl.state import ArticleState, MemoryState
from newscrawl.state.base import JournalMark
from tests.pipelines.replica import newest_first, truth_articles
from tests.pipelines.stories import SAME_TOPIC, STORY, credit_changed, paragraph_added

BASE = "http://127.0.0.1:8765/ja/"
KEYS = CrawlKeys.of("kangnamtimes", BASE)
EARLY, LATE = "2025-12-12T09:10:00+09:00", "2025-12-13T08:00:00+09:00"


def alive(client: redis.Redis, *workers: str) -> None:
    for worker in workers:
        client.set(KEYS.alive(worker), "1", ex=60)


def deduper(client: redis.Redis, worker: str, *, since: str | None = None,
            full: bool = False) -> RedisDeduper:
    return RedisDeduper(client, KEYS, worker=worker, shingle=5, threshold=0.8, num_perm=128,
                        since=since, full=full)


@pytest.fixture(scope="module")
def replica() -> list[Article]:
    """The replica's articles, near-copies included (each published after its original)."""
    articles, copy_of = truth_articles(150)
    assert sum(1 for source in copy_of.values() if source) >= 3
    return articles


def oldest_first(articles: list[Article]) -> list[Article]:
    return newest_first(articles)[::-1]


def shuffled(articles: list[Article]) -> list[Article]:
    order = list(articles)
    random.Random(7).shuffle(order)
    return order


@pytest.mark.parametrize("order", [oldest_first, newest_first, shuffled])
def test_decisions_are_those_of_one_process(client: redis.Redis, replica: list[Article],
                                            order: Callable[[list[Article]], list[Article]],
                                            ) -> None:
    """Two workers taking turns decide as one process does, and the order matters the same
    way: in publication order the copies are dropped; a copy met first is kept, and so is its
    original when it comes, naming the copy."""
    alive(client, "a", "b")
    workers = [deduper(client, "a"), deduper(client, "b")]
    local = Deduper(shingle=5, threshold=0.8, num_perm=128)
    shared, expected = [], []
    for n, article in enumerate(order(replica)):
        args = (str(article.article_id), article.canonical_url, str(article.body),
                article.date_published)
        worker = workers[n % 2]
        shared.append((worker.check_and_add(*args), set(worker.last_preceded)))
        expected.append((local.check_and_add(*args), set(local.last_preceded)))
    assert shared == expected
    copies = sum(found is not None and found.reason == "near_duplicate" for found, _ in shared)
    originals_after_copies = sum(bool(later) for _, later in shared)
    if order is oldest_first:
        assert copies >= 3 and originals_after_copies == 0
    elif order is newest_first:
        assert copies == 0 and originals_after_copies >= 3
    else:
        assert copies >= 1 and originals_after_copies >= 1


def test_only_an_earlier_article_makes_an_article_a_copy(client: redis.Redis) -> None:
    alive(client, "a", "b")
    a, b = deduper(client, "a"), deduper(client, "b")
    assert a.check_and_add("2", None, paragraph_added(), LATE) is None  # a copy, met first
    assert b.check_and_add("1", None, STORY, EARLY) is None  # its original: new too
    assert b.last_preceded == ("2",)
    # A later copy names the member it resembles most; the same body: the original.
    third = a.check_and_add("3", None, STORY, LATE)
    assert third is not None and (third.reason, third.duplicate_of) == ("duplicate_body", "1")
    # At the same time, the smaller id precedes (ids compared as numbers, not as text).
    assert a.check_and_add("10", None, SAME_TOPIC, EARLY) is None
    assert b.check_and_add("9", None, SAME_TOPIC, EARLY) is None
    eleven = a.check_and_add("11", None, SAME_TOPIC, EARLY)
    assert eleven is not None and (eleven.reason, eleven.duplicate_of) == ("duplicate_body", "9")


def test_two_workers_reaching_one_story_at_once_claim_one_after_the_other(
        client: redis.Redis) -> None:
    """Eight workers claim eight members of one story at the same moment. Whatever order Redis
    runs the claims in, they are claimed one after the other, each seeing the claims before it:
    the earliest article is kept; any later one kept was claimed before every earlier one kept
    (which names it); every other is a copy of a kept article that precedes it."""
    workers = [f"w{n}" for n in range(8)]
    alive(client, *workers)
    bodies = [STORY, STORY, paragraph_added(), credit_changed()] * 2
    results: list[tuple[Duplicate | None, tuple[str, ...]]] = [(None, ())] * len(workers)
    start = threading.Barrier(len(workers))

    def claim(n: int) -> None:
        store = deduper(redis.Redis(connection_pool=client.connection_pool), workers[n])
        start.wait()
        found = store.check_and_add(f"60000{n}", f"{BASE}report/article/60000{n}", bodies[n])
        results[n] = (found, store.last_preceded)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kept = [f"60000{n}" for n, (found, _) in enumerate(results) if found is None]
    assert kept[0] == "600000"
    for n, article_id in enumerate(kept):  # kept is in id order, the order of precedence
        later = results[int(article_id) - 600000][1]
        assert set(later) == set(kept[n + 1:]), "two claims that did not see each other"
    for n, (found, _) in enumerate(results):
        if found is not None:
            assert found.duplicate_of in kept and found.duplicate_of < f"60000{n}"


def test_a_claim_of_a_killed_worker_does_not_stand_a_delivered_one_does(
        client: redis.Redis) -> None:
    alive(client, "a", "b")
    a, b = deduper(client, "a"), deduper(client, "b")
    assert a.check_and_add("700001", None, STORY) is None
    claim = b.check_and_add("700001", None, STORY)
    assert claim is not None and claim.reason == "duplicate_id"
    client.delete(KEYS.alive("a"))  # killed before its article went through the pipelines
    assert b.check_and_add("700001", None, STORY) is None  # crawled again, claimed afresh
    b.settle("700001")
    client.delete(KEYS.alive("b"))  # gone after delivering it
    c = deduper(client, "c")
    alive(client, "c")
    claim = c.check_and_add("700001", None, STORY)
    assert claim is not None and claim.reason == "duplicate_id"
    copy = c.check_and_add("700002", None, paragraph_added())
    assert copy is not None and copy.duplicate_of == "700001"


def earlier_run(client: redis.Redis, article_id: str, body: str, published: str | None,
                first_seen: datetime, *, state_first: bool = False) -> None:
    """What a run leaves, in the order a run does it: the article claimed and delivered; its
    fingerprint recorded on ``item_scraped``, right after its line is written; its state
    recorded a moment later, when the state keeper reads the synced line back
    (``state_first``: the other way round); then the crawl's keys are gone."""
    alive(client, "x")
    run = deduper(client, "x")
    assert run.check_and_add(article_id, None, body, published) is None
    run.settle(article_id)
    seen = first_seen.isoformat()
    state = RedisState(client, KEYS)
    fingerprint = run.fingerprint(body)
    steps = [lambda: state.record(ArticleState(article_id, "hash", 1, published, None, seen,
                                               seen)),
             lambda: state.record_fingerprint(article_id, run.scheme, fingerprint.body_hash,
                                              Deduper.signature(fingerprint), seen)]
    for step in steps if state_first else steps[::-1]:
        step()
    new_crawl(client)


def new_crawl(client: redis.Redis) -> None:
    for key in client.keys(f"{KEYS.crawl}:*"):
        client.delete(key)


def test_earlier_runs_count_within_the_window_and_not_in_a_full_run(
        client: redis.Redis) -> None:
    seen = datetime(2026, 1, 10, tzinfo=UTC)
    earlier_run(client, "800001", STORY, None, seen)
    alive(client, "a")

    def verdict(since: str | None = None, full: bool = False) -> str | None:
        new_crawl(client)
        found = deduper(client, "a", since=since, full=full).check_and_add(
            "800002", None, credit_changed())
        return None if found is None else f"{found.reason}:{found.duplicate_of}"

    assert verdict() in ("near_duplicate:800001", "duplicate_body:800001")
    assert verdict(since=(seen - timedelta(days=1)).isoformat()) is not None
    assert verdict(since=(seen + timedelta(days=1)).isoformat()) is None
    assert verdict(full=True) is None
    # Its own next version is an update, never a copy of itself.
    new_crawl(client)
    assert deduper(client, "a").check_and_add("800001", None, paragraph_added()) is None


def test_a_copy_an_earlier_run_wrote_never_hides_its_original(client: redis.Redis) -> None:
    """Issue 11, case 8, across workers: a run wrote only the copy; the original, met later,
    is written and names it; the copy's own update is then a copy of the original."""
    earlier_run(client, "20", paragraph_added(), LATE, datetime(2025, 12, 13, tzinfo=UTC))
    alive(client, "a", "b")
    a, b = deduper(client, "a"), deduper(client, "b")
    assert a.check_and_add("10", None, STORY, EARLY) is None
    assert a.last_preceded == ("20",)
    update = b.check_and_add("20", None, credit_changed(), LATE)
    assert update is not None and (update.reason, update.duplicate_of) == ("near_duplicate", "10")


@pytest.mark.parametrize("state_first", [False, True])
def test_an_earlier_runs_article_keeps_its_date_whatever_was_recorded_first(
        client: redis.Redis, state_first: bool) -> None:
    """Issue 15, day 1: a run records a delivered article's fingerprint before its state (the
    state is read back from the synced file). The next run must still place the article at
    its ``date_published``: a copy published after it is a copy, one published before it is
    the original (it was placed after every dated article, so every later copy of an earlier
    run's story was written as an "original published before it")."""
    earlier_run(client, "40", STORY, EARLY, datetime(2025, 12, 12, tzinfo=UTC),
                state_first=state_first)
    alive(client, "a", "b")
    copy = deduper(client, "a").check_and_add("41", None, paragraph_added(), LATE)
    assert copy is not None and (copy.reason, copy.duplicate_of) == ("near_duplicate", "40")
    same_body = deduper(client, "b").check_and_add("42", None, STORY, LATE)
    assert same_body is not None and (same_body.reason, same_body.duplicate_of) == (
        "duplicate_body", "40")
    b = deduper(client, "b")
    older = b.check_and_add("39", None, paragraph_added(), "2025-12-11T09:10:00+09:00")
    assert older is None and b.last_preceded == ("40",)


def test_an_undated_article_of_an_earlier_run_counts_from_when_it_was_first_seen(
        client: redis.Redis) -> None:
    seen = datetime(2026, 1, 10, 12, tzinfo=UTC)
    earlier_run(client, "30", STORY, None, seen)
    alive(client, "a")
    a = deduper(client, "a")
    after = a.check_and_add("31", None, paragraph_added(),
                            (seen + timedelta(hours=1)).isoformat())
    assert after is not None and (after.reason, after.duplicate_of) == ("near_duplicate", "30")
    before = a.check_and_add("32", None, paragraph_added(),
                             (seen - timedelta(hours=1)).isoformat())
    assert before is None and a.last_preceded == ("30",)


PLACES = [(UNKNOWN, id_rank("5")), (-1, id_rank("99")), (0, id_rank("0")),
          (0, id_rank("7")), (0, id_rank("007")), (0, id_rank("10")), (0, id_rank("9" * 30)),
          (0, id_rank("a")), (0, id_rank("ab")), (0, id_rank("b")), (0, id_rank("é")),
          (0, id_rank("漢")), (0, id_rank("\U0001f600")), (1_765_500_000, id_rank("554641")),
          (UNDATED, id_rank("1")), (UNDATED, id_rank("x"))]


def test_precedence_keys_sort_as_places_in_python_and_in_redis(client: redis.Redis) -> None:
    keys = [precedence_key(place) for place in PLACES]
    assert [place_of_key(key) for key in keys] == PLACES
    assert all(key.isascii() for key in keys)
    before = client.register_script(scripts.BEFORE + "return before(ARGV[1], ARGV[2]) and 1")
    for x, y in itertools.product(range(len(PLACES)), repeat=2):
        expected = PLACES[x] < PLACES[y]
        assert (keys[x] < keys[y]) == expected, (PLACES[x], PLACES[y])
        assert (before(args=[keys[x], keys[y]]) == 1) == expected, (PLACES[x], PLACES[y])


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
        store.set_journal_mark("/out/a.jsonl", JournalMark(120, "head-a"))
        store.set_journal_mark("/out/b.jsonl", JournalMark(7, "head-b"))
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
    assert shared.journal_mark("/out/a.jsonl") == local.journal_mark("/out/a.jsonl") \
        == JournalMark(120, "head-a")
    for since in (None, "2026-01-03T00:00:00+00:00"):
        assert sorted(shared.fingerprints("s", since)) == sorted(local.fingerprints("s", since))
    # Output files are per machine: another host keeps its own journal.
    assert RedisState(client, KEYS, host="h2").journal_paths() == []


def test_once_redis_is_gone_the_state_answers_only_what_it_just_read(
        client: redis.Redis, server: RedisServer) -> None:
    """An article still in the pipelines when Redis goes away was read by the state pipeline;
    the state keeper reads it again once it is written, and must not fail (a traceback per
    article); any other read fails with one reason, ``redis_lost``."""
    losses: list[BaseException] = []
    state = RedisState(client, KEYS, on_lost=losses.append)
    state.record(ArticleState("1", "hash-a", 2, "2026-01-01T09:00:00+09:00"))
    in_pipelines = state.get("1")
    assert in_pipelines is not None and in_pipelines.version == 2
    assert state.get("2") is None
    server.stop()
    assert state.get("1") == in_pipelines
    assert state.get("2") is None
    with pytest.raises(RedisLost):
        state.get("3")
    state.record(ArticleState("1", "hash-b", 3))  # skipped: the next run reconciles it
    assert len(losses) == 4

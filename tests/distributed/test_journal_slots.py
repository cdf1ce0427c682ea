"""One journal per worker slot: a worker never publishes the ``.part`` another live worker is
writing, and the ``.part`` a dead worker left is published by the next worker to join.

Seen before this rule (one journal per machine): in about 1 run of 6 of the two-worker day-1
crawl, the worker that joined second published the first one's live ``.part`` as "the output of
an interrupted run"; the writer's own publish then failed and it exited 1.
"""

from __future__ import annotations

import os
from pathlib import Path

import redis

from newscrawl.distributed.addon import claim_slot
from newscrawl.distributed.keys import CrawlKeys
from newscrawl.distributed.member import adopt_dead_slots
from newscrawl.distributed.state import RedisState
from newscrawl.state.base import JournalMark
from newscrawl.state.journal import PART_HEAD, recover_journal_parts

KEYS = CrawlKeys.of("kangnamtimes", "http://127.0.0.1:8765/ja/")
LINE = b'{"article_id": "1", "url": "http://127.0.0.1:8765/ja/report/article/1"}\n'


def writing(state: RedisState, part: Path) -> None:
    """What a worker's feed does when it opens: the part in its journal, then a line in it."""
    state.set_journal_mark(str(part), JournalMark(0, PART_HEAD))
    part.write_bytes(LINE)


def test_a_live_workers_part_is_never_published_by_another(client: redis.Redis,
                                                           tmp_path: Path) -> None:
    lock = tmp_path / "run.lock"
    slot_a, claim_a = claim_slot(lock)  # worker a, alive for the whole test
    slot_b, claim_b = claim_slot(lock)
    try:
        a = RedisState(client, KEYS, host="h", slot=slot_a)
        b = RedisState(client, KEYS, host="h", slot=slot_b)
        part_a = tmp_path / "out.h-w0.jsonl.part"
        writing(a, part_a)
        assert adopt_dead_slots(b, lock, slot_b) == 0  # a holds its claim
        assert recover_journal_parts(b) == []
        assert part_a.read_bytes() == LINE and not (tmp_path / "out.h-w0.jsonl").exists()
        assert a.journal_paths() == [str(part_a)] and b.journal_paths() == []
    finally:
        os.close(claim_a)
        os.close(claim_b)


def test_a_dead_workers_part_is_published_by_the_next_run_even_with_fewer_workers(
        client: redis.Redis, tmp_path: Path) -> None:
    lock = tmp_path / "run.lock"
    slot_a, claim_a = claim_slot(lock)  # day 0: two workers, a in slot 0 and c in slot 1
    slot_c, claim_c = claim_slot(lock)
    c = RedisState(client, KEYS, host="h", slot=slot_c)
    part_c = tmp_path / "out.h-w1.jsonl.part"
    writing(c, part_c)
    os.close(claim_c)  # c is killed: the kernel releases its claim
    os.close(claim_a)  # a finishes
    slot_b, claim_b = claim_slot(lock)  # day 1: one worker, in slot 0
    try:
        assert slot_b == slot_a != slot_c
        b = RedisState(client, KEYS, host="h", slot=slot_b)
        assert adopt_dead_slots(b, lock, slot_b) == 1
        assert recover_journal_parts(b) == [tmp_path / "out.h-w1.jsonl"]
        assert (tmp_path / "out.h-w1.jsonl").read_bytes() == LINE and not part_c.exists()
        assert c.journal_paths() == []  # the dead slot's journal moved, it was not copied
    finally:
        os.close(claim_b)


def test_another_machine_keeps_its_own_journals(client: redis.Redis, tmp_path: Path) -> None:
    here = RedisState(client, KEYS, host="h1", slot=0)
    writing(here, tmp_path / "x.jsonl.part")
    there = RedisState(client, KEYS, host="h2", slot=1)
    assert there.journal_slots() == [] and here.journal_slots() == [0]
    assert adopt_dead_slots(there, tmp_path / "run.lock", 1) == 0
    assert here.journal_paths() == [str(tmp_path / "x.jsonl.part")]

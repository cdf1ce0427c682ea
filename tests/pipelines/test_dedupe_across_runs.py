"""Dedupe across runs: fingerprints kept in the crawl state, loaded within a window at start."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from newscrawl.exporters import AtomicJsonLinesItemExporter
from newscrawl.extensions.state import CrawlStateKeeper
from newscrawl.items import Article
from newscrawl.neardup import BandIndex, Deduper, Fingerprint, MemoryDedupeStore
from newscrawl.pipelines.dedupe import DedupePipeline, window_start
from newscrawl.rejects import Rejected
from newscrawl.state import CrawlState, StoredFingerprint, open_state
from tests.support import newscrawl_defaults

from . import stories

SCHEME = Deduper().scheme
BASE = "http://127.0.0.1:8765/ja/"


class NamedSpider(Spider):
    name = "kangnamtimes"


def make_crawler(tmp_path: Path, **settings: object) -> Crawler:
    """A crawler with its extensions built (the state keeper among them), as in a run."""
    crawler = get_crawler(NamedSpider, {
        **newscrawl_defaults(), "NEWSCRAWL_STATE_ENABLED": True,
        "NEWSCRAWL_STATE_BACKEND": "sqlite",
        "NEWSCRAWL_STATE_PATH": str(tmp_path / "state-%(name)s.sqlite3"),
        "NEWSCRAWL_BASE_URL": BASE, "NEWSCRAWL_FULL_CRAWL_ENABLED": False,
        "FEEDS": {str(tmp_path / "out" / "%(time)s.jsonl"): {"format": "jsonl-atomic"}},
        "EXTENSIONS": {"newscrawl.extensions.state.CrawlStateKeeper": 520},
        **settings,
    })
    crawler.spider = crawler._create_spider()
    crawler._apply_settings()
    return crawler


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CrawlState]:
    state = open_state(request.param, str(tmp_path / "state.sqlite3"))
    state.open()
    yield state
    state.close()


def fingerprint_of(deduper: Deduper, body: str) -> tuple[bytes, bytes | None]:
    found = deduper.fingerprint(body)
    return found.body_hash, Deduper.signature(found)


# -- the store --------------------------------------------------------------------------------


def test_fingerprints_round_trip(store: CrawlState) -> None:
    deduper = Deduper()
    body_hash, signature = fingerprint_of(deduper, stories.STORY)
    store.record_fingerprint("1", SCHEME, body_hash, signature, "2026-11-20T00:00:00+00:00")
    store.record_fingerprint("2", SCHEME, b"h" * 16, None, "2026-11-20T00:00:00+00:00")
    store.record_fingerprint("3", "affine32-k9-p64", b"x" * 16, b"y" * 256,
                             "2026-11-20T00:00:00+00:00")
    assert sorted(store.fingerprints(SCHEME)) == [
        StoredFingerprint("1", body_hash, signature), StoredFingerprint("2", b"h" * 16, None)]
    assert signature is not None and len(signature) == 4 * 128
    assert store.fingerprints("affine32-k9-p64") == [
        StoredFingerprint("3", b"x" * 16, b"y" * 256)]


def test_window_counts_from_the_first_version(store: CrawlState) -> None:
    store.record_fingerprint("old", SCHEME, b"o" * 16, None, "2026-10-01T00:00:00+00:00")
    store.record_fingerprint("new", SCHEME, b"n" * 16, None, "2026-11-20T00:00:00+00:00")
    # A new version replaces the fingerprint, not the time the article was first seen.
    store.record_fingerprint("old", SCHEME, b"p" * 16, None, "2026-11-24T00:00:00+00:00")
    since = window_start(datetime(2026, 11, 25, tzinfo=UTC), 14)
    assert since == "2026-11-11T00:00:00+00:00"
    assert [f.article_id for f in store.fingerprints(SCHEME, since)] == ["new"]
    assert sorted(f.body_hash for f in store.fingerprints(SCHEME)) == [b"n" * 16, b"p" * 16]
    assert window_start(datetime(2026, 11, 25, tzinfo=UTC), 0) is None


def test_sqlite_fingerprints_persist(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite3")
    first = open_state("sqlite", path)
    first.open()
    first.record_fingerprint("1", SCHEME, b"a" * 16, b"b" * 512, "2026-11-20T00:00:00+00:00")
    first.close()
    second = open_state("sqlite", path)
    second.open()
    assert second.fingerprints(SCHEME) == [StoredFingerprint("1", b"a" * 16, b"b" * 512)]
    second.close()


# -- the deduper with preloaded fingerprints --------------------------------------------------


def test_a_preloaded_story_catches_later_copies_but_not_its_own_versions() -> None:
    earlier = Deduper()
    records = [("1", *fingerprint_of(earlier, stories.STORY)),
               ("5", *fingerprint_of(earlier, stories.SAME_TOPIC))]
    deduper = Deduper()  # a new run: a new process, the same permutations
    assert deduper.preload(records) == 2
    assert len(deduper.store) == 0  # preloaded ids are not "seen in this run"
    copy = deduper.check("2", None, stories.paragraph_added())
    assert copy is not None and (copy.reason, copy.duplicate_of) == ("near_duplicate", "1")
    same = deduper.check("3", None, stories.whitespace_changed())
    assert same is not None and (same.reason, same.duplicate_of) == ("duplicate_body", "1")
    # Its own next version, changed a little or not at all, is an update, not a copy.
    assert deduper.check("1", None, stories.paragraph_added()) is None
    assert deduper.check_and_add("1", None, stories.STORY) is None
    # ...and once re-added, it replaces its old signature, still catching copies.
    again = deduper.check("4", None, stories.credit_changed())
    assert again is not None and again.duplicate_of == "1"
    assert deduper.check("6", None, stories.SAME_TOPIC) is not None


def test_20000_preloaded_signatures_are_found_again() -> None:
    rng = np.random.default_rng(7)
    signatures = rng.integers(0, 2**32, size=(20_000, 128), dtype=np.uint32)
    records = [(str(i), i.to_bytes(16, "big"), signatures[i].tobytes()) for i in range(20_000)]
    deduper = Deduper()
    assert deduper.preload(records) == 20_000
    assert deduper.store.near(signatures[123]) == [("123", 1.0)]
    assert deduper.store.near(signatures[19_999]) == [("19999", 1.0)]


def test_the_index_costs_under_a_kilobyte_per_article() -> None:
    """Signatures (their low 16 bits: 256 bytes at 128 permutations), publication times (8
    bytes) and band hashes with row numbers (192 bytes at 16 bands) in numpy buffers, spare
    capacity included, whether preloaded or added."""
    rng = np.random.default_rng(11)
    signatures = rng.integers(0, 2**32, size=(6_000, 128), dtype=np.uint32)
    deduper = Deduper()
    deduper.preload((str(i), i.to_bytes(16, "big"), signatures[i].tobytes())
                    for i in range(3_000))
    store = deduper.store
    assert isinstance(store, MemoryDedupeStore)
    assert store.index_nbytes / 3_000 < 500
    for i in range(3_000, 6_000):
        store.add(str(i), None, Fingerprint(i.to_bytes(16, "big"), signatures[i]), 0)
    # 256 + 8 + 192 bytes per row, plus what is left of the last block and the LSH tail
    assert store.index_nbytes / 6_000 < 500
    assert store.near(signatures[4_321]) == [("4321", 1.0)]
    assert store.near(signatures[17]) == [("17", 1.0)]


def test_rows_added_one_by_one_are_found_in_every_block_and_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Signatures added one at a time fill several blocks of the store and several sorted
    runs of the band index (made small here); each is still found, and so is a near copy."""
    monkeypatch.setattr(BandIndex, "RUN_ROWS", 700)
    rng = np.random.default_rng(5)
    signatures = rng.integers(0, 2**32, size=(3_000, 128), dtype=np.uint32)
    store = MemoryDedupeStore(0.8, 128)
    for i in range(3_000):
        store.add(str(i), None, Fingerprint(i.to_bytes(16, "big"), signatures[i]), 0)
    assert len(store._lsh._runs) == 4  # 512-row merges into runs of at most 700 rows
    for i in (0, 511, 699, 700, 1_023, 1_024, 2_047, 2_559, 2_560, 2_999):
        assert store.near(signatures[i]) == [(str(i), 1.0)]
        near_copy = signatures[i].copy()
        near_copy[100:110] += 1  # 10 of 128 values differ, all in the last bands
        assert store.near(near_copy) == [(str(i), 118 / 128)]


# -- the pipeline over two runs ---------------------------------------------------------------


def article(article_id: str, body: str,
            published: str | None = "2025-12-12T09:10:00+09:00") -> Article:
    return Article(url=f"{BASE}report/article/{article_id}", article_id=article_id,
                   headline="見出し", body=body, date_published=published)


def open_run(tmp_path: Path, **settings: object) -> tuple[Crawler, DedupePipeline]:
    crawler = make_crawler(tmp_path, **settings)
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    pipeline = DedupePipeline(crawler)
    pipeline.open_spider()  # the engine opens pipelines before the spider_opened signal
    keeper.spider_opened()
    pipeline.spider_opened()
    return crawler, pipeline


def close_run(crawler: Crawler, pipeline: DedupePipeline) -> None:
    pipeline.close_spider()
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    keeper.close()


def written(crawler: Crawler, pipeline: DedupePipeline, item: Article) -> None:
    """What the engine does for an item that reaches the feed: the line is written, the state
    reads it back (and records it), then the pipeline's fingerprint is kept."""
    assert pipeline.process_item(item) is item
    keeper = crawler.get_extension(CrawlStateKeeper)
    assert keeper is not None
    part = Path(next(iter(crawler.settings.getdict("FEEDS"))).replace("%(time)s", "run") + ".part")
    part.parent.mkdir(parents=True, exist_ok=True)
    with part.open("ab") as file:
        keeper.watch(part)
        # Scrapy types an exporter's file as BytesIO; any binary file works.
        AtomicJsonLinesItemExporter(file, encoding="utf-8").export_item(item)  # type: ignore[arg-type]
    keeper.flush(part)
    pipeline.item_scraped(item)


def test_the_pipeline_drops_copies_of_an_earlier_runs_story(tmp_path: Path) -> None:
    crawler, pipeline = open_run(tmp_path)
    written(crawler, pipeline, article("1", stories.STORY))
    unwritten = article("7", stories.SAME_TOPIC)
    assert pipeline.process_item(unwritten) is unwritten
    pipeline.item_gone(unwritten)  # dropped later (the state pipeline): not recorded
    assert crawler.stats.get_value("newscrawl/dedupe/recorded") == 1
    close_run(crawler, pipeline)

    crawler, pipeline = open_run(tmp_path)
    assert crawler.stats.get_value("newscrawl/dedupe/preloaded") == 1
    with pytest.raises(Rejected) as info:
        pipeline.process_item(article("2", stories.headline_tweak()))
    assert (info.value.reason, info.value.duplicate_of) == ("near_duplicate", "1")
    assert crawler.stats.get_value("newscrawl/dedupe/earlier_run") == 1
    changed = article("1", stories.paragraph_added())  # the story itself, updated
    written(crawler, pipeline, changed)
    seven = article("7", stories.SAME_TOPIC)  # never written before: new
    assert pipeline.process_item(seven) is seven
    close_run(crawler, pipeline)

    # A full run writes every story again: nothing is loaded.
    crawler, pipeline = open_run(tmp_path, NEWSCRAWL_FULL_CRAWL_ENABLED=True)
    assert crawler.stats.get_value("newscrawl/dedupe/preloaded") is None
    copy = article("2", stories.headline_tweak())
    assert pipeline.process_item(copy) is copy
    close_run(crawler, pipeline)


def test_without_state_the_pipeline_is_memory_only(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path, NEWSCRAWL_STATE_ENABLED=False)
    pipeline = DedupePipeline(crawler)
    assert pipeline.keeper is None
    pipeline.open_spider()
    first = article("1", stories.STORY)
    assert pipeline.process_item(first) is first
    assert pipeline._pending == {}
    pipeline.close_spider()
    assert not (tmp_path / "state-kangnamtimes.sqlite3").exists()


def test_a_negative_window_is_refused(tmp_path: Path) -> None:
    from newscrawl.config import BadSetting

    with pytest.raises(BadSetting, match="NEWSCRAWL_DEDUPE_WINDOW_DAYS: must be at least 0"):
        DedupePipeline(make_crawler(tmp_path, NEWSCRAWL_DEDUPE_WINDOW_DAYS=-1))


def test_a_copy_an_earlier_run_wrote_never_hides_its_original(tmp_path: Path) -> None:
    """Issue 11, case 8: a run wrote only the copy (its original was not reachable then). The
    original, met later, is written; the copy's own update is now a copy of it; the original's
    updates are never dropped as copies of the copy. The copy's date is read from the state."""
    early, late = "2025-12-12T09:10:00+09:00", "2025-12-12T15:00:00+09:00"
    crawler, pipeline = open_run(tmp_path)
    written(crawler, pipeline, article("20", stories.paragraph_added(), late))  # the copy
    close_run(crawler, pipeline)

    crawler, pipeline = open_run(tmp_path)  # the original appears; the copy was updated
    written(crawler, pipeline, article("10", stories.STORY, early))
    assert crawler.stats.get_value("newscrawl/dedupe/original_after_copy") == 1
    with pytest.raises(Rejected) as info:
        pipeline.process_item(article("20", stories.credit_changed(), late))
    assert (info.value.reason, info.value.duplicate_of) == ("near_duplicate", "10")
    close_run(crawler, pipeline)

    crawler, pipeline = open_run(tmp_path)  # the original is updated, twice
    written(crawler, pipeline, article("10", stories.paragraph_removed(), early))
    close_run(crawler, pipeline)
    crawler, pipeline = open_run(tmp_path)
    written(crawler, pipeline, article("10", stories.headline_tweak(), early))
    close_run(crawler, pipeline)


def test_an_undated_article_of_an_earlier_run_counts_from_when_it_was_first_seen(
        tmp_path: Path) -> None:
    crawler, pipeline = open_run(tmp_path)
    written(crawler, pipeline, article("30", stories.STORY, published=None))
    close_run(crawler, pipeline)

    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat(timespec="seconds")
    crawler, pipeline = open_run(tmp_path)
    with pytest.raises(Rejected) as info:
        pipeline.process_item(article("31", stories.paragraph_added(), later))
    assert (info.value.reason, info.value.duplicate_of) == ("near_duplicate", "30")
    close_run(crawler, pipeline)

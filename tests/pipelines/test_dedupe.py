from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.neardup import Deduper, MemoryDedupeStore, normalise, shingle_hashes
from newscrawl.pipelines import Rejected
from newscrawl.pipelines.dedupe import DedupePipeline
from tests.support import newscrawl_defaults

from . import stories
from .conftest import make_article
from .replica import newest_first, truth_articles

EDITS: dict[str, Callable[[], str]] = {
    "headline tweak": stories.headline_tweak,
    "paragraph added": stories.paragraph_added,
    "paragraph removed": stories.paragraph_removed,
    "credit changed": stories.credit_changed,
}


@pytest.fixture
def deduper() -> Deduper:
    deduper = Deduper(shingle=5, threshold=0.8, num_perm=128)
    deduper.add("1", "https://example.com/ja/news/article/1", stories.STORY)
    return deduper


@pytest.mark.parametrize("edit", EDITS)
def test_small_edits_are_near_duplicates(deduper: Deduper, edit: str) -> None:
    duplicate = deduper.check("2", "https://example.com/ja/news/article/2", EDITS[edit]())
    assert duplicate is not None
    assert duplicate.reason == "near_duplicate"
    assert duplicate.duplicate_of == "1"
    assert 0.8 <= duplicate.similarity < 1.0


def test_same_topic_different_story_is_kept(deduper: Deduper) -> None:
    assert deduper.check("2", None, stories.SAME_TOPIC) is None


def test_exact_duplicates(deduper: Deduper) -> None:
    same_id = deduper.check("1", "https://example.com/other", stories.SAME_TOPIC)
    assert same_id is not None and (same_id.reason, same_id.duplicate_of) == ("duplicate_id", "1")
    same_url = deduper.check("9", "https://example.com/ja/news/article/1", stories.SAME_TOPIC)
    assert same_url is not None and (same_url.reason, same_url.duplicate_of) == (
        "duplicate_id",
        "1",
    )
    # Whitespace, indents and width differences do not make a body new.
    same_body = deduper.check("3", None, stories.whitespace_changed())
    assert same_body is not None and (same_body.reason, same_body.duplicate_of) == (
        "duplicate_body",
        "1",
    )


def test_first_copy_is_kept_and_later_ones_name_it() -> None:
    deduper = Deduper()
    assert deduper.check_and_add("1", None, stories.STORY) is None
    assert deduper.check_and_add("2", None, stories.SAME_TOPIC) is None
    third = deduper.check_and_add("3", None, stories.paragraph_added())
    assert third is not None and third.duplicate_of == "1"
    assert len(deduper.store) == 2  # the duplicate is not remembered


def test_store_keeps_hashes_not_bodies() -> None:
    store = MemoryDedupeStore(threshold=0.8, num_perm=64)
    deduper = Deduper(store, num_perm=64)
    deduper.add("1", None, stories.STORY)
    signature = store.signature_of("1")
    assert signature is not None and signature.nbytes == 64 * 2  # the low 16 bits
    assert stories.STORY not in repr(vars(store))


def test_shingle_hashes() -> None:
    text = normalise(stories.STORY)
    hashes = shingle_hashes(text, 5)
    assert len(hashes) == len({text[i : i + 5] for i in range(len(text) - 4)})
    assert len(shingle_hashes("abc", 5)) == 1
    assert len(shingle_hashes("", 5)) == 0


def test_pipeline_rejects_with_reason_and_kept_id() -> None:
    crawler = get_crawler(settings_dict=newscrawl_defaults(NEWSCRAWL_DEDUPE_THRESHOLD=0.8))
    pipeline = build_from_crawler(DedupePipeline, crawler)
    pipeline.open_spider()
    first = make_article("100", body=stories.STORY)
    assert pipeline.process_item(first) is first
    with pytest.raises(Rejected) as info:
        pipeline.process_item(make_article("101", body=stories.credit_changed()))
    assert (info.value.reason, info.value.duplicate_of) == ("near_duplicate", "100")
    assert "similarity=" in info.value.detail
    with pytest.raises(Rejected) as info:
        pipeline.process_item(make_article("100", body=stories.SAME_TOPIC))
    assert (info.value.reason, info.value.duplicate_of) == ("duplicate_id", "100")
    other = make_article("102", body=stories.SAME_TOPIC)
    assert pipeline.process_item(other) is other
    pipeline.close_spider()


@pytest.mark.parametrize(
    "settings",
    [
        {"NEWSCRAWL_DEDUPE_ENABLED": False},
    ],
)
def test_pipeline_not_configured(settings: dict[str, object]) -> None:
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        DedupePipeline(get_crawler(settings_dict=newscrawl_defaults(**settings)))


@pytest.mark.parametrize("settings", [
    {"NEWSCRAWL_DEDUPE_THRESHOLD": 1.5},
    {"NEWSCRAWL_DEDUPE_THRESHOLD": 0},
    {"NEWSCRAWL_DEDUPE_SHINGLE_CHARS": 0},
    {"NEWSCRAWL_DEDUPE_ENABLED": -1},
])
def test_pipeline_refuses_bad_values(settings: dict[str, object]) -> None:
    from newscrawl.config import BadSetting

    with pytest.raises(BadSetting, match=next(iter(settings))):
        DedupePipeline(get_crawler(settings_dict=newscrawl_defaults(**settings)))


# -- the original is the earliest-published member ---------------------------------------------

EARLY, LATE = "2025-12-12T09:10:00+09:00", "2025-12-13T08:00:00+09:00"


def test_a_copy_met_first_does_not_make_its_original_a_copy() -> None:
    deduper = Deduper()
    assert deduper.check_and_add("2", None, stories.paragraph_added(), LATE) is None
    assert deduper.check_and_add("1", None, stories.STORY, EARLY) is None  # the original
    assert deduper.last_preceded == ("2",)  # the copy, kept before its original was met
    # A later copy names the member it resembles most; a tie goes to the earliest.
    third = deduper.check("3", None, stories.STORY, LATE)
    assert third is not None and (third.reason, third.duplicate_of) == ("duplicate_body", "1")


def test_only_an_earlier_article_makes_an_article_a_copy() -> None:
    deduper = Deduper()
    deduper.add("5", None, stories.STORY, LATE)
    # Same text, published earlier: it is the original, not a copy of "5".
    assert deduper.check("6", None, stories.credit_changed(), EARLY) is None
    # Same time: the smaller id precedes (ids compared as numbers).
    deduper.add("10", None, stories.SAME_TOPIC, EARLY)
    assert deduper.check("9", None, stories.SAME_TOPIC, EARLY) is None
    eleven = deduper.check("11", None, stories.SAME_TOPIC, EARLY)
    assert eleven is not None and eleven.duplicate_of == "10"


def test_fed_newest_first_the_pipeline_never_drops_an_original() -> None:
    """Without the hold, the first copy met is written, but so is its original."""
    articles, copy_of = truth_articles(300)
    crawler = get_crawler(settings_dict=newscrawl_defaults())
    pipeline = build_from_crawler(DedupePipeline, crawler)
    pipeline.open_spider()
    written = set()
    for article in newest_first(articles):
        with contextlib.suppress(Rejected):
            written.add(pipeline.process_item(article).article_id)
    originals = {i for i, source in copy_of.items() if source is None}
    with_copies = {source for source in copy_of.values() if source is not None}
    assert with_copies, "the replica republishes no story"
    assert originals <= written
    # each original (and a copy met after a later copy) was met after a kept later member
    assert crawler.stats.get_value("newscrawl/dedupe/original_after_copy") >= len(with_copies)

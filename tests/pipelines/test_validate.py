from __future__ import annotations

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.misc import build_from_crawler

from newscrawl.pipelines import Rejected
from newscrawl.pipelines.validate import ValidatePipeline, is_iso_datetime_with_offset

from .conftest import make_article


@pytest.fixture
def pipeline(crawler: Crawler) -> ValidatePipeline:
    return build_from_crawler(ValidatePipeline, crawler)


def test_valid_article_passes(pipeline: ValidatePipeline) -> None:
    article = make_article(date_modified=None)
    assert pipeline.process_item(article) is article


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("url", "", "missing_url"),
        ("article_id", None, "missing_article_id"),
        ("headline", "  \u3000 ", "missing_headline"),
        ("body", "\n ", "missing_body"),
        ("date_published", "2025年12月12日", "bad_date"),
        ("date_published", "2025-12-12T09:10:00", "bad_date"),  # no offset
        ("date_modified", "2025-12-12", "bad_date"),
    ],
)
def test_invalid_article_is_rejected(
    pipeline: ValidatePipeline, field: str, value: str | None, reason: str
) -> None:
    with pytest.raises(Rejected) as info:
        pipeline.process_item(make_article(**{field: value}))
    assert info.value.reason == reason
    assert info.value.duplicate_of is None


def test_other_items_pass_untouched(pipeline: ValidatePipeline) -> None:
    item = {"anything": 1}
    assert pipeline.process_item(item) is item


def test_iso_dates() -> None:
    assert is_iso_datetime_with_offset("2025-12-12T09:10:00+09:00")
    assert is_iso_datetime_with_offset("2026-11-25T09:45:00Z")
    assert not is_iso_datetime_with_offset("2025-12-12T09:10:00")
    assert not is_iso_datetime_with_offset("yesterday")

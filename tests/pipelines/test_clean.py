from __future__ import annotations

import pytest
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.pipelines import Rejected
from newscrawl.pipelines.clean import CleanPipeline, merge_unique

from .conftest import make_article


def _pipeline(nfkc: bool = False) -> CleanPipeline:
    crawler = get_crawler(settings_dict={"NEWSCRAWL_NFKC_ENABLED": nfkc})
    return build_from_crawler(CleanPipeline, crawler)


def test_body_cleaned_credits_merged_and_counted() -> None:
    pipeline = _pipeline()
    article = make_article(
        body="\u3000ソウル市は二十日、新路線を開通させた。\n写真=AFP通信\n写真=聯合ニュース\n"
        "市民は歓迎している。\n市民は歓迎している。",
        credits=["聯合ニュース"],
        headline="  ソウルに新路線 ",
        summary=[" 一行目 ", "", "二行目"],
        authors=[" 梶原圭介 ", "織田昌大"],
        tags=["交通", " 交通 ", "ソウル"],
    )
    out = pipeline.process_item(article)
    assert out.body == "ソウル市は二十日、新路線を開通させた。\n市民は歓迎している。"
    assert out.credits == ["聯合ニュース", "AFP通信"]
    assert out.headline == "ソウルに新路線"
    assert out.summary == ["一行目", "二行目"]
    assert out.authors == ["梶原圭介", "織田昌大"]
    assert out.tags == ["交通", "ソウル"]
    stats = pipeline.crawler.stats
    assert stats is not None
    assert stats.get_value("newscrawl/clean/credit") == 2
    assert stats.get_value("newscrawl/clean/duplicate") == 1
    assert stats.get_value("newscrawl/clean/email") is None  # zero counts are not recorded


def test_nfkc_applies_to_all_text_fields_when_on() -> None:
    article = make_article(headline="ＡＢＣ　ﾆｭｰｽ", body="ＡＢＣの記事本文。", tags=["ＫＰＯＰ"])
    out = _pipeline(nfkc=True).process_item(article)
    assert out.headline == "ABC ニュース"
    assert out.body == "ABCの記事本文。"
    assert out.tags == ["KPOP"]


def test_japanese_kept_as_written_when_off() -> None:
    out = _pipeline().process_item(make_article(headline="ＡＢＣ ﾆｭｰｽ", body="ＡＢＣの記事本文。"))
    assert out.headline == "ＡＢＣ ﾆｭｰｽ"
    assert out.body == "ＡＢＣの記事本文。"


def test_body_empty_after_cleaning_is_rejected() -> None:
    with pytest.raises(Rejected) as info:
        _pipeline().process_item(make_article(body="写真=AFP通信\nシェア"))
    assert info.value.reason == "empty_body"


def test_merge_unique_keeps_order() -> None:
    assert merge_unique(["a", "b"], ["b", "c", "a", "d"]) == ["a", "b", "c", "d"]


def test_other_items_pass_untouched() -> None:
    item = {"body": " x "}
    assert _pipeline().process_item(item) is item


@pytest.mark.parametrize("value", ["abc", "", -1])
def test_a_bad_nfkc_setting_is_refused_by_name(value: object) -> None:
    from newscrawl.config import BadSetting

    with pytest.raises(BadSetting, match="NEWSCRAWL_NFKC_ENABLED"):
        CleanPipeline(get_crawler(settings_dict={"NEWSCRAWL_NFKC_ENABLED": value}))

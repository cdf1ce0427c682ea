from __future__ import annotations

from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from newscrawl.items import Article
from tests.support import newscrawl_defaults

BODY = (
    "韓国の首都ソウルで二十日、新しい地下鉄路線が開通した。\n"
    "市民からは通勤が楽になるとの声が上がった。"
)


def make_article(article_id: str = "1001", /, **fields: Any) -> Article:
    values: dict[str, Any] = {
        "url": f"https://www.kangnamtimes.com/ja/news/article/{article_id}",
        "canonical_url": f"https://www.kangnamtimes.com/ja/news/article/{article_id}",
        "article_id": article_id,
        "headline": "ソウルに新路線",
        "body": BODY,
        "date_published": "2025-12-12T09:10:00+09:00",
    }
    values.update(fields)
    return Article(**values)


@pytest.fixture
def crawler() -> Crawler:
    return get_crawler(settings_dict=newscrawl_defaults(NEWSCRAWL_NFKC_ENABLED=False))

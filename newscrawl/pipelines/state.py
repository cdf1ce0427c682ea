"""Compare each article with the state: write new and changed ones, drop unchanged ones.

Last in ``ITEM_PIPELINES`` (it must see the cleaned article). The article's content hash
(:func:`newscrawl.state.content_hash`: headline, summary, authors, body, …) decides:

* unknown id: ``version`` 1, ``updated`` false;
* known, other hash: ``version`` = stored + 1, ``updated`` true;
* known, same hash: dropped with reason ``unchanged`` (kept, unchanged, in a full run);
* a copy of another article that an earlier run's dedupe dropped (``duplicate_of``): dropped
  again while unchanged (reason ``unchanged``), judged as new once it changed.

The state is not written here: the state service records the article from its line, once
that line is on disk in the output (:mod:`newscrawl.state.service`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from newscrawl.rejects import Rejected
from newscrawl.state import classify, content_hash
from newscrawl.state.service import state_service

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class StatePipeline:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatePipeline:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        service = state_service(crawler)
        if service is None:
            raise NotConfigured("the crawl state is off (NEWSCRAWL_STATE_ENABLED)")
        self.keeper = service
        self.stats = crawler.stats
        self.full = service.full

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        article_id = adapter.get("article_id")
        if not article_id:
            return item
        known = self.keeper.get(str(article_id))
        change, version = classify(known, content_hash(adapter))
        self.stats.inc_value(f"newscrawl/state/{change}")
        if change == "unchanged" and known is not None and known.duplicate_of:
            raise Rejected("unchanged", duplicate_of=known.duplicate_of,
                           detail="a copy an earlier run dropped", log_level="DEBUG")
        if change == "unchanged" and not self.full:
            raise Rejected("unchanged", detail=f"version {version} already delivered",
                           log_level="DEBUG")
        adapter["version"] = version
        adapter["updated"] = change == "updated"
        return item

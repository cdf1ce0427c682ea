"""The distributed mode: many ``scrapy crawl kangnamtimes`` processes share one crawl in Redis.

Off by default; ``NEWSCRAWL_REDIS_URL`` turns it on (:mod:`.addon`). Built on scrapy-redis
0.9.1, wrapped thinly where it falls short on Scrapy 2.19 (each module says why):

* :mod:`.scheduler`: the shared frontier and duplicate filter, keyed by the crawler's request
  fingerprinter, with leases so a killed worker loses nothing;
* :mod:`.member`: one worker's heartbeat, leases, end of crawl, and the move of the state and
  dedupe to Redis; :mod:`.seeds`: the seeds once per crawl;
* :mod:`.state`: the :class:`~newscrawl.state.base.CrawlState` in Redis;
  :mod:`.dedupe`: the dedupe store in Redis, checked and claimed in one atomic step;
* :mod:`.scripts`: the Lua scripts; :mod:`.keys`: the key names; :mod:`.connection`: the URL;
* :mod:`.demo`: ``make demo-cluster``.
"""

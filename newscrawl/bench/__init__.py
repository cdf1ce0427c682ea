"""Benchmark the crawl over the replica: ``python -m newscrawl.bench`` (``make bench``: quick;
``make bench-full``: the sizes of the issue).

Every figure is the median of ``--runs`` runs (3 or more) with its min and max, and every speed
is set against a baseline measured in the same run (the fetch-only spider, trafilatura, the
crawl with JavaScript off), because absolute numbers on a shared machine mean little.

Layout:

- ``__main__``: options, the table, ``output/bench/bench-<UTC time>.json`` and ``latest.json``;
- ``figures``: :class:`~newscrawl.bench.figures.Figure` (median, min, max) and the table's text;
- ``runner``: ``scrapy crawl`` / ``scrapy runspider`` subprocesses with their stats and peak
  memory, the replica served by another process (:func:`newscrawl.demo.replica`);
- ``context``: the sizes of ``--quick`` and ``--full`` and what the sections share;
- ``sections``: one module per section, each a ``run(ctx) -> list[Figure]``;
- ``stats`` (``STATS_CLASS`` of every benchmarked crawl) and ``fetch_only`` (the baseline
  spider), which run inside the crawl processes;
- ``profiling``: one crawl under cProfile (``--profile``, ``--profile-only``).
"""

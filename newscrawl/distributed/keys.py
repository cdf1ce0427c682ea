"""Where a distributed crawl keeps things in Redis: one prefix per spider and site.

``newscrawl:<spider>:<site>:crawl:…`` holds one crawl (the frontier, its duplicate filter, the
seeding flag, the workers and what each has in hand, the dedupe claims of the crawl, the
release barrier: ``…:idle``, each worker's held articles ``…:held:<w>``, ``…:round:<w>``,
``…:heldid:<w>``, see :mod:`newscrawl.distributed.release`); it is
deleted when the last worker finishes it, so the next run starts afresh, and kept when a crawl is
interrupted, so the next run resumes it (as a ``JOBDIR`` run does). ``…:state:…`` is the
memory between runs (:class:`~newscrawl.distributed.state.RedisState`) and is never deleted.

``<site>`` is the host and port of ``NEWSCRAWL_BASE_URL`` (:func:`newscrawl.paths.site_key`),
so the replica never shares a crawl or a state with the live site. The scripts build key names
from these prefixes, which ties them to one Redis server (not Redis Cluster).
"""

from __future__ import annotations

from dataclasses import dataclass

from newscrawl.paths import site_key


@dataclass(frozen=True)
class CrawlKeys:
    """Key names of one spider and site."""

    prefix: str

    @classmethod
    def of(cls, spider: str, base_url: str) -> CrawlKeys:
        return cls(f"newscrawl:{spider}:{site_key(base_url)}")

    @property
    def crawl(self) -> str:
        """Prefix of the keys of the current crawl (see the module doc)."""
        return f"{self.prefix}:crawl"

    @property
    def state(self) -> str:
        """Prefix of the keys kept between runs."""
        return f"{self.prefix}:state"

    @property
    def requests(self) -> str:
        """The frontier: a sorted set of serialised requests, scored ``-priority``."""
        return f"{self.crawl}:requests"

    @property
    def dupefilter(self) -> str:
        """Fingerprints of every request scheduled in this crawl."""
        return f"{self.crawl}:dupefilter"

    @property
    def seeded(self) -> str:
        """The worker requesting the seeds, then ``done``."""
        return f"{self.crawl}:seeded"

    @property
    def workers(self) -> str:
        return f"{self.crawl}:workers"

    def alive(self, worker: str) -> str:
        """Exists while *worker* beats (expires ``WORKER_TTL_SECONDS`` after its last beat)."""
        return f"{self.crawl}:alive:{worker}"

    def leases(self, worker: str) -> str:
        """The requests *worker* popped and has not finished: lease id → score, data."""
        return f"{self.crawl}:leases:{worker}"

    def fingerprints(self, scheme: str) -> str:
        """Prefix of the dedupe fingerprints of *scheme* kept between runs: ``…:fp`` (article
        id → body hash + signature), ``…:fpfirst`` (id → first seen), ``…:fpbody`` (body hash
        → the ids with that body), ``…:fpprec`` (id → place in publication order),
        ``…:bands:<b>x<r>`` (LSH band → ids)."""
        return f"{self.state}:dedupe:{scheme}"

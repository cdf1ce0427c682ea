"""A scheduler memory queue that keeps each waiting request as the bytes of its pickled dict.

A crawl of the site discovers articles faster than it fetches them: on the 20,000-article
replica about 11,700 requests wait in the scheduler a few seconds in (1,300 on the 2,000 one),
and a waiting :class:`~scrapy.Request` with this project's meta and ``cb_kwargs`` holds about
1.1 KB of Python objects. :class:`PickledLifoMemoryQueue` (``SCHEDULER_MEMORY_QUEUE``) keeps
each one as the pickle of ``request.to_dict(spider=…)`` instead (about 400 bytes), the form
Scrapy's own disk queues store in ``JOBDIR``, and rebuilds the request when the scheduler pops
it: the crawl is the same, in the same order (last in, first out, as Scrapy's default
``LifoMemoryQueue``), for about 5 µs a request. ``to_dict`` names the callback and errback by
listing every member of the spider (``inspect.getmembers``: 35 µs a request, 2 % of a crawl's
time); the queue asks it once per method and remembers the name.

A request that cannot be serialised (a callback that is not a method of the spider, such as
the hold's release request; an object in ``meta`` that pickle refuses) is kept as it is.
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any, Self

from scrapy.utils.request import request_from_dict

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler


class PickledLifoMemoryQueue:
    """``SCHEDULER_MEMORY_QUEUE``: last in, first out, each request kept pickled."""

    def __init__(self, crawler: Crawler, key: str = "") -> None:
        self.spider: Spider | None = crawler.spider
        self._items: list[bytes | Request] = []
        self._names: dict[Any, str] = {}
        """Spider method (its function, as ``to_dict`` compares them) → its name."""

    def _dict_of(self, request: Request) -> dict[str, Any]:
        """``request.to_dict(spider=…)``, with the callback's and errback's names remembered."""
        methods = (request.callback, request.errback)
        names = [self._names.get(getattr(m, "__func__", None)) if callable(m) else m
                 for m in methods]
        if any(callable(m) and name is None for m, name in zip(methods, names, strict=True)):
            data = request.to_dict(spider=self.spider)  # raises ValueError: not the spider's
            for method, key in zip(methods, ("callback", "errback"), strict=True):
                if callable(method):
                    self._names[getattr(method, "__func__", None)] = data[key]
            return data
        request.callback = request.errback = None  # named above: to_dict need not look
        try:
            data = request.to_dict()
        finally:
            request.callback, request.errback = methods
        data["callback"], data["errback"] = names
        return data

    @classmethod
    def from_crawler(cls, crawler: Crawler, key: str = "", *args: Any, **kwargs: Any) -> Self:
        return cls(crawler, key)

    def push(self, request: Request) -> None:
        try:
            kept: bytes | Request = pickle.dumps(self._dict_of(request),
                                                 protocol=pickle.HIGHEST_PROTOCOL)
        # to_dict raises ValueError for a callback that is not the spider's; pickle raises
        # PicklingError, AttributeError or TypeError for what it cannot serialise
        except (ValueError, pickle.PicklingError, AttributeError, TypeError):
            kept = request
        self._items.append(kept)

    def _request(self, kept: bytes | Request) -> Request:
        if isinstance(kept, bytes):
            return request_from_dict(pickle.loads(kept), spider=self.spider)
        return kept

    def pop(self) -> Request | None:
        return self._request(self._items.pop()) if self._items else None

    def peek(self) -> Request | None:
        return self._request(self._items[-1]) if self._items else None

    def close(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

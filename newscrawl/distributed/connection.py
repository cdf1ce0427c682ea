"""The Redis connection of a distributed run: ``NEWSCRAWL_REDIS_URL``, checked at start.

A URL that is not a Redis URL, or a server that does not answer ``PING`` when the crawl starts,
is a :class:`~newscrawl.config.BadSetting` (one line, exit status 2), like any other setting
that cannot be used. The password of the URL is never shown.

The client is redis-py's synchronous one, as scrapy-redis uses it: each call blocks the reactor
for one round trip (about 0.1 ms on one machine, a network round trip between machines). The
components keep the calls few (one Lua script per request popped, one per request scheduled,
one per article deduplicated; see ``docs/notes/cluster.md`` for the measured count).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from scrapy.exceptions import IgnoreRequest

from newscrawl.config import BadSetting
from newscrawl.distributed.url import SETTING, masked
from newscrawl.rejects import Rejected

SCHEMES = ("redis", "rediss", "unix")

CONNECT_TIMEOUT_SECONDS = 5.0
"""How long to wait for the server to accept the connection."""
SOCKET_TIMEOUT_SECONDS = 15.0
"""How long one command may take before the server counts as lost."""

LOST = (RedisConnectionError, RedisTimeoutError)
"""The exceptions that mean the server is gone (not a bad command)."""


class RedisLost(Rejected, IgnoreRequest):
    """Redis went away under a component that needs an answer from it.

    A :class:`~newscrawl.rejects.Rejected` (reason ``redis_lost``) in an item pipeline, an
    ``IgnoreRequest`` in a downloader middleware: either way one log line and no traceback,
    while the worker stops (:meth:`newscrawl.distributed.member.ClusterMember.lost`). The
    article's request stays leased in Redis, so the next run crawls it again."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__("redis_lost", detail=f"{exc}; crawled again by the next run",
                         log_level="WARNING")


def connect(url: str) -> redis.Redis:
    """A client for *url* that has answered ``PING``, or :class:`BadSetting`."""
    if urlsplit(url).scheme not in SCHEMES:
        raise BadSetting(SETTING, "must be a redis://, rediss:// or unix:// URL", masked(url))
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                                      socket_timeout=SOCKET_TIMEOUT_SECONDS,
                                      health_check_interval=30)
        client.ping()
    except LOST as exc:
        raise BadSetting(SETTING, f"cannot reach Redis at {masked(url)} ({exc})") from None
    except (ValueError, redis.RedisError) as exc:
        raise BadSetting(SETTING, f"Redis at {masked(url)} refused us ({exc})") from None
    return client

"""``NEWSCRAWL_REDIS_URL`` read and shown, without importing redis: the add-on reads it in every
crawl, and a crawl without it (the default) never imports the Redis client."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

SETTING = "NEWSCRAWL_REDIS_URL"


def masked(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def redis_url(settings: BaseSettings) -> str:
    """``NEWSCRAWL_REDIS_URL``, or ``""`` when the distributed mode is off."""
    value = settings.get(SETTING)
    return str(value).strip() if value else ""

"""Scrapy's own settings that the project's politeness and limits rely on, checked once.

Scrapy reads these without checking them (a negative ``DOWNLOAD_DELAY`` or a
``CONCURRENT_REQUESTS`` of 0 is taken as given); the project's components read their own
``NEWSCRAWL_*`` settings themselves. This extension is built before any file is opened and
raises :class:`~newscrawl.config.BadSetting` for the first value that cannot be used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from newscrawl.config import read_bool, read_float, read_int

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: (setting, minimum): whole numbers.
INTEGERS: tuple[tuple[str, int], ...] = (
    ("CONCURRENT_REQUESTS", 1), ("CONCURRENT_REQUESTS_PER_DOMAIN", 1),
    ("DOWNLOAD_MAXSIZE", 0), ("DOWNLOAD_WARNSIZE", 0),
    ("RETRY_TIMES", 0), ("REDIRECT_MAX_TIMES", 0), ("DEPTH_LIMIT", 0),
)
#: (setting, minimum, strictly above the minimum): numbers.
NUMBERS: tuple[tuple[str, float, bool], ...] = (
    ("DOWNLOAD_DELAY", 0, False), ("DOWNLOAD_TIMEOUT", 0, True),
    ("AUTOTHROTTLE_START_DELAY", 0, False), ("AUTOTHROTTLE_MAX_DELAY", 0, False),
    ("AUTOTHROTTLE_TARGET_CONCURRENCY", 0, True),
)
SWITCHES = ("ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "RETRY_ENABLED", "COOKIES_ENABLED")


class ScrapySettingsCheck:
    """``EXTENSIONS`` entry; does nothing after ``__init__``."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        for name, minimum in INTEGERS:
            read_int(settings, name, minimum=minimum)
        for name, lowest, above in NUMBERS:
            read_float(settings, name, minimum=lowest, above=above)
        for name in SWITCHES:
            read_bool(settings, name)

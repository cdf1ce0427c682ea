"""The benchmark's baseline: a Scrapy spider that fetches what the real crawl fetches, and no more.

Run by ``python -m newscrawl.bench`` as ``scrapy runspider newscrawl/bench/fetch_only.py
-a base_url=…`` with the same ``-s`` settings as the real crawl (it imports nothing of the
project, so ``runspider`` can load it by its path). It starts at the home page and follows, with a
``LinkExtractor``, the article links inside the blocks the project follows (latest, ranking,
related, recommend, topics), reduced to one canonical URL per article where the URL says which
and to one request per article id (as the project's id-keyed request fingerprinter does).
It parses nothing else and yields no items, so its pages per second is the ceiling that Scrapy,
the replica and the machine allow; the project's pipelines, parsers and extensions are turned off.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import scrapy
from scrapy.http import HtmlResponse, Response
from scrapy.linkextractors import LinkExtractor
from scrapy.settings import BaseSettings

#: The containers whose links the project's spider follows, by class and by heading (the
#: generic theme names its blocks only by their heading).
_CLASSES = ("latest", "ranking", "related", "recommend", "topics")
_HEADINGS = ("こんな記事も読まれています", "おすすめ", "話題", "ランキング", "最新")
_BY_CLASS = " or ".join(
    f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')" for name in _CLASSES)
_BY_HEADING = " or ".join(f"contains(., '{text}')" for text in _HEADINGS)
BLOCK_XPATH = (
    f"//*[{_BY_CLASS} or ((self::section or self::aside or self::div or self::nav) and "
    f"*[1][self::h2 or self::h3 or self::h4 or self::p or self::header][{_BY_HEADING}])]"
)
"""One pass over the page (ten separate expressions cost three times as much)."""
_ID = re.compile(r"/article/(\d+)|[?&]p=(\d+)")
_ARTICLE = re.compile(r"^(?P<path>/(?:[^/]+/)*?[a-z0-9_-]+/article/\d+)(?:/amp)?/?$")
_LOOPBACK = {"127.0.0.1", "localhost"}


class FetchOnlySpider(scrapy.Spider):
    """Follow the article links of the project's blocks; yield nothing."""

    name = "fetch_only"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Scrapy's own components only: no project middlewares, pipelines, extensions, feeds."""
        super().update_settings(settings)
        for name in ("ITEM_PIPELINES", "EXTENSIONS", "FEEDS", "DOWNLOADER_MIDDLEWARES",
                     "SPIDER_MIDDLEWARES", "ADDONS"):
            settings.set(name, {}, priority="spider")

    def __init__(self, base_url: str = "http://127.0.0.1:8765/ja/", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        parts = urlsplit(base_url)
        self.base_url = base_url
        self.scheme = parts.scheme
        self.netloc = parts.netloc
        host, _, port = parts.netloc.partition(":")
        suffix = f":{port}" if port else ""
        self.netlocs = ({f"{h}{suffix}" for h in _LOOPBACK} if host in _LOOPBACK
                        else {parts.netloc})
        self.allowed_domains = sorted({n.partition(":")[0] for n in self.netlocs})
        self.seen_ids: set[str] = set()
        self.links = LinkExtractor(
            allow=(r"/article/\d+", r"[?&]p=\d+"),
            restrict_xpaths=BLOCK_XPATH,
            process_value=self.canonical,
            unique=True,
        )

    def canonical(self, value: str) -> str | None:
        """One URL per article: canonical host, no AMP suffix, no trailing slash, no tracking."""
        parts = urlsplit(value)
        if parts.netloc.lower() not in self.netlocs:  # allow_domains would not see the port
            return None
        match = _ARTICLE.match(parts.path)
        if match:
            path, query = str(match["path"]), ""
        else:
            post_id = dict(parse_qsl(parts.query)).get("p", "")
            path, query = parts.path, (f"p={post_id}" if post_id.isdigit() else parts.query)
        return urlunsplit((self.scheme, self.netloc, path, query, ""))

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.base_url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        if not isinstance(response, HtmlResponse):
            return
        for link in self.links.extract_links(response):
            # one request per article id, as the project's id-keyed fingerprinter makes it: a
            # ?p= short link of an article already requested is not sent (nor redirected)
            match = _ID.search(link.url)
            if match:
                article_id = match[1] or match[2]
                if article_id in self.seen_ids:
                    continue
                self.seen_ids.add(article_id)
            yield scrapy.Request(link.url, callback=self.parse)

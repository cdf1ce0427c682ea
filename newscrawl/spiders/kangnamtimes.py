"""The Kangnam Times spider: crawl policy only.

Start at the home page's latest list (and, with JavaScript on, the ranking page), then follow
the related / recommended / topics blocks of every article, and read the sitemaps once the
crawl is idle. Parsing lives in :mod:`newscrawl.pages`; every link is reduced to an article id
before it is requested, and the request fingerprinter (:mod:`newscrawl.fingerprint`) makes each
id one request. What the spider does not do itself: knowing which articles were requested
already (:mod:`newscrawl.middlewares.seen`, which it asks before building a request), the
``max_articles`` limit (:mod:`newscrawl.extensions.limit`), refusals
(:mod:`newscrawl.middlewares.guard`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Container, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from newscrawl.config import read_float, read_int, read_list
from newscrawl.exceptions import download_reject
from newscrawl.extensions.templates import SiteTemplates
from newscrawl.items import BLOCKS, DiscoveredVia, LinkRef
from newscrawl.meta import ARTICLE_ID_META, JS_META, LISTING_MODIFIED_META
from newscrawl.middlewares.seen import STAT_DROPPED as SEEN_DROPPED
from newscrawl.middlewares.seen import SeenArticlesMiddleware
from newscrawl.pages.article import ParsedArticle, parse_article
from newscrawl.pages.deadline import parse_deadline
from newscrawl.pages.listing import parse_listing
from newscrawl.pages.ranking import parse_ranking_page
from newscrawl.pages.sitemap import parse_sitemap
from newscrawl.pages.workers import ParserPool
from newscrawl.rejects import report_reject
from newscrawl.rendering import js_enabled
from newscrawl.rendering import requests as js_requests
from newscrawl.urls import site_from_settings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)

#: Spider arguments (``-a name=value``) and the settings they set for this run.
SPIDER_ARGUMENTS = {
    "base_url": "NEWSCRAWL_BASE_URL",
    "max_articles": "NEWSCRAWL_MAX_ARTICLES",
    "full": "NEWSCRAWL_FULL_CRAWL_ENABLED",
    "js": "NEWSCRAWL_JS_ENABLED",
}


def apply_spider_arguments(settings: Settings, kwargs: dict[str, Any]) -> None:
    """Copy spider arguments onto their settings, at spider priority (above ``-s``)."""
    for argument, setting in SPIDER_ARGUMENTS.items():
        if argument in kwargs:
            settings.set(setting, kwargs[argument], priority="spider")


class KangnamTimesSpider(scrapy.Spider):
    name = "kangnamtimes"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> KangnamTimesSpider:
        apply_spider_arguments(crawler.settings, kwargs)
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._configure(crawler)
        return spider

    def _configure(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.site = site_from_settings(settings)
        self.follow_blocks = frozenset(read_list(settings, "NEWSCRAWL_FOLLOW_BLOCKS",
                                                 allowed=BLOCKS, allow_empty=False))
        self.read_sitemap = "sitemap" in self.follow_blocks
        self._sitemap_read = False
        self.scheduled: Container[str] = ()
        """Ids of the article requests already scheduled (see :meth:`follow`)."""
        self._templates: SiteTemplates | None = None  # the extensions exist from spider_opened
        crawler.signals.connect(self._find_templates, signal=signals.spider_opened)
        self.js_timeout = read_float(settings, "NEWSCRAWL_JS_TIMEOUT_SECONDS", above=True)
        self.js_category_items = read_int(settings, "NEWSCRAWL_JS_CATEGORY_ITEMS")
        self.js_categories = read_list(settings, "NEWSCRAWL_JS_CATEGORIES")
        self.js_max_clicks = read_int(settings, "NEWSCRAWL_JS_MAX_CLICKS")
        crawler.signals.connect(self._spider_idle, signal=signals.spider_idle)
        processes = read_int(settings, "NEWSCRAWL_PARSE_PROCESSES")
        limit = read_float(settings, "NEWSCRAWL_PARSE_TIMEOUT_SECONDS")
        self.parse_timeout = limit or None
        """Seconds a page's parse may take, here or in a worker (None: no limit)."""
        memory = read_int(settings, "NEWSCRAWL_PARSE_MEMORY_MB")
        self._workers = (ParserPool(self.site, processes, self.parse_timeout, memory or None)
                         if processes else None)
        self.article_callback = (self.parse_article if self._workers is None
                                 else self.parse_article_in_worker)
        """The callback of article requests: :meth:`parse_article`, or with
        ``NEWSCRAWL_PARSE_PROCESSES`` :meth:`parse_article_in_worker`."""
        if self._workers is not None:
            crawler.signals.connect(self._workers.close, signal=signals.spider_closed)

    def _find_templates(self) -> None:
        self._templates = self.crawler.get_extension(SiteTemplates)

    async def start(self) -> AsyncIterator[Any]:
        logger.info("crawling %s (hosts: %s)", self.site.base_url,
                    ", ".join(sorted(self.site.hosts)))
        if self._workers is not None:
            await self._workers.start()
        seen = self.crawler.get_spider_middleware(SeenArticlesMiddleware)
        if seen is not None:
            self.scheduled = seen.scheduled
        if js_enabled(self.crawler):
            async for request in self.js_start():
                yield request
        yield Request(self.site.base_url, callback=self.parse_listing)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        if not isinstance(response, HtmlResponse):
            return
        yield from self.follow(parse_listing(response, self.site), response.url)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """Sitemaps are read once the crawl is otherwise idle (``_spider_idle``), so every
        article a link block reaches is already requested and keeps its ``discovered_via``.
        What is left: articles no block links to, and in incremental runs known articles whose
        ``<lastmod>`` is newer than the state's (``newscrawl_listing_modified`` lets the
        incremental middleware refetch just those)."""
        page = parse_sitemap(response, self.site)
        if page.error:
            logger.warning("%s: %s", response.url, page.error)
            self.crawler.stats.inc_value("newscrawl/spider/bad_sitemap")
        for url in page.sitemaps:
            yield Request(url, callback=self.parse_sitemap)
        for position, (url, lastmod) in enumerate(page.articles, start=1):
            link: LinkRef = {"url": url, "title": "", "block": "sitemap", "position": position}
            for request in self.follow([link], response.url):
                if lastmod:
                    request.meta[LISTING_MODIFIED_META] = lastmod
                yield request

    async def js_start(self) -> AsyncIterator[Request]:
        """With JavaScript on: the ranking page first, and the rest waits until its ranked
        articles are scheduled, so they are reached (and keep) block/position/range; then the
        rendered category pages, when ``NEWSCRAWL_JS_CATEGORY_ITEMS`` asks for them."""
        timeout_s = self.js_timeout
        self._ranking_done = asyncio.Event()
        yield js_requests.ranking_request(self.site, callback=self.parse_ranking,
                                          errback=self.js_failed, timeout_ms=timeout_s * 1000)
        try:  # bounded: launch + navigation + waiting for the lists, then go on regardless
            await asyncio.wait_for(self._ranking_done.wait(), timeout=3 * timeout_s + 10)
        except TimeoutError:
            logger.warning("ranking page not parsed after %ss, going on", 3 * timeout_s + 10)
        want = self.js_category_items
        if want > 0:
            self.follow_blocks |= {"category"}
            for category in self.js_categories:
                yield js_requests.category_request(
                    self.site, category, want=want, callback=self.parse_category,
                    errback=self.js_failed, max_clicks=self.js_max_clicks,
                    timeout_ms=timeout_s * 1000)

    def parse_ranking(self, response: Response, ranges: tuple[str, ...]) -> Iterator[Request]:
        try:
            if not isinstance(response, HtmlResponse):
                return
            for range_, links in parse_ranking_page(response, self.site, ranges).items():
                self.crawler.stats.set_value(f"newscrawl/js/ranking/{range_}", len(links))
                for request in self.follow(links, response.url):
                    request.cb_kwargs["via"]["range"] = range_
                    yield request
        finally:
            self._ranking_done.set()

    def parse_category(self, response: Response, category: str, want: int) -> Iterator[Request]:
        if not isinstance(response, HtmlResponse):
            return
        links = [link for link in parse_listing(response, self.site) if link["block"] == "category"]
        stats = self.crawler.stats
        stats.set_value(f"newscrawl/js/category/{category}/links", len(links))
        stats.inc_value("newscrawl/js/load_more_clicks",
                        js_requests.load_more_clicks(response.meta) or 0)
        yield from self.follow(links, response.url)

    def js_failed(self, failure: Failure) -> None:
        if not failure.check(IgnoreRequest):  # refusals were logged where they were raised
            logger.warning("JavaScript page failed: %s", failure.value)
        if failure.request.meta.get(JS_META) == "ranking":  # type: ignore[attr-defined]
            self._ranking_done.set()

    def parse_article(self, response: Response, via: DiscoveredVia) -> Iterator[Any]:
        if self._html_article(response):
            yield from self._article_output(self._parse_here(response), response, via)

    async def parse_article_in_worker(self, response: Response, via: DiscoveredVia
                                      ) -> AsyncIterator[Any]:
        """:meth:`parse_article` with the parse in a worker process
        (``NEWSCRAWL_PARSE_PROCESSES``; see :mod:`newscrawl.pages.workers` for when a page is
        parsed here all the same). A page given up raises
        :class:`~newscrawl.pages.article.PageFailed`, which
        :class:`~newscrawl.middlewares.failures.CallbackFailures` turns into its reject."""
        if self._workers is None:  # a request another worker of a cluster queued
            for output in self.parse_article(response, via):
                yield output
            return
        if not self._html_article(response):
            return
        assert isinstance(response, HtmlResponse)
        parsed, layout = await self._workers.parse(
            response.url, response.body, response.headers.get(b"Content-Type"),
            getattr(response, "_encoding", None))
        learner = self._templates.learner if self._templates is not None else None
        if learner is not None and (parsed.sources.get("body") != "markup" or (
                layout is not None and learner.template_of(layout) is not None)):
            self.crawler.stats.inc_value("newscrawl/parser/parsed_here")
            parsed = self._parse_here(response)  # the template learner's business
        else:
            self.crawler.stats.inc_value("newscrawl/parser/parsed_in_worker")
        for output in self._article_output(parsed, response, via):
            yield output

    def _html_article(self, response: Response) -> bool:
        if isinstance(response, HtmlResponse):
            return True
        self.crawler.stats.inc_value("newscrawl/spider/not_html")
        report_reject(self.crawler, "not_html", response.url,
                      article_id=response.meta.get(ARTICLE_ID_META),
                      detail=(response.headers.get("Content-Type") or b"").decode("latin-1"))
        return False

    def _parse_here(self, response: Response) -> ParsedArticle:
        """Parse in this process, with the template learner (which observes the page). What
        the parser raises on a page costs that page only
        (:class:`~newscrawl.middlewares.failures.CallbackFailures`), and so does a parse past
        ``NEWSCRAWL_PARSE_TIMEOUT_SECONDS`` (:mod:`newscrawl.pages.deadline`)."""
        assert isinstance(response, HtmlResponse)
        learner = self._templates.learner if self._templates is not None else None
        with parse_deadline(self.parse_timeout):
            parsed = parse_article(response, self.site, template=learner)
        if learner is not None and parsed.page is not None \
                and parsed.sources.get("body") != "markup":
            learner.observe(parsed.page)  # the site's own markup needs no template
        parsed.page = None  # the tree is not kept past this callback
        return parsed

    def _article_output(self, parsed: ParsedArticle, response: Response, via: DiscoveredVia
                        ) -> Iterator[Any]:
        """The article of a parsed page (or its reject), then the requests it leads to."""
        for problem in parsed.problems:
            self.crawler.stats.inc_value(f"newscrawl/parser/{problem}")
        if not parsed.is_article:
            self.crawler.stats.inc_value("newscrawl/spider/not_article")
            report_reject(self.crawler, "not_article", response.url,
                          article_id=response.meta.get(ARTICLE_ID_META),
                          detail="no article markup, meta or JSON-LD")
            return
        inc_value = self.crawler.stats.inc_value  # once: each stats attribute costs a lookup
        inc_value("newscrawl/spider/articles")
        for field_name, source in parsed.sources.items():
            inc_value(f"newscrawl/fields/{field_name}/{source}")
        article = parsed.article
        article.discovered_via = via
        article.crawled_at = datetime.now(UTC).isoformat(timespec="seconds")
        yield article
        yield from self.follow(article.related, response.url)

    def follow(self, links: Iterable[LinkRef], from_url: str) -> Iterator[Request]:
        """Requests for the article links in followed blocks, each id reduced to one URL.

        A link to an article already scheduled is not even built into a request: it is asked
        of :class:`~newscrawl.middlewares.seen.SeenArticlesMiddleware`'s ``scheduled``, which
        would drop it first thing (every article page links to some twenty others, mostly
        scheduled; a request costs more to build than the lookup)."""
        followed: Counter[str] = Counter()  # per block; the stats are updated once per page
        scheduled = self.scheduled
        repeats = 0
        try:
            for link in links:
                if link["block"] not in self.follow_blocks:
                    continue
                ref = self.site.article_ref(link["url"])
                if ref is None:
                    continue
                followed[link["block"]] += 1
                if ref.article_id in scheduled:
                    repeats += 1
                    continue
                via: DiscoveredVia = {"block": link["block"], "position": link["position"],
                                      "from_url": from_url}
                yield Request(ref.url, callback=self.article_callback, errback=self.article_failed,
                              cb_kwargs={"via": via}, meta={ARTICLE_ID_META: ref.article_id})
        finally:
            if followed:
                inc_value = self.crawler.stats.inc_value
                for block, count in followed.items():
                    inc_value(f"newscrawl/spider/links/{block}", count)
                if repeats:
                    inc_value(SEEN_DROPPED, repeats)

    def article_failed(self, failure: Failure) -> None:
        """An article that could not be downloaded goes to the rejects feed with the reason of
        its failure (:func:`~newscrawl.exceptions.download_reject`); requests skipped on
        purpose (unchanged since the last run) stay out of it."""
        request = failure.request  # type: ignore[attr-defined]
        rejected = download_reject(failure.value, request.meta)
        if rejected is None:
            return
        reason, detail = rejected
        report_reject(self.crawler, reason, request.url, stage="download", detail=detail,
                      article_id=request.meta.get(ARTICLE_ID_META))

    def _spider_idle(self) -> None:
        """Everything else is done: read the sitemaps (once), before the spider closes.

        Scheduling them at start would not make them last: while the first pages are in
        flight the queue holds nothing else, and the sitemap would queue every article early.
        """
        if self.read_sitemap and not self._sitemap_read:
            self._sitemap_read = True
            self.crawler.engine.crawl(Request(f"{self.site.base_url}wp-sitemap.xml",
                                              callback=self.parse_sitemap))
            raise DontCloseSpider

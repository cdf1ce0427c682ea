"""2. Extraction: ``parse_article`` + ``clean_body`` against ``trafilatura.extract`` on the same
article pages of the replica, fetched once, with the share of bodies equal to the ground truth
(the replica generator's, not the pages').

The target compares the whole parse (every field, every link block) with ``extract``, which
returns the main text only. Two like-for-like rows go with it: the body alone (``Page`` +
``body`` + ``clean_body``, what ``extract`` returns) against ``extract``, and the whole parse
against ``extract(with_metadata=True)`` (title, author, date, categories, tags; still no links).
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newscrawl.bench.context import Context
from newscrawl.bench.figures import Figure, median_of
from newscrawl.bench.runner import serve
from newscrawl.demo import truth

if TYPE_CHECKING:
    from scrapy.http import HtmlResponse

    from newscrawl.urls import Site

TARGET_SPEEDUP = 5.0
"""trafilatura's time per article over ours (issue 12)."""

Page = tuple[str, bytes, dict[str, str]]
"""A fetched page: URL, body, and its Content-Type header."""


def normalize_lines(text: str | None) -> str:
    """Whitespace-fair comparison: strip each line and drop the empty ones."""
    return "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


def covers(found: str | None, wanted: str) -> bool:
    """Every line of the truth appears, in order, among the extracted lines (extra lines such as
    the summary or a credit are allowed): a looser view than equality, for information."""
    lines = iter(normalize_lines(found).splitlines())
    return all(any(line == other for other in lines)
               for line in normalize_lines(wanted).splitlines())


def share(test: Callable[[str | None, str], bool], found: Sequence[str | None],
          wanted: Sequence[str]) -> float:
    """The share (0 to 1) of pages whose extracted body passes ``test`` against the truth."""
    return sum(test(f, w) for f, w in zip(found, wanted, strict=True)) / len(wanted)


def fetch_pages(base_url: str, urls: Sequence[str]) -> list[Page]:
    """Fetch pages once over one keep-alive connection; those answered 200."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    pages = []
    for url in urls:
        target = urlsplit(url)
        connection.request("GET", target.path + (f"?{target.query}" if target.query else ""))
        response = connection.getresponse()
        body = response.read()
        if response.status == 200:
            pages.append((url, body, {k: v for k, v in response.getheaders()
                                      if k.lower() == "content-type"}))
    connection.close()
    return pages


@dataclass
class Timings:
    """Milliseconds per article of each run, and the bodies of the last run."""

    ours_ms: list[float] = field(default_factory=list)
    links_ms: list[float] = field(default_factory=list)
    body_ms: list[float] = field(default_factory=list)
    """The body alone: ``Page``, ``body``, ``clean_body``."""
    theirs_ms: list[float] = field(default_factory=list)
    theirs_meta_ms: list[float] = field(default_factory=list)
    """``trafilatura.extract(with_metadata=True)``."""
    ours: list[str | None] = field(default_factory=list)
    theirs: list[str | None] = field(default_factory=list)


def per_page_ms(function: Callable[[Any], Any], inputs: Sequence[Any]) -> tuple[float, list[Any]]:
    started = time.perf_counter()
    results = [function(value) for value in inputs]
    return (time.perf_counter() - started) * 1000 / len(inputs), results


def measure(pages: Sequence[Page], site: Site, runs: int) -> Timings:
    import trafilatura
    from scrapy.http import HtmlResponse

    from newscrawl.pages.article import body, parse_article
    from newscrawl.pages.links import article_links
    from newscrawl.pages.page import Page
    from newscrawl.text import clean_body

    def ours(response: HtmlResponse) -> str | None:
        found = parse_article(response, site).article.body
        return clean_body(found).body if found else None

    def ours_body(response: HtmlResponse) -> str | None:
        found = body(Page(response, site)).value
        return clean_body(found).body if found else None

    def theirs(text: str) -> str | None:
        result = trafilatura.extract(text)
        return str(result) if result is not None else None

    def theirs_meta(text: str) -> str | None:
        result = trafilatura.extract(text, with_metadata=True)
        return str(result) if result is not None else None

    def responses() -> list[HtmlResponse]:
        return [HtmlResponse(url=url, body=body, headers=headers) for url, body, headers in pages]

    texts = [r.text for r in responses()]
    timings = Timings()
    for _ in range(runs):
        fresh = responses()  # the project decodes each page itself, as in a crawl
        ms, timings.ours = per_page_ms(ours, fresh)
        timings.ours_ms.append(ms)
        trees = [(r.selector, r.url) for r in fresh]  # parsed outside the timing
        timings.links_ms.append(per_page_ms(lambda t: article_links(t[0], site, t[1]), trees)[0])
        ms, bodies = per_page_ms(ours_body, responses())
        if bodies != timings.ours:
            raise RuntimeError("the body alone differs from the whole parse's body")
        timings.body_ms.append(ms)
        ms, timings.theirs = per_page_ms(theirs, texts)
        timings.theirs_ms.append(ms)
        timings.theirs_meta_ms.append(per_page_ms(theirs_meta, texts)[0])
    return timings


def run(ctx: Context) -> list[Figure]:
    from newscrawl.urls import Site

    n_pages = ctx.sizes.extraction_pages
    articles = max(ctx.sizes.crawl_articles, n_pages)
    with serve(articles) as base_url:
        expected = list(truth(base_url, articles).values())
        chosen = expected[::max(1, len(expected) // n_pages)][:n_pages]
        pages = fetch_pages(base_url, [a["canonical_url"] for a in chosen])
    timings = measure(pages, Site(base_url), ctx.runs)
    ctx.extras["extraction_misses"] = [
        a["article_id"] for a, b in zip(chosen, timings.ours, strict=True)
        if b != a.get("body")][:50]
    return figures(f"2 extraction ({len(pages)} pages)", timings,
                   [str(a.get("body") or "") for a in chosen])


def figures(section: str, timings: Timings, wanted: Sequence[str]) -> list[Figure]:
    exact = share(lambda b, w: b == w, timings.ours, wanted)
    ours_norm = share(lambda b, w: normalize_lines(b) == normalize_lines(w), timings.ours, wanted)
    theirs_norm = share(lambda b, w: normalize_lines(b) == normalize_lines(w), timings.theirs,
                        wanted)
    speedups = [t / o for o, t in zip(timings.ours_ms, timings.theirs_ms, strict=True)]
    body_speedups = [t / o for o, t in zip(timings.body_ms, timings.theirs_ms, strict=True)]
    meta_speedups = [t / o for o, t in zip(timings.ours_ms, timings.theirs_meta_ms, strict=True)]
    return [
        Figure(section, "parse_article+clean_body", timings.ours_ms, "ms/art.",
               note="includes decoding the page"),
        Figure(section, "  of which article_links", timings.links_ms, "ms/art.",
               note="the link blocks (every <a> reduced by Site.article_ref)"),
        Figure(section, "trafilatura.extract", timings.theirs_ms, "ms/art.",
               note="given the decoded text"),
        Figure(section, "speed-up vs trafilatura", speedups, "x", f"≥ {TARGET_SPEEDUP:g}",
               median_of(speedups) >= TARGET_SPEEDUP),
        Figure(section, "  body alone + clean_body", timings.body_ms, "ms/art.",
               note="Page, body, clean_body: the text trafilatura.extract returns"),
        Figure(section, "  like for like: body alone vs extract", body_speedups, "x",
               note="for information: the target is the whole parse's"),
        Figure(section, "  trafilatura.extract(with_metadata=True)", timings.theirs_meta_ms,
               "ms/art.", note="title, author, date, categories, tags (no links)"),
        Figure(section, "  like for like: whole parse vs extract+metadata", meta_speedups, "x",
               note="for information"),
        Figure(section, "bodies = truth (project)", [exact * 100], "%", "> trafilatura",
               exact > theirs_norm,
               f"exact; {ours_norm * 100:.1f}% after line normalisation; all truth lines in "
               f"order: {share(covers, timings.ours, wanted) * 100:.1f}%"),
        Figure(section, "bodies = truth (trafilatura)", [theirs_norm * 100], "%",
               note="lines stripped, empty lines dropped, both sides; all truth lines in order: "
                    f"{share(covers, timings.theirs, wanted) * 100:.1f}%"),
    ]

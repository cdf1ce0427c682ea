"""The ranking page (``/ja/ranking/``) after the browser has filled its lists.

The served HTML holds empty lists that a script fills from the ranking JSON, so this parser
only finds links in a rendered page (``meta["playwright"]``); on the raw HTML it returns
empty lists, which is the honest answer.
"""

from __future__ import annotations

from parsel import Selector
from scrapy.http import HtmlResponse

from newscrawl.items import LinkRef
from newscrawl.pages.links import article_links
from newscrawl.urls import Site

RANGES = ("daily", "weekly")

#: A ranking list, by range: the ``data-range`` container (``section.ranking`` on the replica).
LIST_SELECTOR = "[data-range='{range}']"
#: Where the page's own lists sit; the sidebar widget (daily, 6 items) is outside it.
MAIN_SELECTOR = "main, #content"


def ranking_list_selector(range_: str) -> str:
    """CSS for a filled list item of ``range_``: what the browser waits for."""
    return f"{LIST_SELECTOR.format(range=range_)} li a[href]"


def _range_container(response: HtmlResponse, range_: str) -> Selector | None:
    """The page's own list for ``range_``: inside ``main`` when there, else the first."""
    css = LIST_SELECTOR.format(range=range_)
    for scope in (f"{MAIN_SELECTOR}", "html"):
        found = response.css(scope).css(css)
        for container in found:
            if container.css("a[href]"):
                return container
    return None


def parse_ranking_page(response: HtmlResponse, site: Site,
                       ranges: tuple[str, ...] = RANGES) -> dict[str, list[LinkRef]]:
    """Ranked article links by range (``daily``, ``weekly``), each list in rank order.

    ``position`` is the rank shown (``span.rank``) or the place in the list; ``block`` is
    ``ranking``. A range whose list is missing or empty maps to an empty list.
    """
    ranked: dict[str, list[LinkRef]] = {}
    for range_ in ranges:
        container = _range_container(response, range_)
        if container is None:
            ranked[range_] = []
            continue
        links = [link for link in article_links(container, site, response.url,
                                                default_block="ranking")
                 if link["block"] == "ranking"]
        ranked[range_] = sorted(links, key=lambda link: link["position"])
    return ranked

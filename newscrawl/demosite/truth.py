"""Ground truth of the replica, from the generator's own data (never from served HTML)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence

from newscrawl.demosite import vocab
from newscrawl.demosite.faults import FaultConfig, fault_of
from newscrawl.demosite.generator import DEFAULT_BASE_URL, DemoSite, iso


def _walk(site: DemoSite, start: Iterable[int],
          expands: Callable[[int], bool] | None = None) -> set[int]:
    """Breadth-first walk over the related, recommend and topics links of article pages
    (only of the pages ``expands`` accepts: a faulted page may show no links)."""
    seen = set(start)
    queue = deque(seen)
    while queue:
        index = queue.popleft()
        if expands is not None and not expands(index):
            continue
        links = site.links(index)
        for j in (*links.related, *links.recommend, *links.topics):
            if j not in seen:
                seen.add(j)
                queue.append(j)
    return seen


def reachability(site: DemoSite, faults: FaultConfig | None = None
                 ) -> tuple[set[int], set[int]]:
    """(reachable, reachable without the JavaScript-built ranking lists), as indices.

    Home's latest list (and, for the first set, the daily and weekly ranking JSON) is the
    start; then every article page's related, recommend and topics links are followed.
    """
    latest = site.latest(30)
    expands = None
    if faults is not None:  # --- Faults: a page a crawler cannot read shows no links
        def expands(index: int) -> bool:
            kind = fault_of(faults, site, index)
            return kind is None or kind.expands
    html = _walk(site, latest, expands)
    ranked = set(site.ranking("daily")) | set(site.ranking("weekly"))
    return _walk(site, [*latest, *ranked], expands), html


def truth_record(site: DemoSite, index: int, reachable: set[int], reachable_html: set[int],
                 ranks: dict[str, dict[int, int]], faults: FaultConfig | None = None
                 ) -> dict[str, object]:
    c = site.content(index)
    m = c.meta
    # A page whose only date is a visible line states a modified time only when it shows
    # "(更新 …)"; otherwise the page does not say, and neither does the truth.
    states_modified = "date_text_only" not in c.variations or m.modified != m.published
    fault = fault_of(faults, site, index)
    return {
        "article_id": str(m.article_id),
        "canonical_url": site.canonical_url(index),
        "aliases": site.aliases(index),
        "headline": c.headline,
        "summary": c.summary,
        "authors": [a[0] for a in c.authors],
        "date_published": iso(m.published),
        "date_modified": iso(m.modified) if states_modified else None,
        "category": vocab.CATEGORIES[m.category],
        "tags": c.tags,
        "images": [{"url": i.url, "credit": i.credit} for i in c.images],
        "credits": c.credits,
        "body": c.body,
        "comment_count": m.comment_count,
        "near_duplicate_of": str(site.article_id(m.source)) if m.dup_kind else None,
        "reachable": index in reachable,
        "reachable_html": index in reachable_html,
        "ranking": {r: ranks[r].get(index) for r in ("daily", "weekly")},
        "variations": c.variations,
        "theme": site.theme_of(index),
        "encoding": c.encoding,
        # --- Faults: the article's fault, and whether a correct crawler gets it
        "fault": fault.name if fault else None,
        "retrievable": fault is None or fault.retrievable,
    }


def iter_site_truth(site: DemoSite, faults: FaultConfig | None = None
                    ) -> Iterator[dict[str, object]]:
    reachable, reachable_html = reachability(site, faults)
    ranks = {r: {j: k + 1 for k, j in enumerate(site.ranking(r))} for r in ("daily", "weekly")}
    for index in range(site.total):
        yield truth_record(site, index, reachable, reachable_html, ranks, faults)


def iter_truth(articles: int = 300, seed: int = 0, day: int = 0,
               base_url: str = DEFAULT_BASE_URL, faults: FaultConfig | None = None,
               themes: str | Sequence[str] | None = None) -> Iterator[dict[str, object]]:
    """One record per article of the site on that day, in id order (``faults``: as served
    with ``--faults``; ``themes``: as served with ``--themes``)."""
    site = DemoSite(articles=articles, seed=seed, day=day, base_url=base_url, themes=themes)
    return iter_site_truth(site, faults)

"""The site template learned from the crawl's own pages (``newscrawl.pages.template``): pure,
fed pages, one template per layout, serialisable, re-learned when the layout changes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from scrapy.http import HtmlResponse

from newscrawl.demosite.generator import DemoSite
from newscrawl.demosite.server import handle
from newscrawl.demosite.truth import iter_site_truth
from newscrawl.pages.article import parse_article
from newscrawl.pages.page import Page
from newscrawl.pages.template import (
    LEARN_PAGES,
    MISSES_TO_RELEARN,
    SiteTemplate,
    TemplateLearner,
    fingerprint,
    skeleton,
)
from newscrawl.pipelines.clean import clean_article
from newscrawl.urls import Site

HOST = "http://127.0.0.1:8765"


def replica(themes: str, articles: int = 40, seed: int = 5
            ) -> Iterator[tuple[HtmlResponse, dict[str, object]]]:
    """The replica's canonical article pages of ``themes`` with their truth."""
    site = DemoSite(articles, seed=seed, themes=themes)
    for record in iter_site_truth(site):
        url = str(record["canonical_url"])
        served = handle(site, "GET", url[len(HOST):], {})
        yield HtmlResponse(url=url, body=served.body, headers=dict(served.headers)), record


SITE = Site(f"{HOST}/ja/")


def page_of(response: HtmlResponse) -> Page:
    return Page(response, SITE)


@pytest.fixture(scope="module")
def two_themes() -> list[tuple[HtmlResponse, dict[str, object]]]:
    return list(replica("portal,legacy"))


@pytest.fixture(scope="module")
def learned(two_themes: list[tuple[HtmlResponse, dict[str, object]]]) -> TemplateLearner:
    learner = TemplateLearner()
    for response, _ in two_themes:  # observe every page first, as a crawl has seen them
        learner.observe(page_of(response))
    return learner


def test_one_template_per_layout(learned: TemplateLearner,
                                 two_themes: list[tuple[HtmlResponse, dict[str, object]]]
                                 ) -> None:
    by_theme: dict[object, set[str]] = {}
    for response, record in two_themes:
        template = learned.template_for(page_of(response))
        assert template is not None
        by_theme.setdefault(record["theme"], set()).add(template.fingerprint)
    assert len(by_theme["portal"]) == len(by_theme["legacy"]) == 1
    assert by_theme["portal"] != by_theme["legacy"]
    assert len(learned.templates) == 2


def test_the_learned_body_is_the_true_body(learned: TemplateLearner,
                                           two_themes: list[tuple[HtmlResponse,
                                                                  dict[str, object]]]) -> None:
    for response, record in two_themes:
        parsed = parse_article(response, SITE, learned)
        assert parsed.sources["body"] == "template", record["article_id"]
        clean_article(parsed.article)
        assert parsed.article.body == record["body"], record["article_id"]


def test_furniture_inside_the_body_is_learned(learned: TemplateLearner) -> None:
    """The folded body's 続きを読む button sits between its two parts on every page."""
    assert any(template.boilerplate for template in learned.templates)


def test_nothing_is_learned_before_enough_pages(two_themes: list[tuple[HtmlResponse,
                                                                         dict[str, object]]]
                                                ) -> None:
    learner = TemplateLearner(learn_pages=4)
    portal = [r for r, record in two_themes if record["theme"] == "portal"]
    for response in portal[:3]:
        learner.observe(page_of(response))
        assert learner.template_for(page_of(portal[-1])) is None
    learner.observe(page_of(portal[3]))
    assert learner.template_for(page_of(portal[-1])) is not None
    with pytest.raises(ValueError):
        TemplateLearner(learn_pages=1)


def test_the_learner_round_trips_through_json(learned: TemplateLearner,
                                              two_themes: list[tuple[HtmlResponse,
                                                                     dict[str, object]]]
                                              ) -> None:
    data = json.loads(json.dumps(learned.to_json()))
    restored = TemplateLearner.from_json(data)
    assert [t.to_json() for t in restored.templates] == [t.to_json() for t in learned.templates]
    for response, _ in two_themes[:10]:
        a = parse_article(response, SITE, learned)
        b = parse_article(response, SITE, restored)
        assert (a.article, a.sources) == (b.article, b.sources)
    one = restored.templates[0]
    assert SiteTemplate.from_json(one.to_json()) == one


def test_fingerprints_name_layouts(two_themes: list[tuple[HtmlResponse, dict[str, object]]]
                                   ) -> None:
    names = {(record["theme"], fingerprint(skeleton(page_of(r).root)))
             for r, record in two_themes[:12]}
    themes = {theme for theme, _ in names}
    assert len(names) >= len(themes) == 2


def _moved(response: HtmlResponse) -> HtmlResponse:
    """A redesign: the portal's body blocks under a new name, deeper in the page."""
    text = response.text
    text = text.replace('<div class="newsArticle__body">',
                        '<section class="story"><div class="story__inner">', 1)
    text = text.replace('<div class="newsArticle__keywords">',
                        '</section><div class="newsArticle__keywords">', 1)
    return response.replace(body=text.encode("utf-8"), encoding="utf-8")


def test_a_layout_change_is_learned_again() -> None:
    pages = [r for r, record in replica("portal", 60, seed=9)]
    learner = TemplateLearner()
    for response in pages[:LEARN_PAGES]:
        learner.observe(page_of(response))
    before = learner.template_for(page_of(pages[0]))
    assert before is not None
    changed = [_moved(r) for r in pages[LEARN_PAGES:]]
    assert "story" not in str(before.body)
    assert not before.body_containers(page_of(changed[0]).root)  # the old path is gone
    for response in changed[:MISSES_TO_RELEARN + LEARN_PAGES]:
        learner.observe(page_of(response))
    after = learner.template_for(page_of(changed[-1]))
    assert after is not None and after.body_containers(page_of(changed[-1]).root)
    assert "story" in str(after.body)
    parsed = parse_article(changed[-1], SITE, learner)
    assert parsed.sources["body"] == "template"
    assert learner.counts["relearned"] == 1 and learner.counts["learned"] == 2


def test_fields_are_read_where_the_learned_pages_printed_them() -> None:
    """Learned on pages whose JSON-LD names the authors; read on a page without it."""
    pages = list(replica("ampfirst", 40, seed=3))
    learner = TemplateLearner()
    for response, _ in pages:
        learner.observe(page_of(response))
    template = learner.templates[0]
    assert "authors" in template.fields and "headline" in template.fields
    for response, record in pages[:10]:
        text = re.sub(r'<script type="application/ld\+json">.*?</script>', "", response.text,
                      flags=re.S)
        bare = response.replace(body=text.encode("utf-8"), encoding="utf-8")
        parsed = parse_article(bare, SITE, learner)
        assert parsed.sources["authors"] == "template"
        assert parsed.article.authors == record["authors"]

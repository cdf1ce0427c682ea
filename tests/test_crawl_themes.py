"""End to end: ``scrapy crawl`` of the replica in all seven themes (six the parser was not
built for), as a user would run it on a site whose markup changed: every reachable story
written once, the fields equal to the generator's truth, the site template learned from the
crawl's own pages and kept beside the state for the next run.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from newscrawl.demo import crawl_command, read_jsonl, replica, truth
from tests.support import story

pytestmark = pytest.mark.slow

ARTICLES = 150
OPTIONS = ["--themes", "mix"]
COMPARED = ["headline", "summary", "authors", "date_published", "date_modified", "category",
            "tags", "images", "credits", "body"]


class ThemedCrawl:
    def __init__(self, tmp: Path) -> None:
        self.output = tmp / "themes.jsonl"
        with replica(ARTICLES, options=OPTIONS) as base_url:
            self.done = subprocess.run(crawl_command(base_url, self.output),
                                       capture_output=True, text=True, timeout=600)
            self.truth = truth(base_url, ARTICLES, options=OPTIONS)
        self.articles = read_jsonl(self.output)
        run = json.loads(self.output.with_suffix(".run.json").read_text(encoding="utf-8"))
        self.stats: dict[str, Any] = run["stats"]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> ThemedCrawl:
    return ThemedCrawl(tmp_path_factory.mktemp("themes"))


def test_every_reachable_story_is_written_once(crawl: ThemedCrawl) -> None:
    assert crawl.done.returncode == 0, crawl.done.stderr[-3000:]
    assert {t["theme"] for t in crawl.truth.values()} >= {"kangnam", "legacy", "portal"}
    reachable = {story(crawl.truth, i) for i, t in crawl.truth.items() if t["reachable_html"]}
    written = Counter(story(crawl.truth, str(a["article_id"])) for a in crawl.articles)
    assert set(written) == reachable
    assert [s for s, n in written.items() if n > 1] == []


def test_fields_equal_the_truth_on_every_theme(crawl: ThemedCrawl) -> None:
    wrong: Counter[str] = Counter()
    for article in crawl.articles:
        expected = crawl.truth[str(article["article_id"])]
        for field in COMPARED:
            if article.get(field) != expected[field]:
                wrong[f"{expected['theme']}/{field}"] += 1
    assert wrong == Counter()


def test_the_template_is_learned_and_kept_for_the_next_run(crawl: ThemedCrawl) -> None:
    assert crawl.stats.get("newscrawl/template/learned", 0) >= 1
    assert crawl.stats.get("newscrawl/fields/body/template", 0) > 0
    kept = crawl.output.with_suffix(".state.templates.json")
    assert json.loads(kept.read_text(encoding="utf-8"))["templates"]

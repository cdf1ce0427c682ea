"""End to end: ``scrapy crawl`` over the replica with ``--faults`` on, against the truth.

Every retrievable, reachable story is written exactly once; every other article page the
crawl reached is in the rejects feed with the reason its fault calls for; the server never
saw a robots.txt-disallowed or foreign request; the run ends with exit 0 and its summary.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl.demo import crawl_command, read_jsonl, replica, truth
from newscrawl.demosite.faults import BY_NAME, KINDS
from tests.support import story

pytestmark = pytest.mark.slow

ARTICLES = 150
FAULTS = "56:0.2"  # this seed reaches all 21 kinds at 150 articles
SERVER = ["--fault-stall", "3", "--fault-large-bytes", "400000"]
CRAWL = {"DOWNLOAD_TIMEOUT": "2", "NEWSCRAWL_RETRY_BACKOFF_SECONDS": "0.1",
         "NEWSCRAWL_RETRY_BACKOFF_MAX_SECONDS": "0.5", "NEWSCRAWL_RETRY_AFTER_MAX_SECONDS": "1",
         "DOWNLOAD_MAXSIZE": "200000", "DOWNLOAD_WARNSIZE": "0"}


class Crawl:
    def __init__(self, tmp: Path) -> None:
        self.output = tmp / "articles.jsonl"
        self.request_log = tmp / "requests.log"
        options = ["--faults", FAULTS, *SERVER, "--request-log", str(self.request_log)]
        with replica(ARTICLES, options=options) as base_url:
            self.base_url = base_url
            self.log = subprocess.run(crawl_command(base_url, self.output, extra=CRAWL),
                                      capture_output=True, text=True, timeout=600)
        self.articles = read_jsonl(self.output)
        self.rejects = read_jsonl(self.output.with_suffix(".rejects.jsonl"))
        self.summary = json.loads(self.output.with_suffix(".summary.json").read_text())
        self.truth = truth(base_url, ARTICLES, options=["--faults", FAULTS])
        self.requests = [line.split() for line in
                         self.request_log.read_text().splitlines()]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return Crawl(tmp_path_factory.mktemp("faults"))



def test_the_run_ends_cleanly_with_a_summary(crawl: Crawl) -> None:
    assert crawl.log.returncode == 0, crawl.log.stderr[-3000:]
    assert "Traceback" not in crawl.log.stderr
    assert "run ok" in crawl.log.stderr.splitlines()[-1]
    assert crawl.summary["articles_parsed"] > 0


def test_every_retrievable_story_is_written_exactly_once(crawl: Crawl) -> None:
    wanted = {i for i, t in crawl.truth.items() if t["reachable_html"] and t["retrievable"]}
    written = Counter(str(a["article_id"]) for a in crawl.articles)
    assert [i for i, n in written.items() if n > 1] == []
    assert set(written) <= wanted
    stories = Counter(story(crawl.truth, i) for i in written)
    assert [s for s, n in stories.items() if n > 1] == []
    missing = {story(crawl.truth, i) for i in wanted} - set(stories)
    assert missing == set(), [(i, crawl.truth[i]["fault"]) for i in sorted(missing)]


def test_every_other_reached_article_is_rejected_with_its_reason(crawl: Crawl) -> None:
    rejected = {r["article_id"]: r["reason"] for r in crawl.rejects}
    wrong = {}
    for article_id, t in crawl.truth.items():
        if not t["reachable_html"] or t["retrievable"]:
            continue
        if rejected.get(article_id) != BY_NAME[t["fault"]].reject:
            wrong[article_id] = (t["fault"], rejected.get(article_id))
    assert wrong == {}
    written = {a["article_id"] for a in crawl.articles}
    for reject in crawl.rejects:  # and no reject without a cause
        t = crawl.truth[str(reject["article_id"])]
        if reject["reason"] in ("near_duplicate", "duplicate_body"):
            assert reject["duplicate_of"] in written
        else:
            assert not t["retrievable"] and BY_NAME[t["fault"]].reject == reject["reason"]


@pytest.mark.parametrize("kind", [k.name for k in KINDS])
def test_each_fault_class(crawl: Crawl, kind: str) -> None:
    """The crawler's answer to one fault class: written whole, or rejected with its reason."""
    cases = [t for t in crawl.truth.values() if t["fault"] == kind and t["reachable_html"]]
    assert cases, f"seed {FAULTS} reaches no {kind} article: pick a seed that has every kind"
    written = {a["article_id"]: a for a in crawl.articles}
    rejected = {r["article_id"]: r for r in crawl.rejects}
    for t in cases:
        got = written.get(t["article_id"])
        if BY_NAME[kind].retrievable:
            if got is None:  # a republished copy: the story was written under the other id
                assert rejected[t["article_id"]]["reason"] in ("near_duplicate",
                                                               "duplicate_body")
                continue
            assert (got["headline"], got["body"]) == (t["headline"], t["body"])
        else:
            assert got is None
            assert rejected[t["article_id"]]["reason"] == BY_NAME[kind].reject


def test_transient_faults_were_retried(crawl: Crawl) -> None:
    stderr = crawl.log.stderr
    for reason in ("http_503", "http_429", "http_500", "http_502", "timeout",
                   "connection_lost"):
        assert f"'retry/reason_count/{reason}'" in stderr, reason
    assert "'newscrawl/retry/retry_after'" in stderr


def test_no_disallowed_or_foreign_request_reached_the_server(crawl: Crawl) -> None:
    disallowed = {urlsplit(t["canonical_url"]).path for t in crawl.truth.values()
                  if t["fault"] == "robots_disallowed"}
    assert disallowed, "the seed has no robots_disallowed article"
    host = urlsplit(crawl.base_url).netloc
    aliases = {host, host.replace("127.0.0.1", "localhost")}
    for _method, target, _status, request_host in crawl.requests:
        path = urlsplit(target).path
        assert path not in disallowed
        assert not path.startswith(("/ja/search/", "/ja/wp-admin/", "/ja/date/"))
        assert "?s=" not in target
        assert request_host in aliases
    assert crawl.requests[0][1] == "/robots.txt"

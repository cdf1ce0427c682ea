from __future__ import annotations

import collections
import itertools
import json
import os
import subprocess
import sys

from newscrawl.demosite import vocab
from newscrawl.demosite.generator import SHARES, DemoSite
from newscrawl.demosite.server import handle
from newscrawl.demosite.truth import iter_truth
from tests.records import TruthRecord, as_truth

BASE = "http://127.0.0.1:8765/ja/"


def _strings() -> list[str]:
    out: list[str] = []
    for value in vars(vocab).values():
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, tuple | frozenset):
            for v in value:
                out.extend(v if isinstance(v, tuple) else [v])
        elif isinstance(value, dict):
            for k, v in value.items():
                out.append(k)
                out.extend(v if isinstance(v, tuple) else [v])
    return [s for s in out if isinstance(s, str)]


def test_vocabulary_fits_jis_encodings() -> None:
    for text in _strings():
        if text == "©":
            continue  # only offered to UTF-8 pages
        text.encode("shift_jis")
        text.encode("euc_jp")


def test_truth_lists_exactly_n_articles() -> None:
    for n in (10, 57):
        records = list(iter_truth(n, 3, 0, BASE))
        assert len(records) == n
        assert len({r["article_id"] for r in records}) == n


def test_truth_records_have_the_typed_fields() -> None:
    for record in iter_truth(20, 3, 0, BASE):
        assert set(record) == TruthRecord.__required_keys__


def test_same_options_same_bytes() -> None:
    a, b = DemoSite(80, seed=5), DemoSite(80, seed=5)
    paths = ["/ja/", "/ja/wp-json/kt/v1/ranking?range=daily", "/ja/feed/", "/ja/report/"]
    paths += [a.canonical_url(i)[len("http://127.0.0.1:8765"):] for i in range(0, 80, 7)]
    paths += [p + "/amp/" for p in paths[-3:]]
    for path in paths:
        ra, rb = handle(a, "GET", path, {}), handle(b, "GET", path, {})
        assert (ra.status, ra.body) == (rb.status, rb.body), path
    assert list(iter_truth(60, 5, 1, BASE)) == list(iter_truth(60, 5, 1, BASE))
    assert DemoSite(80, seed=6).meta(3).headline != a.meta(3).headline or (
        DemoSite(80, seed=6).meta(4).headline != a.meta(4).headline)


def test_truth_is_the_same_in_another_process() -> None:
    def run(hashseed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        return subprocess.run(
            [sys.executable, "-m", "newscrawl.demosite", "truth", "--articles", "25"],
            check=True, capture_output=True, text=True, env=env).stdout

    out = run("1")
    assert out == run("2")
    assert len(out.splitlines()) == 25


def test_day_n_plus_1_contains_day_n() -> None:
    days = [{r["article_id"]: r for r in as_truth(iter_truth(100, 0, d, BASE))}
            for d in range(3)]
    assert [len(d) for d in days] == [100, 105, 110]
    for before, after in itertools.pairwise(days):
        assert set(before) <= set(after)
        new = set(after) - set(before)
        assert min(int(i) for i in new) > max(int(i) for i in before)
        changed = [i for i in before if after[i]["date_modified"] != before[i]["date_modified"]]
        for i in changed:
            modified = after[i]["date_modified"]
            assert modified is not None
            assert modified > (before[i]["date_modified"] or before[i]["date_published"])
            assert after[i]["body"] != before[i]["body"]
        assert after[next(iter(new))]["date_published"] > max(
            r["date_published"] for r in before.values())
    assert any(days[2][i]["date_modified"] != days[0][i]["date_modified"] for i in days[0])
    assert [r["ranking"] for r in days[0].values()] != [days[1][i]["ranking"] for i in days[0]]


def test_truth_fields_and_variation_shares() -> None:
    records = as_truth(iter_truth(600, 1, 0, BASE))
    counts: collections.Counter[str] = collections.Counter()
    for r in records:
        counts.update(r["variations"])
        assert len(r["summary"]) == 3
        assert 3 <= len([line for line in r["body"].split("\n") if line]) <= 60
        assert len(r["images"]) <= 4
        assert r["date_published"].endswith(":00+09:00")
        # null only where the page states no modified time (a bare visible date line)
        assert (r["date_modified"] or r["date_published"]) >= r["date_published"]
        if r["date_modified"] is None:
            assert "date_text_only" in r["variations"]
        for bad in ("\u3000", "\u200b", "\ufeff", "\xa0", "【引用:", "@fastviewkorea.com", "<"):
            assert bad not in r["body"], (bad, r["article_id"])
        credited = [i["credit"] for i in r["images"] if i["credit"]]
        assert all(c in r["credits"] for c in credited)
        assert len(r["credits"]) == len(set(r["credits"]))
        assert r["category"] in vocab.CATEGORIES.values()
        json.dumps(r, ensure_ascii=False)
        if r["encoding"] != "utf-8":
            (r["headline"] + r["body"]).encode(r["encoding"])
    n = len(records)
    for name in [*SHARES, "shift_jis", "euc_jp", "near_duplicate", "exact_duplicate",
                 "credit_alt", "credit_after_p", "no_jsonld", "date_text_only"]:
        assert 0.005 * n <= counts[name] <= 0.3 * n, (name, counts[name])
    dups = [r for r in records if r["near_duplicate_of"]]
    ids = {r["article_id"]: r for r in records}
    for r in dups:
        source = r["near_duplicate_of"]
        assert source is not None
        original = ids[source]
        assert original["near_duplicate_of"] is None
        if "exact_duplicate" in r["variations"]:
            assert r["body"] == original["body"] and r["headline"] == original["headline"]
        else:
            assert r["headline"] != original["headline"]
    orphans = [r for r in records if not r["reachable"]]
    ranking_only = [r for r in records if r["reachable"] and not r["reachable_html"]]
    assert 0.005 * n <= len(orphans) <= 0.05 * n
    assert 1 <= len(ranking_only) <= 5
    assert all(r["ranking"]["daily"] or r["ranking"]["weekly"] for r in ranking_only)


def test_unchanged_articles_keep_their_bytes_across_days() -> None:
    day0, day1 = DemoSite(60, day=0), DemoSite(60, day=1)
    changed = 0
    for i in range(60):
        path = day0.canonical_url(i)[len("http://127.0.0.1:8765"):]
        a, b = handle(day0, "GET", path, {}), handle(day1, "GET", path, {})
        same_time = day0.meta(i).modified == day1.meta(i).modified
        assert (a.body == b.body) == same_time, i
        assert (dict(a.headers)["ETag"] == dict(b.headers)["ETag"]) == same_time
        changed += not same_time
    assert changed < 10

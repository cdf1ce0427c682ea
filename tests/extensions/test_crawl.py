from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_crawl_writes_feed_rejects_and_summary_together(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "tests.extensions.crawl_dummy", str(tmp_path)],
        cwd=ROOT, check=True, timeout=120, capture_output=True,
    )
    stats = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))
    [feed] = (tmp_path / "dummy").glob("*[0-9].jsonl")
    rejects_file = feed.with_name(feed.stem + ".rejects.jsonl")  # the feed's own %(time)s
    summary_file = feed.with_name(feed.stem + ".summary.json")

    written = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    rejects = [json.loads(line) for line in rejects_file.read_text(encoding="utf-8").splitlines()]
    summary = json.loads(summary_file.read_text(encoding="utf-8"))

    assert [a["article_id"] for a in written] == ["1", "2"]
    pipeline = [r for r in rejects if r["stage"] == "pipeline"]
    assert len(written) + len(pipeline) == stats["test/yielded"]  # nothing disappears silently
    assert {(r["reason"], r["article_id"], r["duplicate_of"]) for r in pipeline} == {
        ("duplicate_id", "1", "1"),
        ("duplicate_body", "3", "1"),
        ("near_duplicate", "4", "1"),
        ("missing_body", "5", None),
        ("empty_body", "6", None),
    }
    [page] = [r for r in rejects if r["stage"] == "spider"]
    assert page["reason"] == "not_article" and page["detail"] == "会社概要"
    assert set(rejects[0]) == {
        "reason", "url", "article_id", "duplicate_of", "detail", "stage", "at"
    }
    assert "会社概要" in rejects_file.read_text(encoding="utf-8")  # not \\u-escaped

    counts = Counter(r["reason"] for r in rejects)
    for reason, count in counts.items():
        assert stats[f"newscrawl/rejects/{reason}"] == count
    assert stats["item_scraped_count"] == len(written)
    assert summary["articles_written"] == 2
    assert summary["dropped"] == dict(sorted(counts.items()))
    assert summary["responses_by_status"] == {"200": 1}
    assert summary["finish_reason"] == "finished"

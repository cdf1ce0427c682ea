"""Runs and articles shaped like the replica's, shared by the monitoring tests (original
text, made up here; never the site's)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from newscrawl.items import Article
from newscrawl.monitoring.history import run_record
from newscrawl.monitoring.verdict import MonitorSettings, judge_monitors


def good_article() -> Article:
    """An article as the pipelines leave it (original text)."""
    return Article(
        url="https://www.kangnamtimes.com/ja/report/article/700001",
        canonical_url="https://www.kangnamtimes.com/ja/report/article/700001",
        article_id="700001",
        headline="港の朝市に新しい屋台が並ぶ",
        summary=["朝市が再開", "屋台は十二軒", "週末のみ営業"],
        authors=["山田花子", "佐藤一郎"],
        date_published="2025-12-12T09:10:00+09:00",
        date_modified=None,
        category="ニュース",
        tags=["朝市"],
        images=[{"url": "https://www.kangnamtimes.com/ja/img/1.jpg", "credit": "共同"}],
        credits=["共同"],
        body="朝六時、港の広場に屋台が並んだ。\n地元の漁師が水揚げした魚を売る。",
        language="ja",
        comment_count=0,
        related=[{"url": "https://www.kangnamtimes.com/ja/report/article/700002",
                  "title": "港の再開発", "block": "related", "position": 1}],
        discovered_via={"block": "latest", "position": 3,
                        "from_url": "https://www.kangnamtimes.com/ja/"},
        crawled_at="2026-01-05T10:00:00+00:00",
    )


FIELDS = ("headline", "body", "authors", "date_published", "category")


def run_stats(articles: int = 200, *, body: dict[str, int] | None = None,
              date: dict[str, int] | None = None, authors_covered: float = 1.0,
              elapsed: float = 120.0, **extra: Any) -> dict[str, Any]:
    """Stats of a run: by default the replica's normal shape (94% of bodies from the
    markup, 6% through generic extraction; dates mostly from JSON-LD)."""
    body = body or {"markup": round(articles * 0.94), "generic": articles
                    - round(articles * 0.94)}
    date = date or {"jsonld": round(articles * 0.83), "meta": round(articles * 0.1),
                    "markup": articles - round(articles * 0.83) - round(articles * 0.1)}
    stats: dict[str, Any] = {
        "finish_reason": "finished", "item_scraped_count": articles,
        "newscrawl/spider/articles": articles, "elapsed_time_seconds": elapsed,
        "finish_time": datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
        "downloader/request_count": articles + 20, "response_received_count": articles + 15,
        "downloader/response_status_count/200": articles + 15,
        "newscrawl/schema/checked": articles,
    }
    for source, n in body.items():
        stats[f"newscrawl/fields/body/{source}"] = n
    for source, n in date.items():
        stats[f"newscrawl/fields/date_published/{source}"] = n
    stats["newscrawl/fields/headline/markup"] = articles
    for name in FIELDS:
        covered = authors_covered if name == "authors" else 1.0
        stats[f"newscrawl/monitor/coverage/{name}"] = round(articles * covered)
    stats.update(extra)
    return stats


def history_of(*runs: dict[str, Any]) -> list[dict[str, Any]]:
    history: list[dict[str, Any]] = []
    for stats in runs:
        findings = judge_monitors(stats, history, MonitorSettings())
        history.append(run_record(stats, findings, spider="kangnamtimes", feed=None,
                                  ok=True, verdict="ok"))
    return history


NORMAL_HISTORY = [run_stats(180), run_stats(210), run_stats(195)]


def sample_run(*, changed: bool = True) -> tuple[Any, list[dict[str, Any]]]:
    """A finished run (a layout change, or a normal run) after three normal ones, as
    ``(RunData, history with this run last)``, with pages and articles observed."""
    from newscrawl.monitoring.observe import RunObserver
    from newscrawl.monitoring.rundata import RunData

    observer = RunObserver()
    categories = ("ニュース", "経済", "エンタメ", "トレンド")
    for n in range(200):
        observer.article({"headline": "見出し", "category": categories[n % 4],
                          "body": "本文" * (50 + 7 * n), "authors": ["山田"] if n % 9 else [],
                          "date_published": f"2025-12-{1 + n % 28:02d}T{n % 24:02d}:05:00"
                                            "+09:00"})
    for n in range(300):
        observer.response(f"http://127.0.0.1:8765/ja/report/article/{700000 + n}",
                          200 if n % 40 else 404, seconds=(n * 37 % 100) / 100,
                          size=20_000 + n * 131 % 9000, since_start=n / 6)
    stats = run_stats(200, body={"markup": 6, "generic": 194}) if changed else run_stats(200)
    history = history_of(*NORMAL_HISTORY)
    findings = judge_monitors(stats, history, MonitorSettings())
    ok = not changed
    verdict = (f"run FAILED: {findings[0].reason}" if changed
               else "finished, 200 article(s) written")
    data = RunData(spider="kangnamtimes", stats=stats, observed=observer.to_dict(),
                   findings=findings, ok=ok, verdict=verdict,
                   settings={"NEWSCRAWL_BASE_URL": "http://127.0.0.1:8765/ja/",
                             "NEWSCRAWL_FOLLOW_BLOCKS": ["latest", "related"]},
                   feed="output/demo.jsonl", history_path="state/demo.runs.jsonl",
                   schema_version="0123456789ab",
                   files={"report": "output/demo.report.html"})
    record = run_record(stats, findings, spider="kangnamtimes", feed=data.feed, ok=ok,
                        verdict=verdict)
    return data, [*history, record]

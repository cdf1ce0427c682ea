"""Helpers of the delivery tests: crawls in process and as ``scrapy crawl``, and the count of
every article of the replica's ground truth across the published files and the rejects."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerRunner

from newscrawl.spiders.kangnamtimes import KangnamTimesSpider
from tests.support import ROOT, project_settings, story

#: A local mirror: no politeness delays (the replica is ours); no extra per-site lock in the
#: project's state/ (the runs lock their own state and outputs under tmp_path).
FAST: dict[str, Any] = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                        "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
                        "LOG_LEVEL": "INFO", "NEWSCRAWL_LOCK_PATH": ""}


def crawl_in_process(base_url: str, *, listen: Callable[[Crawler], None] | None = None,
                     **settings: Any) -> Crawler:
    """One ``scrapy crawl kangnamtimes`` in this process (the asyncio loop of the installed
    reactor; needs the ``reactor_threads`` fixture). ``listen`` may connect signal handlers
    before the crawl starts. Returns the finished crawler."""
    runner = CrawlerRunner(project_settings(**{**FAST, **settings}))
    crawler = runner.create_crawler(KangnamTimesSpider)
    if listen is not None:
        listen(crawler)
    loop = reactor_loop()
    loop.run_until_complete(runner.crawl(crawler, base_url=base_url).asFuture(loop))
    return crawler


def reactor_loop() -> asyncio.AbstractEventLoop:
    """The event loop of the installed asyncio reactor (Scrapy reads the same attribute in
    ``verify_installed_asyncio_event_loop``), made the current loop again: a test that ran
    ``asyncio.run()`` leaves none, and Scrapy asks for it while it starts a crawl."""
    from twisted.internet import reactor

    loop: asyncio.AbstractEventLoop = reactor._asyncioEventloop
    asyncio.set_event_loop(loop)
    return loop


def crawl_command(base_url: str, *options: str, **settings: Any) -> list[str]:
    """``scrapy crawl kangnamtimes -a base_url=… [options] -s NAME=VALUE…``."""
    command = [sys.executable, "-m", "scrapy", "crawl", "kangnamtimes",
               "-a", f"base_url={base_url}", *options]
    for name, value in {**FAST, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return command


def start_crawl(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def lines_in_parts(directory: Path) -> int:
    """Lines in the feed ``.part`` files under *directory* now (a part may be published, and
    gone, while it is counted)."""
    count = 0
    for part in directory.rglob("*.jsonl.part"):
        if part.name.endswith(".rejects.jsonl.part"):
            continue
        try:
            count += part.read_bytes().count(b"\n")
        except FileNotFoundError:
            continue
    return count


def read_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of a published file; each must be a whole JSON object."""
    return [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def published(directory: Path) -> list[Path]:
    """The published article files under *directory* (not rejects, the run history beside
    the state, summaries or parts)."""
    return sorted(p for p in directory.rglob("*.jsonl")
                  if not p.name.endswith((".rejects.jsonl", ".runs.jsonl")))


@dataclass
class Account:
    """Every reachable article of the truth, counted across the published files."""

    lines: int = 0
    stories_twice: list[str] = field(default_factory=list)
    """Stories with more than one line (an article twice, or a copy beside its original)."""
    missing: list[str] = field(default_factory=list)
    """Reachable articles in no published line and no rejects line."""
    unknown: list[str] = field(default_factory=list)
    """Published ids the truth does not have."""
    rejects: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not (self.stories_twice or self.missing or self.unknown)


def account(truth: dict[str, dict[str, Any]], directories: Iterable[Path]) -> Account:
    """Count the replica's reachable articles (HTML links) across the published files and
    the rejects files under *directories*."""
    result = Account()
    written: list[str] = []
    rejected: set[str] = set()
    for directory in directories:
        for path in published(directory):
            ids = [str(line["article_id"]) for line in read_lines(path)]
            result.lines += len(ids)
            written += ids
        for path in directory.rglob("*.rejects.jsonl"):
            for line in read_lines(path):
                result.rejects[str(line["reason"])] += 1
                if line.get("article_id"):
                    rejected.add(str(line["article_id"]))
    result.unknown = sorted(set(written) - set(truth))
    stories = Counter(story(truth, i) for i in written if i in truth)
    result.stories_twice = sorted(s for s, n in stories.items() if n > 1)
    reachable = {i for i, t in truth.items() if t["reachable_html"]}
    result.missing = sorted(i for i in reachable - set(written) - rejected
                            if story(truth, i) not in stories)
    return result

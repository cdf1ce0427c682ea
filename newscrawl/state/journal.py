"""The output files as the journal of delivered articles.

A line is written before the state records its article, so a run killed between the two
leaves an article in the output that the state does not know. At start, :func:`reconcile`
reads what earlier runs of the spider wrote since the last reconciliation (an offset per file
is kept in the state) and records every article the state lacks or holds in an older
version; the next run then writes exactly what was not delivered. :func:`publish_part_files`
first finishes the ``.part`` files of killed runs (see :mod:`newscrawl.exporters`).
"""

from __future__ import annotations

import glob
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newscrawl.exporters import PART_SUFFIX, publish
from newscrawl.paths import PLACEHOLDER, local_path
from newscrawl.state.base import ArticleState, CrawlState, content_hash
from newscrawl.urls import Site

logger = logging.getLogger(__name__)

JSON_LINES_FORMATS = frozenset({"jsonl-atomic", "jsonlines", "jsonl", "jl"})
_PLACEHOLDER_PATTERNS = {
    "time": r"[0-9T:+.\-]+",
    "batch_time": r"[0-9T:+.\-]+",
    "batch_id": r"[0-9]+",
}


@dataclass(frozen=True)
class FeedPattern:
    """The files one feed URI template produces for one spider."""

    glob: str
    regex: re.Pattern[str]

    def files(self) -> list[Path]:
        found = [Path(p) for p in glob.glob(self.glob)
                 if self.regex.fullmatch(Path(p).as_posix())]
        return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def feed_pattern(template: str, spider_name: str) -> FeedPattern | None:
    """The glob and regex of a local feed's files, or None for a remote feed."""
    path = local_path(template)
    if path is None:
        return None
    text = path.as_posix()
    glob_parts: list[str] = []
    regex_parts: list[str] = []
    position = 0
    for match in PLACEHOLDER.finditer(text):
        literal = text[position:match.start()]
        glob_parts.append(glob.escape(literal))
        regex_parts.append(re.escape(literal))
        name = match.group(1)
        if name == "name":
            glob_parts.append(spider_name)
            regex_parts.append(re.escape(spider_name))
        else:
            glob_parts.append("*")
            regex_parts.append(_PLACEHOLDER_PATTERNS.get(name, r"[^/]+"))
        position = match.end()
    glob_parts.append(glob.escape(text[position:]))
    regex_parts.append(re.escape(text[position:]))
    return FeedPattern("".join(glob_parts), re.compile("".join(regex_parts)))


def journal_patterns(feeds: Mapping[str, Mapping[str, Any]], spider_name: str,
                     ) -> list[FeedPattern]:
    """Patterns of the local JSON Lines feeds among ``FEEDS``."""
    patterns = []
    for uri, options in feeds.items():
        if str(options.get("format", "")) not in JSON_LINES_FORMATS:
            continue
        pattern = feed_pattern(str(uri), spider_name)
        if pattern is not None:
            patterns.append(pattern)
    return patterns


def _part_pattern(pattern: FeedPattern) -> FeedPattern:
    return FeedPattern(pattern.glob + glob.escape(PART_SUFFIX),
                       re.compile(pattern.regex.pattern + re.escape(PART_SUFFIX)))


def cut_partial_tail(path: Path) -> int:
    """Cut a file back to its last newline; return the bytes removed."""
    size = path.stat().st_size
    if not size:
        return 0
    with path.open("r+b") as file:
        end = size
        while end > 0:
            step = min(65536, end)
            file.seek(end - step)
            block = file.read(step)
            newline = block.rfind(b"\n")
            if newline >= 0:
                end = end - step + newline + 1
                break
            end -= step
        if end == size:
            return 0
        file.truncate(end)
    return size - end


def publish_part_files(patterns: Iterable[FeedPattern]) -> list[Path]:
    """Finish the ``.part`` files killed runs left: cut a partial last line, rename them.

    Call it only while holding the run lock: a ``.part`` file of a live run is being written.
    """
    published = []
    for pattern in patterns:
        for part in _part_pattern(pattern).files():
            cut = cut_partial_tail(part)
            if cut:
                logger.warning("cut a partial last line (%d bytes) from %s", cut, part)
            final = part.with_name(part.name[: -len(PART_SUFFIX)])
            publish(part, final)
            logger.info("published the output of an interrupted run: %s", final)
            published.append(final)
    return published


def is_article_line(record: Any) -> bool:
    """True for an exported :class:`~newscrawl.items.Article` (not a reject or summary)."""
    return (isinstance(record, dict) and bool(record.get("article_id"))
            and "url" in record and ("body" in record or "headline" in record))


def delivered_state(article: Mapping[str, Any], known: ArticleState | None, seen: str | None,
                    etag: str | None = None, last_modified: str | None = None) -> ArticleState:
    """The state of an article once its line is delivered (from the item, or from the line)."""
    return ArticleState(
        article_id=str(article["article_id"]),
        content_hash=content_hash(article),
        version=int(article.get("version") or 1),
        date_published=article.get("date_published"),
        date_modified=article.get("date_modified"),
        first_seen=known.first_seen if known and known.first_seen else seen,
        last_seen=seen,
        etag=etag,
        last_modified=last_modified,
    )


def record_from_line(record: Mapping[str, Any], known: ArticleState | None) -> ArticleState:
    """The state of an article as a delivered line shows it."""
    return delivered_state(record, known, record.get("crawled_at"))


@dataclass
class ReconcileReport:
    files: int = 0
    lines: int = 0
    recorded: int = 0
    bad_lines: int = 0


def reconcile(state: CrawlState, paths: Iterable[Path], site: Site | None = None,
              ) -> ReconcileReport:
    """Record the articles of output lines the state does not hold (see the module doc).

    With *site*, lines of articles of other sites (a mirror, the replica) are left alone.
    """
    report = ReconcileReport()
    seen_paths = set()
    for path in paths:
        key = str(path.resolve())
        seen_paths.add(key)
        offset = state.journal_offset(key)
        size = path.stat().st_size
        if size < offset:  # replaced or truncated since: read it again
            offset = 0
        if size == offset:
            continue
        report.files += 1
        with path.open("rb") as file:
            file.seek(offset)
            data = file.read(size - offset)
        end = data.rfind(b"\n") + 1  # a partial last line is read once it is whole
        for raw in data[:end].splitlines():
            if not raw.strip():
                continue
            report.lines += 1
            try:
                record = json.loads(raw)
            except ValueError:
                report.bad_lines += 1
                continue
            if not is_article_line(record) or (
                    site is not None and not site.is_on_site(str(record["url"]))):
                continue
            known = state.get(str(record["article_id"]))
            line_state = record_from_line(record, known)
            if known is None or (known.content_hash != line_state.content_hash
                                 and line_state.version >= known.version):
                if known is not None:
                    line_state.etag, line_state.last_modified = known.etag, known.last_modified
                state.record(line_state)
                report.recorded += 1
        state.set_journal_offset(key, offset + end)
    for key in state.journal_paths():
        if key not in seen_paths and not Path(key).exists():
            state.forget_journal(key)
    return report


def rotate(paths: Iterable[Path], keep: int) -> list[Path]:
    """Delete all but the newest *keep* files (by modification time), with their side files
    (``<stem>.rejects.jsonl`` and the like); return what was deleted. ``keep <= 0`` keeps all.
    """
    ordered = sorted(paths, key=lambda p: (p.stat().st_mtime, p.name))
    if keep <= 0 or len(ordered) <= keep:
        return []
    removed = []
    for path in ordered[:-keep]:
        side_files = [p for p in path.parent.glob(path.stem + ".*")
                      if p != path and p.is_file()]
        for victim in [path, *side_files]:
            victim.unlink(missing_ok=True)
            removed.append(victim)
    return removed

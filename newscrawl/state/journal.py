"""The output files as the journal of delivered articles.

**The delivery rule.** An article is recorded as delivered only once its line is in an output
file that no later run overwrites or discards: a published JSON Lines feed, or the ``.part``
of the running feed once the line is on disk (fsync'd), because a killed run's ``.part`` is
always published by the next run, under its own name. The state records what the file holds,
read back from it, never what the crawl meant to write.

* :func:`recover_parts` (run by the run lock at start, while no other run can write) publishes
  the ``.part`` files of killed runs: cut to their last whole line, renamed to their final name
  when that name is unique to the killed run (``%(time)s``), else to
  ``<stem>.<time>.recovered.jsonl``, never merged into or replaced by the new run's output.
  :func:`recover_journal_parts` does the same, with the state on, for every ``.part`` the
  state's journal lists (each is entered before it is created), whatever output the new run
  names (the cron form ``-O out-$(date +%F-%H).jsonl``).
* :func:`reconcile` then reads what earlier runs wrote since the last reconciliation (a
  :class:`~newscrawl.state.base.JournalMark` per file: offset and first-line digest, so a file
  replaced under the same name is read again) and records every article the state lacks or
  holds in an older version.
* :func:`read_whole_lines` is how the running state extension reads its own feed back.
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newscrawl.exporters import append_marker, undo_interrupted_append
from newscrawl.paths import (
    PART_SUFFIX,
    PLACEHOLDER,
    REJECTS_SUFFIX,
    SIDE_SUFFIXES,
    TOKEN_PATTERN,
    aside_path,
    free_token,
    local_path,
    time_token,
)
from newscrawl.state.base import ArticleState, CrawlState, JournalMark, content_hash
from newscrawl.urls import Site

logger = logging.getLogger(__name__)

JSON_LINES_FORMATS = frozenset({"jsonl-atomic", "jsonlines", "jsonl", "jl"})
_PLACEHOLDER_PATTERNS = {
    "time": r"[0-9T:+.\-]+",
    "batch_time": r"[0-9T:+.\-]+",
    "batch_id": r"[0-9]+",
}
_HEAD_BYTES = 1 << 16


@dataclass(frozen=True)
class FeedPattern:
    """The files one output template produces for one spider: its own names, and the names
    :func:`~newscrawl.paths.aside_path` gives them (``out.<time>[.recovered].jsonl``)."""

    glob: str
    regex: re.Pattern[str]
    unique: bool = True
    """Whether every run gets its own name (the template has a placeholder)."""
    role: str = "feed"
    """``feed``, ``rejects`` or ``summary``."""

    def files(self) -> list[Path]:
        found = [Path(p) for p in glob.glob(self.glob)
                 if self.regex.fullmatch(Path(p).as_posix())]
        return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))

    def parts(self) -> list[Path]:
        """The ``.part`` files of this template's own names (runs that did not finish)."""
        found = [Path(p) for p in glob.glob(self.glob + glob.escape(PART_SUFFIX))
                 if self.regex.fullmatch(Path(p).as_posix()[: -len(PART_SUFFIX)])]
        return sorted(found)


def feed_pattern(template: str, spider_name: str, *, suffix: str | None = None,
                 role: str = "feed") -> FeedPattern | None:
    """The glob and regex of a local output's files, or None for a remote feed. *suffix* is
    the family suffix (``.rejects.jsonl``); by default the template's last suffix."""
    path = local_path(template)
    if path is None:
        return None
    text = path.as_posix()
    suffix = Path(text).suffix if suffix is None else suffix
    body = text[: len(text) - len(suffix)] if suffix and text.endswith(suffix) else text
    tail = text[len(body):]
    glob_parts: list[str] = []
    regex_parts: list[str] = []
    position = 0
    unique = False
    for match in PLACEHOLDER.finditer(body):
        literal = body[position:match.start()]
        glob_parts.append(glob.escape(literal))
        regex_parts.append(re.escape(literal))
        name = match.group(1)
        if name == "name":
            glob_parts.append(glob.escape(spider_name))
            regex_parts.append(re.escape(spider_name))
        else:
            unique = True
            glob_parts.append("*")
            regex_parts.append(_PLACEHOLDER_PATTERNS.get(name, r"[^/]+"))
        position = match.end()
    glob_parts += [glob.escape(body[position:]), "*", glob.escape(tail)]
    regex_parts += [re.escape(body[position:]), TOKEN_PATTERN, re.escape(tail)]
    pattern = re.sub(r"\*+", "*", "".join(glob_parts))  # a literal * is escaped as [*]
    return FeedPattern(pattern, re.compile("".join(regex_parts)), unique, role)


def journal_patterns(feeds: Mapping[str, Mapping[str, Any]], spider_name: str,
                     ) -> list[FeedPattern]:
    """Patterns of the local JSON Lines feeds among ``FEEDS``: the state's journal."""
    patterns = []
    for uri, options in feeds.items():
        if str(options.get("format", "")) not in JSON_LINES_FORMATS:
            continue
        pattern = feed_pattern(str(uri), spider_name)
        if pattern is not None:
            patterns.append(pattern)
    return patterns


# --- Reading ----------------------------------------------------------------------------------

def head_digest(path: Path) -> str:
    """A digest of the file's first line (up to 64 KiB): tells a file from its replacement."""
    with path.open("rb") as file:
        head = file.read(_HEAD_BYTES)
    newline = head.find(b"\n")
    return hashlib.blake2b(head[: newline + 1] if newline >= 0 else head,
                           digest_size=12).hexdigest()


def read_whole_lines(fd: int, offset: int, end: int) -> tuple[list[bytes], int]:
    """The whole lines of the open file between *offset* and *end*, and the offset after the
    last of them (a partial last line is left for later)."""
    chunks = []
    position = offset
    while position < end:
        chunk = os.pread(fd, min(end - position, 1 << 20), position)
        if not chunk:
            break
        chunks.append(chunk)
        position += len(chunk)
    data = b"".join(chunks)
    last = data.rfind(b"\n") + 1
    return [line for line in data[:last].splitlines() if line.strip()], offset + last


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


# --- Recovery ---------------------------------------------------------------------------------

def recover_parts(patterns: Iterable[FeedPattern], token: str) -> list[Path]:
    """Publish the ``.part`` files killed runs left; return the published files.

    Call it only while holding the run lock (a ``.part`` of a live run is being written).
    Each part is cut to its last whole line and renamed: to its final name when that name is
    the killed run's own (``%(time)s``) and free, else to ``<stem>.<token>.recovered<suffix>``
    (*token*: the killed run's start). A summary's part is only a summary cut short: removed.
    An ``-o`` append that a kill interrupted is undone first (the part is then published
    whole, under its own name).
    """
    published = []
    for pattern in patterns:
        for final in pattern.files():  # an append that ended but for its marker
            if append_marker(final).exists() and not final.with_name(
                    final.name + PART_SUFFIX).exists():
                append_marker(final).unlink()
        for part in pattern.parts():
            final = part.with_name(part.name[: -len(PART_SUFFIX)])
            if undo_interrupted_append(final, part):
                logger.warning("undid an interrupted append to %s", final)
            if pattern.role == "summary":
                part.unlink()
                continue
            cut = cut_partial_tail(part)
            if cut:
                logger.warning("cut a partial last line (%d bytes) from %s", cut, part)
            if part.stat().st_size == 0:
                part.unlink()
                continue
            if not (pattern.unique and not final.exists()):
                final = aside_path(final, free_token([final], token, recovered=True),
                                   recovered=True)
            os.replace(part, final)
            logger.warning("published the output of an interrupted run: %s", final)
            published.append(final)
    return published


# --- Reconciling ------------------------------------------------------------------------------

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


def supersedes(line: ArticleState, known: ArticleState | None) -> bool:
    """Whether a delivered line says more than the state: an unknown article, a remembered
    copy that was delivered after all, or a newer version."""
    return known is None or bool(known.duplicate_of) or (
        known.content_hash != line.content_hash and line.version >= known.version)


@dataclass
class ReconcileReport:
    files: int = 0
    lines: int = 0
    recorded: int = 0
    bad_lines: int = 0


def reconcile(state: CrawlState, paths: Iterable[Path], site: Site | None = None,
              on_recorded: Callable[[dict[str, Any]], None] | None = None) -> ReconcileReport:
    """Record the articles of output lines the state does not hold (see the module doc).

    With *site*, lines of articles of other sites (a mirror, the replica) are left alone.
    *on_recorded* hears of each article line recorded, inside the file's transaction.
    """
    report = ReconcileReport()
    seen_paths = set()
    for path in paths:
        key = os.path.abspath(path)
        seen_paths.add(key)
        size = path.stat().st_size
        mark = state.journal_mark(key)
        if mark is not None and mark.offset == size and mark.head != PART_HEAD:
            continue  # read to its end before (a stat, not a read, per file and run)
        head = head_digest(path)
        offset = mark.offset if mark and mark.head == head and mark.offset <= size else 0
        if size == offset:
            state.set_journal_mark(key, JournalMark(offset, head))
            continue
        report.files += 1
        fd = os.open(path, os.O_RDONLY)
        try:
            lines, end = read_whole_lines(fd, offset, size)
        finally:
            os.close(fd)
        with state.transaction():
            for raw in lines:
                _reconcile_line(state, raw, site, report, on_recorded)
            state.set_journal_mark(key, JournalMark(end, head))
    for key in state.journal_paths():
        if key not in seen_paths and not Path(key).exists():
            state.forget_journal(key)
    return report


def _reconcile_line(state: CrawlState, raw: bytes, site: Site | None,
                    report: ReconcileReport,
                    on_recorded: Callable[[dict[str, Any]], None] | None = None) -> None:
    report.lines += 1
    try:
        record = json.loads(raw)
    except ValueError:
        report.bad_lines += 1
        return
    if not is_article_line(record) or (
            site is not None and not site.is_on_site(str(record["url"]))):
        return
    known = state.get(str(record["article_id"]))
    line_state = record_from_line(record, known)
    if supersedes(line_state, known):
        if known is not None:
            line_state.etag, line_state.last_modified = known.etag, known.last_modified
        state.record(line_state)
        report.recorded += 1
        if on_recorded is not None:
            on_recorded(record)


PART_HEAD = "part"
"""The :class:`~newscrawl.state.base.JournalMark` head of a ``.part`` file a run is writing:
recorded before its first line, removed once the file is published. One left behind is the
output of a killed run, whatever name it had."""


def journal_files(state: CrawlState) -> list[Path]:
    """The published files the journal holds marks of (not the ``.part`` entries)."""
    return [Path(key) for key in state.journal_paths()
            if Path(key).is_file() and (mark := state.journal_mark(key)) is not None
            and mark.head != PART_HEAD]


def recover_journal_parts(state: CrawlState, reserved: Iterable[Path] = ()) -> list[Path]:
    """Publish the ``.part`` files the journal lists (runs of this state that were killed,
    whatever output they named), with their rejects ``.part``; return the published feeds.

    Call it while holding the state's lock. A part is published under its final name when
    that is free and not in *reserved* (the fixed names the current run writes), else as
    ``<stem>.<time of its last write>.recovered.jsonl``. The published file is entered in
    the journal (to be reconciled) before it is renamed, so a kill at any point leaves it
    findable.
    """
    published = []
    reserved_keys = {os.path.abspath(p) for p in reserved}
    keys = sorted(state.journal_paths(),  # feeds first: they take their rejects along
                  key=lambda k: (k.endswith(REJECTS_SUFFIX + PART_SUFFIX), k))
    for key in keys:
        mark = state.journal_mark(key)
        if mark is None or mark.head != PART_HEAD:
            continue
        part = Path(key)
        if not part.is_file():
            state.forget_journal(key)  # published by its run, or by a run on its name
            continue
        final = part.with_name(part.name[: -len(PART_SUFFIX)])
        undo_interrupted_append(final, part)
        cut_partial_tail(part)
        if part.stat().st_size == 0:
            part.unlink()
            state.forget_journal(key)
            continue
        is_feed = not final.name.endswith(REJECTS_SUFFIX)
        side = final.with_name(_stem(final) + REJECTS_SUFFIX + PART_SUFFIX)
        if final.exists() or os.path.abspath(final) in reserved_keys:
            written = datetime.fromtimestamp(part.stat().st_mtime, UTC)
            token_here = free_token([final], time_token(written), recovered=True)
            target = aside_path(final, token_here, recovered=True)
            side_target = aside_path(side.with_name(side.name[: -len(PART_SUFFIX)]),
                                     token_here, recovered=True, suffix=REJECTS_SUFFIX)
        else:
            target, side_target = final, side.with_name(side.name[: -len(PART_SUFFIX)])
        if is_feed:
            with state.transaction():
                state.set_journal_mark(os.path.abspath(target), JournalMark(0, ""))
        if is_feed and side.is_file() and not side_target.exists():  # first: the feed part
            # is the key (a kill after this and before the next rename redoes only it)
            cut_partial_tail(side)
            os.replace(side, side_target)
        os.replace(part, target)
        state.forget_journal(key)
        logger.warning("published the output of an interrupted run: %s", target)
        if is_feed:
            published.append(target)
    return published


def _stem(path: Path) -> str:
    return path.name[: len(path.name) - len(path.suffix)] if path.suffix else path.name


def rotate(paths: Iterable[Path], keep: int) -> list[Path]:
    """Delete all but the newest *keep* files (by modification time), with their side files
    (``<stem>.rejects.jsonl`` and the like); return what was deleted. ``keep <= 0`` keeps all.
    """
    ordered = sorted(paths, key=lambda p: (p.stat().st_mtime, p.name))
    if keep <= 0 or len(ordered) <= keep:
        return []
    removed = []
    for path in ordered[:-keep]:
        side_files = [side for side in (path.with_name(path.stem + suffix)
                                        for suffix in SIDE_SUFFIXES) if side.is_file()]
        for victim in [path, *side_files]:
            victim.unlink(missing_ok=True)
            removed.append(victim)
    return removed

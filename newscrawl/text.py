"""Pure text functions: body cleaning, credits, bylines, dates, whitespace.

Input text has one block (paragraph, sub-heading, list item) per line, as
:func:`newscrawl.pages.article.parse_article` or a generic extractor produce it.
Nothing here touches the network or a crawler.

Who calls what: the page parser (:mod:`newscrawl.pages`) only *recognises* text here
(:func:`parse_credit`, :func:`split_inline_credit`, :func:`split_authors`,
:func:`parse_jp_datetime`, :func:`normalize_space`); it never cleans a body. Cleaning
(:func:`clean_body`) belongs to the clean pipeline (:mod:`newscrawl.pipelines.clean`), which also
merges the credits the cleaning takes out of the body into ``Article.credits``.

Every function here takes time linear in its input, whatever the text (no pattern that retries
a run of spaces or word characters from each of its positions): a page's text is untrusted.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from newscrawl.boilerplate import (
    AUTHOR_SUFFIXES,
    CREDIT_WORDS,
    DATELINE,
    RELATED,
    SKIP_LINK,
    WIDGET,
    cleanable,
    is_share_line,
)

JST = timezone(timedelta(hours=9))

REMOVED_KINDS = (
    "credit",
    "reporter",
    "email",
    "widget",
    "skip_link",
    "dateline",
    "related",
    "share",
    "duplicate",
    "boilerplate",
)
"""The keys of :attr:`CleanResult.removed`, always present (0 when nothing was removed)."""

_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff"
_OTHER_SPACES = "\t\r\n\f\v\xa0\u2028\u2029"
"""The spaces but U+0020 that become one (U+3000 is kept inside a text)."""
_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARS}]")
"""Zero-width characters (a regex: ``str.translate`` is slow on non-ASCII text)."""
_SPACES = re.compile(f"[ {_OTHER_SPACES.replace(chr(10), '')}]+")
"""Space runs within a line."""
_ALL_SPACE = re.compile(f"[ {_OTHER_SPACES}]+")
_ODD_SPACE = re.compile(f"[{_ZERO_WIDTH_CHARS}{_OTHER_SPACES}]")
"""The characters :func:`normalize_space` and :func:`_normalize_line` change inside a text
(with a run of spaces): none is printable, so most texts are ruled out by ``isprintable()``."""


def _plain(text: str) -> bool:
    """True when ``text`` holds no zero-width character, no space run and no space other than
    U+0020 and U+3000: what most link titles and lines are (their normalising is a trim). A
    C scan or two, where the substitutions take a regex pass each; a paragraph's U+3000
    indent, the one unprintable character of most Japanese lines, is taken out for the scan
    rather than sending the line to the regex."""
    if "  " in text:
        return False
    if text.isprintable() or ("\u3000" in text and text.replace("\u3000", "").isprintable()):
        return True
    return _ODD_SPACE.search(text) is None


_CREDIT_PREFIX = CREDIT_WORDS
_CREDIT = re.compile(
    r"^[【\[(（]?\s*(?:" + _CREDIT_PREFIX + r"\s*[:：=＝]|[©Ⓒ]|\([cC]\)|（[cC]）)"
    r"\s*(?P<name>[^【】\[\]。]+?)\s*[】\])）]?$"
)
#: A space run before a credit. ``(?<!\s)``: tried at the start of a run only (a credit never
#: starts with a space, so a run fails or matches as a whole); else each long run is quadratic.
_CREDIT_START = re.compile(
    r"^[【\[(（]?\s*(?:" + _CREDIT_PREFIX + r"\s*[:：=＝]|[©Ⓒ]|\([cC]\)|（[cC]）)")
"""How every credit opens (:data:`_CREDIT` up to the name): a line that does not open so holds
no whole-line credit, and no run of them."""
_CREDIT_SPLIT = re.compile(r"(?<!\s)\s+(?=[【\[]?(?:" + _CREDIT_PREFIX + r"\s*[:：=＝]|[©Ⓒ]))")
_INLINE_CREDIT = re.compile(
    r"^[【\[]\s*" + _CREDIT_PREFIX + r"\s*[:：=＝]\s*(?P<name>[^】\]]+?)\s*[】\]]\s*"
)
_MAX_CREDIT = 40
MAX_CREDIT_TEXT = _MAX_CREDIT + 8
"""The longest text (trimmed) :func:`parse_credit` reads as a credit."""

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
"""An e-mail address. Only anchored (``match``) here: searched, it retries a long run of word
characters from each position (quadratic); :func:`_email_spans` finds the same matches."""
_EMAIL_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_EMAIL_LOCAL_REVERSED = re.compile(r"[\w.+-]*")
_EMAIL_LINE = re.compile(r"^[<(（\[]?\s*(?:mailto:)?" + _EMAIL.pattern + r"\s*[>)）\]]?$")
_NAME_MAX = 25
_SENTENCE_END = "。！？!?」』)）"


_DATE_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\.\d+)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_DATE_JP = re.compile(
    r"(?P<y>\d{4})\s*[年./]\s*(?P<m>\d{1,2})\s*[月./]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*[(（][^)）]{1,3}[)）])?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:時]\s*(?P<M>\d{2})\s*分?(?:\s*:\s*(?P<S>\d{2}))?)?"
)

#: A separator between author names (group 1), or a space run that is none (skipped whole,
#: so that a long run is not retried from each of its positions).
_AUTHOR_SEPARATOR = re.compile(r"(\s*[・、,，/／&＆]\s*|\s+and\s+)|\s+")
_AUTHOR_SUFFIXES = AUTHOR_SUFFIXES
"""Words after a name in a byline, dropped (with the spaces before them) from its end."""
_AUTHOR_PREFIX = re.compile(r"^(?:[Bb]y\s+|文\s*[:：=]\s*|記者\s*[:：]\s*)")


@dataclass
class CleanResult:
    """What :func:`clean_body` returns."""

    body: str
    """The cleaned text, one block per line, joined by ``\\n``."""
    credits: list[str] = field(default_factory=list)
    """Credit source names found in the text, in order, without repeats."""
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REMOVED_KINDS, 0))
    """How many lines (or addresses, for ``email``) were removed, per kind."""


def normalize_space(text: str) -> str:
    """Drop zero-width characters, turn NBSP and whitespace runs into one space, trim.

    Ideographic spaces (U+3000) inside the text are kept; at either end they are trimmed.
    """
    if _plain(text):
        return text.strip(" \u3000")
    text = _ZERO_WIDTH.sub("", text)
    return _ALL_SPACE.sub(" ", text).strip(" \u3000")


def _normalize_line(line: str) -> str:
    if "&" in line or not _plain(line):  # the common line is only trimmed
        line = _SPACES.sub(" ", _ZERO_WIDTH.sub("", html.unescape(line)))
    return line.strip(" ").lstrip("\u3000").strip(" ")


def parse_credit(text: str) -> str | None:
    """The source name of a credit string (``出典:AFP通信`` → ``AFP通信``), else None.

    Accepts the prefixes 出典, 引用, 写真, 提供, 画像, ©, Photo (and a few compounds such as
    写真提供) with a fullwidth or ASCII colon or ``=``, optionally in 【】 brackets.
    """
    text = normalize_space(html.unescape(text))
    if not text or len(text) > MAX_CREDIT_TEXT:
        return None
    match = _CREDIT.match(text)
    if not match:
        return None
    name = match["name"].strip(" :：=")
    if not name or len(name) > _MAX_CREDIT:
        return None
    return name


def _line_credits(line: str) -> list[str] | None:
    """All credit names when the whole line is made of credits (``出典:A 出典:A``), else None.

    The line's first part must be a credit, so a line that does not open as one is none (the
    common line: checked once, before splitting the line and reading each part)."""
    opening = normalize_space(html.unescape(line)) if "&" in line else line  # as parse_credit
    if not _CREDIT_START.match(opening):
        return None
    parts = _CREDIT_SPLIT.split(line)
    if len(parts) > 1:
        names = [parse_credit(part) for part in parts]
        if all(names):
            return [n for n in names if n]
    name = parse_credit(line)
    return None if name is None else [name]


def split_inline_credit(line: str) -> tuple[str | None, str]:
    """Split a leading ``【引用:トヨタ】`` off a paragraph: (``トヨタ``, rest), or (None, line)."""
    match = _INLINE_CREDIT.match(line)
    if not match:
        return None, line
    return match["name"], line[match.end():].lstrip(" \u3000")


def split_authors(text: str) -> list[str]:
    """Author names from a byline: ``梶原圭介・織田昌大`` → two names.

    Also splits on ``、`` ``,`` ``/``; drops a trailing ``アクセス``/``記者``.
    """
    text = _strip_author_suffix(normalize_space(html.unescape(text)))
    names: dict[str, None] = {}
    for part in _split_authors(text):
        name = _strip_author_suffix(_AUTHOR_PREFIX.sub("", part.strip())).strip(" \u3000")
        if name:
            names.setdefault(name)
    return list(names)


def _split_authors(text: str) -> list[str]:
    """``re.split`` on an author separator, in linear time (see :data:`_AUTHOR_SEPARATOR`)."""
    parts: list[str] = []
    start = 0
    for match in _AUTHOR_SEPARATOR.finditer(text):
        if match.group(1) is not None:
            parts.append(text[start:match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


def _strip_author_suffix(text: str) -> str:
    """``text`` without its trailing ``アクセス``/``記者``/``特派員``/``編集委員`` words and the
    spaces before each (``山下悠真 アクセス`` → ``山下悠真``)."""
    end = len(text)
    while True:
        word = next((w for w in _AUTHOR_SUFFIXES if text.endswith(w, 0, end)), None)
        if word is None:
            return text[:end]
        end -= len(word)
        while end > 0 and text[end - 1].isspace():
            end -= 1


def _offset(tz: str) -> timezone:
    """The time zone of an ISO 8601 offset (``Z``, ``+09:00``, ``-0530``); ValueError for one
    of a day or more."""
    if tz == "Z":
        return UTC
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _to_iso(match: re.Match[str]) -> str | None:
    """The match as ISO 8601 in Japan time (Japan's when it names no offset); None for a day,
    time or offset that cannot be (30 February, 25:00, an offset of a day or more, a moment
    before year 1 or after 9999 in Japan time)."""
    groups = match.groupdict()
    tz = groups.get("tz")
    try:
        moment = datetime(
            int(groups["y"]),
            int(groups["m"]),
            int(groups["d"]),
            int(groups.get("H") or 0),
            int(groups.get("M") or 0),
            int(groups.get("S") or 0),
            tzinfo=_offset(tz) if tz else JST,
        ).astimezone(JST)
    except (ValueError, OverflowError):  # OverflowError: a day of year 1 or 9999 moved past it
        return None
    return moment.isoformat(timespec="seconds")


_ISO_STAMP = re.compile(
    "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?:Z|[+-][0-9]{2}:[0-9]{2})?")
"""A date as JSON-LD, ``<meta>`` and ``<time datetime>`` write it (ASCII digits, nothing
around it): :meth:`datetime.fromisoformat` reads it, for the same answer as the general path
in a quarter of the time."""


def parse_jp_datetime(text: str, *, require_time: bool = False) -> str | None:
    """The first date in ``text`` as ISO 8601 in Japan time (``2025-12-12T09:10:00+09:00``).

    Reads ``2025年12月12日 09:10``, ``2025.12.12 09:10``, ``2025/12/12 9:10`` and ISO 8601
    (an offset other than +09:00 is converted to +09:00). A missing time means midnight
    unless ``require_time``. None when there is no date. A short text (a stamp, which a page
    gives for several fields, ``datePublished`` and ``dateModified`` alike) is read once.
    """
    if not text:
        return None
    if len(text) <= _CACHED_DATE_TEXT:
        return _cached_datetime(text, require_time)
    return _datetime(text, require_time)


_CACHED_DATE_TEXT = 40
"""Longest text :func:`parse_jp_datetime` keeps the answer for (an ISO stamp is 25)."""


def _datetime(text: str, require_time: bool) -> str | None:
    if _ISO_STAMP.fullmatch(text):
        try:
            moment = datetime.fromisoformat(text)
            moment = moment.replace(tzinfo=JST) if moment.tzinfo is None else moment.astimezone(JST)
        except (ValueError, OverflowError):
            pass  # 30 February, 25:00, an offset of a day: the general path answers (None)
        else:
            return moment.isoformat(timespec="seconds")
    text = unicodedata.normalize("NFKC", text)
    for pattern in (_DATE_ISO, _DATE_JP):
        for match in pattern.finditer(text):
            if require_time and not match["H"]:
                continue
            value = _to_iso(match)
            if value:
                return value
    return None


_cached_datetime = functools.lru_cache(maxsize=1024)(_datetime)


def parse_jp_datetimes(text: str) -> list[str]:
    """Every date of ``text`` that :func:`parse_jp_datetime` reads, in the order they appear
    (as ISO 8601 in Japan time)."""
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text)
    found = [(match.start(), value) for pattern in (_DATE_ISO, _DATE_JP)
             for match in pattern.finditer(text) if (value := _to_iso(match))]
    return [value for _, value in sorted(found)]


def _is_name(text: str) -> bool:
    text = text.strip(" \u3000")
    return 0 < len(text) <= _NAME_MAX and not any(c in text for c in "。、!?！？:：「」")


def _strip_reporter_tail(line: str) -> tuple[str | None, bool]:
    """For a line ending with an e-mail address: (what remains, True) or (line, False).

    A short name-like rest means the whole line is the reporter line (None is returned);
    a paragraph ending with ``…。梶原圭介 x@y.com`` keeps the text up to the sentence end.
    """
    spans = _email_spans(line)
    if not spans or line[spans[-1][1]:].strip(" >)）]") != "":
        return line, False
    rest = line[: spans[-1][0]].rstrip(" <(（[").rstrip()
    rest = re.sub(r"(?:mailto:|[Ee]-?mail\s*[:：]?)$", "", rest).rstrip()
    if not rest or _is_name(rest):
        return None, True
    cut = max(rest.rfind(c) for c in _SENTENCE_END)
    if cut >= 0 and _is_name(rest[cut + 1:]):
        return rest[: cut + 1], True
    return line, False


def _email_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of each match of :data:`_EMAIL` in ``line``, as ``finditer`` gives them,
    in linear time.

    A match holds one ``@``: it starts where the run of local-part characters before that
    ``@`` starts (or where the previous match ended) and ends where the domain ends. An ``@``
    with no local part before it or no domain after it starts no match.
    """
    spans: list[tuple[int, int]] = []
    reversed_line: str | None = None
    scan_from = 0
    at = line.find("@")
    while at >= 0:
        domain = _EMAIL_DOMAIN.match(line, at + 1)
        if domain is not None:
            if reversed_line is None:
                reversed_line = line[::-1]
            # the local part, read backwards from the @ (no further back than ``scan_from``)
            back = _EMAIL_LOCAL_REVERSED.match(reversed_line, len(line) - at,
                                               len(line) - scan_from)
            assert back is not None  # ``*``: always matches
            start = at - (back.end() - back.start())
            if start < at:
                spans.append((start, domain.end()))
                scan_from = domain.end()
                at = line.find("@", scan_from)
                continue
        at = line.find("@", at + 1)
    return spans


def _remove_emails(line: str) -> tuple[str, int]:
    """``_EMAIL.subn("", line)``, in linear time."""
    spans = _email_spans(line)
    if not spans:
        return line, 0
    kept: list[str] = []
    start = 0
    for begin, end in spans:
        kept.append(line[start:begin])
        start = end
    kept.append(line[start:])
    return "".join(kept), len(spans)


#: The longest run of lines (a paragraph with ``<br>`` breaks) collapsed when printed twice.
_LONGEST_REPEAT = 4


def clean_body(text: str, *, nfkc: bool = False) -> CleanResult:
    """Clean body text (one block per line); see the module docs and :class:`CleanResult`.

    Removes credit lines (kept in ``credits``), leading ``【引用:X】`` credits, the reporter
    line and any e-mail address, comment-widget text, skip links, 関連記事 lines, share
    buttons, the whole lines that a cleaning marker of :mod:`newscrawl.boilerplate` matches
    (``boilerplate``: date lines, related headings, 続きを読む, paywall lines, prompts,
    bylines, ad labels, page labels, copyright), empty and consecutively repeated lines.
    Unescapes entities, drops zero-width characters, strips U+3000 indents, turns NBSP and
    space runs into one space. Other characters are kept as written unless ``nfkc``.

    A little over 60 lines: one pass over the lines with the rules in a fixed order, and the
    order is the behaviour (a credit line gives up its names before the boilerplate markers,
    which would drop the line with the names, are tried).
    """
    result = CleanResult(body="")
    removed = result.removed
    credits: dict[str, None] = {}  # ordered, without repeats
    lines: list[str] = []
    for raw in (text or "").splitlines():
        line = _normalize_line(raw)
        if not line:
            continue
        if "スキップ" in line:
            stripped = SKIP_LINK.sub("", line)
            if stripped != line:
                removed["skip_link"] += 1
                line = stripped.strip(" \u3000")
                if not line:
                    continue
        if WIDGET.match(line):
            removed["widget"] += 1
            continue
        if DATELINE.match(line):
            removed["dateline"] += 1
            continue
        if RELATED.match(line):
            removed["related"] += 1
            continue
        if is_share_line(line):
            removed["share"] += 1
            continue
        names = _line_credits(line)
        if names is not None:
            removed["credit"] += 1
            credits.update(dict.fromkeys(names))
            continue
        name, line = split_inline_credit(line)
        if name is not None:
            removed["credit"] += 1
            credits.setdefault(name)
            if not line:
                continue
        if "@" in line:
            kept = _drop_emails(line, lines, removed)
            if kept is None:
                continue
            line = kept
        if cleanable(line):
            removed["boilerplate"] += 1
            continue
        if nfkc:
            line = unicodedata.normalize("NFKC", line)
        lines.append(line)
        removed["duplicate"] += _drop_repeated_run(lines)
    result.body = "\n".join(lines)
    result.credits = list(credits)
    return result


def _drop_emails(line: str, lines: list[str], removed: dict[str, int]) -> str | None:
    """``line`` without e-mail addresses and a reporter's name before one, or None when
    nothing remains; a line that is only an address also takes a name line before it out of
    ``lines``. Counts go to ``removed``."""
    if _EMAIL_LINE.match(line):
        removed["email"] += 1
        if lines and _is_name(lines[-1]):
            lines.pop()
            removed["reporter"] += 1
        return None
    rest, is_reporter = _strip_reporter_tail(line)
    if is_reporter:
        removed["reporter"] += 1
        removed["email"] += 1
        if rest is None:
            return None
        line = rest
    line, count = _remove_emails(line)
    if count:
        removed["email"] += count
        line = _SPACES.sub(" ", line).strip()
        if not line:
            return None
    return line


def _drop_repeated_run(lines: list[str], longest: int = _LONGEST_REPEAT) -> int:
    """Drop the tail of ``lines`` when it repeats the run of lines just before it.

    A paragraph printed twice in a row is a run of one line, or of several when it holds a
    ``<br>``. Returns how many lines were dropped.
    """
    if lines[-1] not in lines[-1 - longest:-1]:  # the usual line: no run ends with it twice
        return 0
    for size in range(1, min(longest, len(lines) // 2) + 1):
        if lines[-1] == lines[-1 - size] and lines[-size:] == lines[-2 * size:-size]:
            del lines[-size:]
            return size
    return 0

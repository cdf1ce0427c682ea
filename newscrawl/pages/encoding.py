"""Decoding responses whose encoding may be undeclared (Shift_JIS, EUC-JP, UTF-8)."""

from __future__ import annotations

import codecs
import functools
import logging
import re

from scrapy.http import TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from newscrawl.pages.tree import CONTROL_BYTES

logger = logging.getLogger(__name__)

_CANDIDATES = ("utf-8", "cp932", "euc_jp")


def declared_encoding(response: TextResponse) -> str | None:
    """The encoding the response declares (constructor, BOM, HTTP header or ``<meta>``)."""
    explicit = getattr(response, "_encoding", None)
    if explicit:
        return str(explicit)
    bom, _ = read_bom(response.body)
    if bom:
        return bom
    content_type = response.headers.get(b"Content-Type")
    if content_type:
        from_header = _header_encoding(content_type)
        if from_header:
            return from_header
    return html_body_declared_encoding(response.body)


@functools.lru_cache(maxsize=256)
def _header_encoding(content_type: bytes) -> str | None:
    """The encoding a ``Content-Type`` header names (a crawl meets a handful of values)."""
    return http_content_type_encoding(content_type.decode("latin-1"))


#: Characters unlikely in Japanese text: controls (but tab, LF, CR), Latin-1 letters (the
#: mojibake of a mislabelled page), private use, half-width katakana, U+FFFD.
_ODD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x80-\xff\ue000-\uf8ff\uff61-\uff9f\ufffd]")


def _oddity(text: str) -> int:
    """How unlikely ``text`` is as Japanese: half-width katakana, private use, controls,
    replacement characters, and Latin-1 letters (the mojibake of a mislabelled page)."""
    return len(_ODD.findall(text))


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def looks_misdecoded(text: str) -> bool:
    """True when decoded text shows U+FFFD or mojibake (Latin-1 letters, half-width kana,
    private use): the declared encoding was probably wrong."""
    return "\ufffd" in text or _oddity(text) > max(2, len(text) // 2000)


def guess_encoding(body: bytes) -> str:
    """The encoding of undeclared bytes: the strict decoding among UTF-8, CP932 and EUC-JP
    that looks most like Japanese text; charset-normalizer when none decodes strictly."""
    decoded: list[tuple[int, int, str]] = []
    for index, name in enumerate(_CANDIDATES):
        try:
            text = body.decode(name)
        except UnicodeDecodeError:
            continue
        if name == "utf-8":
            return name
        decoded.append((_oddity(text), index, name))
    if decoded:
        return min(decoded)[2]
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    return best.encoding if best else "utf-8"


def redecode(body: bytes, declared: str, text: str) -> str | None:
    """Text of ``body`` when its ``declared`` encoding lied (``text``, the declared decoding,
    shows U+FFFD or mojibake): the first of UTF-8, CP932 and EUC-JP that decodes strictly
    and reads better; None when none does."""
    if not looks_misdecoded(text):
        return None
    best: tuple[int, str] | None = None
    for name in _CANDIDATES:
        if codecs.lookup(name).name == codecs.lookup(declared).name:
            continue
        candidate = _strict(body, name)
        if candidate is None:
            continue
        score = _oddity(candidate)
        if score < _oddity(text) and (best is None or score < best[0]):
            best = (score, candidate)
    return best[1] if best else None


_UTF8 = codecs.lookup("utf-8").name
_SUSPECT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x80-\xff\ue000-\uf8ff\uff61-\uff9f\ufffd-\uffff]")
"""Any character :func:`looks_misdecoded` counts or :func:`~newscrawl.pages.tree.strip_controls`
drops (a page with one takes the slow path, which counts them)."""
_SUSPECT_EF = re.compile(
    rb"\xef(?:[\x80-\xa3]|\xbd[\xa1-\xbf]|\xbe[\x80-\x9f]|\xbf[\xbd-\xbf])")
"""The other suspects in UTF-8: U+F000 to U+F8FF, U+FF61 to U+FF9F, U+FFFD to U+FFFF (a
search that skips to each ``EF`` byte)."""
_CHAR_REF = re.compile(rb"&#")
"""A character reference (a regex: three times faster than ``in`` on a page's bytes)."""


def _has_suspects(body: bytes) -> bool:
    """True when valid UTF-8 ``body`` holds a character of :data:`_SUSPECT`, seen in its bytes:
    C searches for the control bytes and lead bytes, and one for the ``EF`` sequences (four
    times faster than a regex over the decoded text) from the first ``EF`` byte, found with
    ``memchr`` (most pages have none: the regex would read them byte by byte)."""
    first_ef = body.find(b"\xef")
    return (len(body.translate(None, CONTROL_BYTES)) != len(body)
            # the UTF-8 lead bytes of U+0080 to U+00FF and of U+E000 to U+EFFF
            or b"\xc2" in body or b"\xc3" in body or b"\xee" in body
            or (first_ef >= 0 and _SUSPECT_EF.search(body, first_ef) is not None))


def clean_markup(response: TextResponse) -> bytes | None:
    """The page as UTF-8 markup to parse directly, when the careful path (:func:`response_text`,
    then :func:`~newscrawl.pages.tree.strip_controls`) would change nothing in its text; else
    None. The text must hold no character reference (``&#``) and no character
    :func:`~newscrawl.pages.tree.strip_controls` drops or U+FFFD; when it holds enough odd
    ones for :func:`looks_misdecoded` (six ``©`` of photo credits on a replica page), no
    other encoding may read better (:func:`redecode`).

    A page declared UTF-8 is its body as it came, when that is valid and without a BOM. That
    is the common page: a crawl then skips the text's decoding for Scrapy, its mojibake count,
    its control-character search and its re-encoding (some 90 µs a page on the replica; this
    check costs about 20).

    A page in another declared encoding (Shift_JIS, EUC-JP) or none is decoded as the careful
    path decodes it (Scrapy's decoding, or the guess of :func:`guess_encoding`) and encoded
    once as UTF-8: the control search and a second encoding are skipped (some 100 µs a page
    of the replica's Shift_JIS and EUC-JP pages)."""
    declared = declared_encoding(response)
    try:
        utf8 = declared is not None and codecs.lookup(declared).name == _UTF8
    except LookupError:
        utf8 = False
    if utf8:
        data = response.body
        if data.startswith(codecs.BOM_UTF8):
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    else:
        text = response.text if declared else _guessed_text(response)  # as response_text
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (no decoder here makes one)
            return None
    if _CHAR_REF.search(data) is not None:
        return None
    if not _has_suspects(data):
        return data
    suspects = _SUSPECT.findall(text)
    if any(c < " " or c >= "\ufffd" for c in suspects):
        return None
    if declared and len(suspects) > max(2, len(text) // 2000):  # as looks_misdecoded counts
        try:
            if redecode(response.body, declared, text) is not None:
                return None
        except LookupError:  # an unknown label: response_text keeps the text
            pass
    return data


def response_text(response: TextResponse) -> str:
    """The response's text: Scrapy's decoding when an encoding is declared (unless that
    gives U+FFFD or mojibake and another decodes strictly, see :func:`redecode`), else a
    guess."""
    declared = declared_encoding(response)
    if declared:
        text = response.text
        try:
            fixed = redecode(response.body, declared, text)
        except LookupError:  # an unknown label
            fixed = None
        if fixed is not None:
            logger.debug("%s declares %s but is not: decoded strictly otherwise",
                         response.url, declared)
            return fixed
        return text
    return _guessed_text(response)


def _guessed_text(response: TextResponse) -> str:
    """The text of a response that declares no encoding, in the encoding
    :func:`guess_encoding` finds."""
    encoding = guess_encoding(response.body)
    if encoding == "utf-8":  # Scrapy infers UTF-8 too for a valid UTF-8 body, in one decoding
        return response.text
    # Not ``response.text``: Scrapy infers an undeclared encoding other than UTF-8 with
    # charset-normalizer, a millisecond a page.
    logger.debug("Undeclared encoding of %s guessed as %s", response.url, encoding)
    return response.body.decode(encoding, errors="replace")

"""Japanese news-page boilerplate, as data: one place for every pattern.

What a news page prints around (and inside) an article that is not the article:
related-headline lists (``・``/``▶``/``■`` lines, 【関連】), their headings (関連記事,
あわせて読みたい), 続きを読む and paywall lines (会員限定, 残り3032文字, 会員登録), 公開/更新
date lines, share and follow prompts, photo-credit forms (出典:, 写真：, ©), bylines
(（文・名前）, 記者：名前), ad labels (スポンサーリンク, [PR]), comment widgets, skip links,
page labels (この記事のポイント, タグ：…) and copyright lines.

Three users read the same data:

- scoring (:mod:`newscrawl.quality`): a body has boilerplate when one of its lines matches a
  :data:`BOILERPLATE` marker's ``pattern``;
- text cleaning (:func:`newscrawl.text.clean_body`): a whole line is removed when a marker with a
  ``clean_max`` matches it, the line is at most that long, and the marker's stricter ``clean``
  pattern (when it has one) matches too; so cleaning removes a subset of what scoring flags;
- the page parsers (:mod:`newscrawl.pages`): a block whose every line is boilerplate, or a line
  that opens with a ``link_line`` marker and is mostly link text, is not body text; the headings
  of link blocks, summary labels and byline forms are read from here too.

Patterns are matched on one line at a time, trimmed and with spaces collapsed
(:func:`newscrawl.text.normalize_space`), and only on lines of at most :data:`MAX_LINE` characters
(no pattern then costs more than a short line's scan, whatever the page).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_LINE = 200
"""Longest line the markers are tried on (boilerplate lines are short; a body paragraph that
mentions 会員登録 in passing is not boilerplate)."""


@dataclass(frozen=True)
class Marker:
    """A kind of boilerplate line: ``pattern`` is searched in each normalised line of a body
    (anchored with ``^``/``$`` where it must match a whole line or its start)."""

    name: str
    pattern: re.Pattern[str]
    clean_max: int = 0
    """Text cleaning removes a whole line that matches when it is at most this long; 0: the
    marker only scores (cleaning handles that kind itself, or it is too risky on text alone)."""
    clean: re.Pattern[str] | None = None
    """A stricter pattern the line must also match to be removed by cleaning."""
    link_line: bool = False
    """In the DOM, a line that opens with this and is mostly link text is a link line."""


_DATE = (r"\d{4}\s*[年./-]\s*\d{1,2}\s*[月./-]\s*\d{1,2}\s*日?(?:\s*[(（][^)）]{1,3}[)）])?"
         r"(?:\s*\d{1,2}\s*[:時]\s*\d{2}\s*分?)?")
_SHARE_WORD = r"(?:ツイート|ポスト|シェア|はてブ|LINE|Facebook|X|Pocket|URLをコピー)"
CREDIT_WORDS = (r"(?:写真提供|画像提供|写真出典|画像出典|出典|引用|写真|提供|画像|[Pp]hoto|PHOTO"
                r"|Source|Credit)")
"""The words that open a credit (出典:AFP通信, 写真=…, Photo: …), as a regex group; the credit
recogniser of :mod:`newscrawl.text` and the ``credit`` marker share it."""
_CREDIT_WORD = CREDIT_WORDS
AUTHOR_SUFFIXES = ("アクセス", "記者", "特派員", "編集委員")
"""Words after a name in a byline, dropped from its end (山下悠真 アクセス, 高橋美咲記者)."""
MODEL_LINK_HEADINGS: tuple[tuple[str, str], ...] = (
    ("こんな記事も読まれています", "related"),
    ("おすすめ", "recommend"),
    ("話題", "topics"),
    ("ランキング", "ranking"),
    ("関連記事", "inline"),
    ("最新", "latest"),
)
"""The modelled site's link-block headings → block names, for blocks without their class
(a titled 関連記事 box there sits inside the body: ``inline``)."""

RELATED_HEADINGS: tuple[str, ...] = (
    "関連記事", "関連ニュース", "関連リンク", "あわせて読みたい", "合わせて読みたい",
    "こんな記事も読まれています", "おすすめ記事", "おすすめニュース", "人気記事", "注目の記事",
    "話題のニュース", "アクセスランキング", "ランキング",
)
"""Headings of related-article blocks, as a whole line."""

SUMMARY_LABELS: tuple[str, ...] = (
    "この記事のポイント", "この記事の要点", "記事のポイント", "ポイント", "要点", "3行まとめ",
)
"""Labels printed above a summary (not summary lines themselves)."""

PAGE_LABELS: tuple[str, ...] = (
    *SUMMARY_LABELS[:2], "この記事を書いた人", "この記事が気に入ったら.*",
    "キーワード", "関連キーワード", "タグ", "カテゴリー?",
)
"""Labels of page furniture, as a whole line or before a colon (タグ：…)."""

SHARE_WORDS = frozenset((
    "シェア", "シェアする", "ツイート", "ポスト", "共有", "共有する", "Facebook", "X",
    "Twitter", "LINE", "はてな", "はてブ", "Pocket", "URLをコピー", "リンクをコピー",
    "コピー", "Share", "Tweet", "このページをシェア", "記事をシェア",
))
"""Words of share buttons: a line made only of them (``ツイート | シェア``) is a share bar."""

LINK_BLOCK_HEADINGS: tuple[tuple[str, str], ...] = (
    ("こんな記事も読まれています", "related"),
    ("こんな記事も読んでいます", "related"),
    ("おすすめ", "recommend"),
    ("トピック", "topics"),
    ("話題", "topics"),
    ("人気", "topics"),
    ("注目", "recommend"),
    ("ピックアップ", "recommend"),
    ("ランキング", "ranking"),
    ("関連", "related"),
    ("あわせて読みたい", "related"),
    ("合わせて読みたい", "related"),
    ("最新", "latest"),
)
"""A link block's heading (a substring of it, first match wins) → the block's name."""

BYLINES: tuple[re.Pattern[str], ...] = tuple(re.compile(p) for p in (
    # （文・名前）, （取材・文＝名前）
    r"^[(（［\[]\s*(?:文|取材・文|文・写真|執筆)\s*[:：・／/=＝]\s*(?P<names>[^)）］\]]{1,60})[)）］\]]$",
    # 記者：名前, 投稿者：名前（mail）
    r"^(?:記者|投稿者|執筆者|文|筆者|著者)\s*[:：]\s*(?P<names>[^(（\[［]{1,60})",
    # ［名前，媒体名］
    r"^[［\[](?P<names>[^］\]，,]{1,40})[，,][^］\]]{1,40}[］\]]$",
    # （名前記者 mail）
    r"^[(（](?P<names>[^)）]{1,40}?)\s*記者(?:\s[^)）]*)?[)）]$",
))
"""Byline forms around author names (group ``names``): the visible-text source of ``authors``."""


AUTHOR_LABELS: tuple[str, ...] = (
    "この記事を書いた人", "この記事の筆者", "この記事の執筆者", "執筆者", "筆者", "著者",
    "ライター", "記者",
)
"""Labels of an author box: the names are the box's links (or lines) after the label."""

COMMENT_COUNT = re.compile(
    r"^(?:この記事への)?コメント\s*[(（]?\s*(?P<count>\d+)\s*件?\s*[)）]?$")
"""A visible comment count: コメント3, コメント(3), コメント 3件, この記事へのコメント（3件）."""

MODIFIED_WORDS = ("最終更新", "更新")
"""Words that mark a date as the modified time (before it, or right after it: （… 更新）)."""


def _words(words: Iterable[str]) -> str:
    return "|".join(words)


BOILERPLATE: tuple[Marker, ...] = (
    # a line that is only a date, with 公開/更新/配信 words around it
    Marker("dateline", re.compile(
        r"^[»>＞]?\s*(?:(?:公開|更新|配信|掲載|最終更新|投稿)(?:日|日時)?\s*[:：]?\s*)?"
        + _DATE + r"\s*(?:公開|更新|配信|掲載)?\s*(?:[(（][^)）]{0,40}[)）])?$"), clean_max=80),
    # related-headline lists and link lines: ・ ▶ ■ … or 【関連】 at the start of a line
    Marker("list_marker", re.compile(r"^(?:[・▶▷►▸■□◆◇★☆»→⇒]|【関連(?:記事|ニュース)?】)"),
           link_line=True),
    Marker("related_heading", re.compile(
        r"^[【\[［]?(?:" + _words(RELATED_HEADINGS) + r")[】\]］]?$"), clean_max=30),
    Marker("read_more", re.compile(r"続きを読む|続きをみる|記事全文を読む|全文を読む|全文を表示"
                                   r"|もっと見る|次のページへ"), clean_max=20),
    Marker("paywall", re.compile(
        r"会員限定|有料会員|会員登録|ログインすると|ログインして|残り\s*\d[\d,]*\s*文字"),
        clean_max=60, clean=re.compile(
        r"^[【\[［(（]?(?:(?:この|本)記事は)?(?:有料)?会員限定|残り\s*\d[\d,]*\s*文字"
        r"|^(?:無料)?会員登録|^(?:有料会員|ログイン)(?:に|を|して|すると|する)")),
    Marker("share_prompt", re.compile(
        r"シェアする|シェアしよう|フォローする|フォローしよう|をフォロー"
        r"|ツイートする|LINEで送る|友だち追加|はてなブックマーク|Follow\s+@"
        rf"|^{_SHARE_WORD}(?:\s*[|｜]?\s*{_SHARE_WORD})*$"), clean_max=30),
    Marker("credit", re.compile(rf"^[【\[［(（]?\s*(?:{_CREDIT_WORD}\s*[:：=＝／/]|©|Ⓒ|\([cC]\))")),
    Marker("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    Marker("byline", re.compile(
        r"^[(（［\[]\s*(?:文|取材・文|文・写真|記者|執筆)\s*[:：・／/=＝]"
        r"|^(?:記者|投稿者|執筆者|文)\s*[:：]"
        r"|^[(（［\[][^)）］\]]{1,40}記者[^)）］\]]{0,40}[)）］\]]$"), clean_max=60),
    Marker("ad_label", re.compile(
        r"^(?:スポンサーリンク|スポンサードリンク|広告|PR|\[PR\]|【PR】|Advertisement|AD)(?:\s|$)"),
        clean_max=40, link_line=True),
    Marker("comment_widget", re.compile(
        r"^コメント\s*[(（]?\s*\d*\s*件?\s*[)）]?$|^\d+\s*/\s*\d{3,4}$"
        r"|コメントを(?:書く|入力|投稿|送信)|この記事へのコメント"), clean_max=30),
    Marker("skip_link", re.compile(r"(?:メイン(?:メニュー|コンテンツ)|本文|コンテンツ)へスキップ")),
    Marker("page_label", re.compile(
        r"^[【\[]?(?:" + _words(PAGE_LABELS) + r")[】\]]?(?:\s*[:：].*)?$"), clean_max=80),
    # ``^(?:Copyright\b|\(C\)\s|©)|All [Rr]ights [Rr]eserved``, written so that each branch
    # opens with a letter (``(?<=^C)``: that letter opened the line): the regex engine then
    # skips to those letters instead of trying both branches at every place of a line.
    Marker("copyright", re.compile(
        r"C(?<=^C)opyright\b|\((?<=^\()C\)\s|©(?<=^©)|All [Rr]ights [Rr]eserved"),
           clean_max=100, clean=re.compile(r"^(?:Copyright\b|\(C\)\s)|All [Rr]ights [Rr]eserved")),
)
"""Japanese boilerplate line patterns, by name, the more specific first (a line is named after
the first that matches). A body with a line that matches one has boilerplate; the true bodies
of the replica match none (``tests/test_quality.py``)."""

CLEANED = tuple(m for m in BOILERPLATE if m.clean_max)
"""The markers text cleaning applies."""
LINK_LINES = tuple(m for m in BOILERPLATE if m.link_line)
"""The markers that open a link line."""

# -- the forms clean_body already removes (kinds of its own) ----------------------------------

DATELINE = re.compile(
    r"^(?:公開|更新|配信)?[::]?\s*\d{4}(?:年\s*\d{1,2}月\s*\d{1,2}日|[./-]\d{1,2}[./-]\d{1,2})"
    r"\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:[((/]?\s*(?:更新|最終更新)[::]?\s*[^))]*[))]?)?$"
)
"""A line that is only the page's date line (``2025年12月12日 09:10``, ``2025.12.12 09:10``,
with ``(更新 …)``)."""
SKIP_LINK = re.compile(
    r"メイン(?:メニュー|コンテンツ)へスキップ(?:\s*[(（][上下]段[)）])?|本文へスキップ|コンテンツへスキップ"
)
"""Skip links (removed from wherever they sit in a line)."""
WIDGET = re.compile(
    r"^(?:コメント\s*\d*(?:件)?|\d+\s*/\s*\d{3,4}|300|コメントを(?:書く|入力|投稿)(?:する)?)$"
)
"""Comment-widget text as a whole line (コメント0, 0 / 300)."""
RELATED = re.compile(r"^[【\[]?関連記事[】\]]?(?:\s*[:：>＞»].*)?$")
"""A 関連記事 line (alone, or before a colon or arrow)."""


def marker_of(line: str, markers: Iterable[Marker] = BOILERPLATE) -> str | None:
    """The name of the first marker that matches ``line`` (normalised), or None; lines longer
    than :data:`MAX_LINE` are never boilerplate."""
    if len(line) > MAX_LINE:
        return None
    for marker in markers:
        if marker.pattern.search(line):
            return marker.name
    return None


_CLEANED_BY_LENGTH = tuple(tuple(m for m in CLEANED if length <= m.clean_max)
                           for length in range(max(m.clean_max for m in CLEANED) + 1))
"""The markers that may remove a line, by the line's length (each has a longest line)."""


def cleanable(line: str) -> str | None:
    """The marker under which text cleaning removes the whole ``line`` (normalised), or None."""
    if len(line) >= len(_CLEANED_BY_LENGTH):
        return None
    for marker in _CLEANED_BY_LENGTH[len(line)]:
        if marker.pattern.search(line) and (marker.clean is None or marker.clean.search(line)):
            return marker.name
    return None


_SHARE_LOWER = frozenset(w.lower() for w in SHARE_WORDS if w.isascii())
_SHARE_INITIALS = frozenset(w[0] for w in SHARE_WORDS | _SHARE_LOWER)
_BRACKETS = "[]［］【】()（）<>＜＞"
_LEAD = re.compile(rf"[\s|｜{re.escape(_BRACKETS)}]*")
"""What may come before a line's first share word: spaces, bars and brackets (``\\s`` is
``str.split``'s space)."""


def _share_word(word: str) -> bool:
    return (w := word.strip(_BRACKETS)) in SHARE_WORDS or w.lower() in _SHARE_LOWER


def is_share_line(line: str) -> bool:
    """A line made only of share-button words (``ツイート | シェア``, ``[ツイート] [シェア]``).
    A line of prose fails on its first letter, which no share word starts with."""
    lead = _LEAD.match(line)
    start = lead.end() if lead else 0
    first = line[start:start + 1]
    if not first or (first not in _SHARE_INITIALS and first.lower()[:1] not in _SHARE_INITIALS):
        return False
    return all(_share_word(word) for word in line.replace("|", " ").replace("｜", " ").split())


def opens_link_line(line: str) -> bool:
    """True when ``line`` opens with a link-line marker (``・``, ``▶``, 【関連】, [PR], …)."""
    return len(line) <= MAX_LINE and any(m.pattern.search(line) for m in LINK_LINES)


def link_block_name(heading: str) -> str | None:
    """The block name a link block's heading gives (see :data:`LINK_BLOCK_HEADINGS`)."""
    return next((name for key, name in LINK_BLOCK_HEADINGS if key in heading), None)


def is_summary_label(line: str) -> bool:
    """A label printed above summary lines (【この記事のポイント】, 要点:)."""
    core = line.strip(" 【】[]［］<>《》■□◆●:：")
    return core in SUMMARY_LABELS

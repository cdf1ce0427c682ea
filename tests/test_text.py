"""Unit tests of the pure text functions."""

from __future__ import annotations

import random
import re

import pytest

from newscrawl.text import (
    REMOVED_KINDS,
    _remove_emails,
    clean_body,
    normalize_space,
    parse_credit,
    parse_jp_datetime,
    split_authors,
    split_inline_credit,
)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("出典:AFP通信", "AFP通信"),
        ("出典：ロイター通信", "ロイター通信"),
        ("引用:ニューシス", "ニューシス"),
        ("写真=聯合ニュース", "聯合ニュース"),
        ("提供:現代自動車", "現代自動車"),
        ("画像:SNS", "SNS"),
        ("©記者撮影", "記者撮影"),
        ("© ゲッティイメージズ", "ゲッティイメージズ"),
        ("Photo: オンラインコミュニティ", "オンラインコミュニティ"),
        ("【引用:トヨタ】", "トヨタ"),
        ("写真は駅前の様子", None),
        ("今日は晴れた。", None),
        ("", None),
    ],
)
def test_parse_credit(text: str, name: str | None) -> None:
    assert parse_credit(text) == name


def test_split_inline_credit() -> None:
    assert split_inline_credit("【引用:トヨタ】新型車が出た。") == ("トヨタ", "新型車が出た。")
    assert split_inline_credit("普通の段落。") == (None, "普通の段落。")


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("梶原圭介・織田昌大", ["梶原圭介", "織田昌大"]),
        ("山下悠真 アクセス", ["山下悠真"]),
        ("高橋美咲記者、中川大輔", ["高橋美咲", "中川大輔"]),
        ("佐野朋美 / 森本健太, 青木里奈", ["佐野朋美", "森本健太", "青木里奈"]),
        ("", []),
    ],
)
def test_split_authors(text: str, names: list[str]) -> None:
    assert split_authors(text) == names


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2025年12月12日 09:10", "2025-12-12T09:10:00+09:00"),
        ("2025.12.12 09:10", "2025-12-12T09:10:00+09:00"),
        ("2025-12-12T09:10:00+09:00", "2025-12-12T09:10:00+09:00"),
        ("2025-12-12T00:10:00Z", "2025-12-12T09:10:00+09:00"),
        ("2025/12/12 9:10", "2025-12-12T09:10:00+09:00"),
        ("(更新 2025年12月12日 11:02)", "2025-12-12T11:02:00+09:00"),
        ("２０２５年１２月１２日　９時１０分", "2025-12-12T09:10:00+09:00"),
        ("2025年2月30日 09:00", None),
        ("日付なし", None),
        ("2025-12-12T09:10", "2025-12-12T09:10:00+09:00"),
        ("2025-12-12T09:10:00-05:30", "2025-12-12T23:40:00+09:00"),
        ("0001-01-01T00:00:00+14:00", None),  # before year 1 in UTC: no date, not an error
        ("9999-12-31T23:00:00+00:00", None),  # after 9999 in Japan time
        ("2025-12-12T09:10:00.250+09:00", "2025-12-12T09:10:00+09:00"),
        ("2025-02-30T09:10:00+09:00", None),
        ("2025-12-12T09:10:00+24:00", None),  # no such offset: no date, not an error
        ("2025-12-12T09:10:00+23:60", None),
        ("２０２５-１２-１２T０９:１０:００+０９:００", "2025-12-12T09:10:00+09:00"),
    ],
)
def test_parse_jp_datetime(text: str, iso: str | None) -> None:
    assert parse_jp_datetime(text) == iso


def test_an_iso_stamp_reads_as_through_the_general_path() -> None:
    """A bare ISO 8601 stamp takes a shortcut (``datetime.fromisoformat``); with a space in
    front it takes the general path (the regexes): the answers must agree, on good and
    impossible stamps alike."""
    stamps = [f"{day}T{time}{offset}"
              for day in ("2024-02-29", "2025-02-29", "2025-12-31", "2025-13-01", "0001-01-01")
              for time in ("00:00", "23:59:59", "24:00", "12:60", "23:59:60", "09:10:05")
              for offset in ("", "Z", "+09:00", "-23:59", "+14:00", "+24:00", "-00:30")]
    for stamp in stamps:
        assert parse_jp_datetime(stamp) == parse_jp_datetime(f" {stamp}"), stamp
    assert parse_jp_datetime(" 2025-12-31T23:59:59-23:59") == "2026-01-02T08:58:59+09:00"


def test_parse_jp_datetime_require_time() -> None:
    assert parse_jp_datetime("2025年12月12日", require_time=True) is None
    assert parse_jp_datetime("2025年12月12日") == "2025-12-12T00:00:00+09:00"


def test_normalize_space() -> None:
    assert normalize_space("\u3000 a\xa0\xa0b\u200bc \n d ") == "a bc d"
    assert normalize_space("全角\u3000空白") == "全角\u3000空白"


@pytest.mark.parametrize("space", [" ", "\t", "\r", "\n", "\f", "\v", "\xa0", "\u2028", "\u2029",
                                   "  ", " \n ", "\xa0\u3000"])
def test_normalize_space_makes_each_space_one(space: str) -> None:
    expected = "前 \u3000後" if "\u3000" in space else "前 後"
    assert normalize_space(f"\u3000{space}前{space}後{space}") == expected


@pytest.mark.parametrize(("inside", "becomes"), [
    (" ", " "), ("  ", " "), ("\t", " "), ("\xa0", " "), ("\xa0 \t", " "), ("\u200b", ""),
    ("\ufeff", ""), ("&amp;", "&"), ("&nbsp;", " "), ("\u3000", "\u3000"),
])
def test_clean_body_normalises_each_line(inside: str, becomes: str) -> None:
    """Entities unescaped, zero-width characters dropped, space runs (NBSP, tab) one space;
    an ideographic space inside a line is kept, and one opening it is an indent, dropped."""
    assert clean_body(f"\u3000港{inside}町 ").body == f"港{becomes}町"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_normalize_space_drops_zero_width_characters(invisible: str) -> None:
    assert normalize_space(f"前{invisible}後 ") == "前後"


def test_clean_body_removes_everything_listed() -> None:
    text = "\n".join([
        "メインメニューへスキップ(上段) メインコンテンツへスキップ メインメニューへスキップ(下段)",
        "\u3000朝の公園で体操&amp;散歩をする人が増えた。",
        "出典:AFP通信",
        "出典：AFP通信",
        "【引用:トヨタ】新しい車の発表会が開かれた。",
        "シェア ツイート LINE",
        "関連記事",
        "同じ行。",
        "同じ行。",
        "梶原圭介",
        "CP-2023-0188@fastviewkorea.com",
        "コメント0",
        "0 / 300",
        "0/300",
        "300",
        "コメント",
    ])
    result = clean_body(text)
    assert result.body.split("\n") == [
        "朝の公園で体操&散歩をする人が増えた。", "新しい車の発表会が開かれた。", "同じ行。"
    ]
    assert result.credits == ["AFP通信", "トヨタ"]
    assert result.removed["credit"] == 3
    assert result.removed["skip_link"] == 1
    assert result.removed["widget"] == 5
    assert result.removed["reporter"] == 1
    assert result.removed["email"] == 1
    assert result.removed["duplicate"] == 1
    assert result.removed["related"] == 1
    assert result.removed["share"] == 1
    assert set(REMOVED_KINDS) <= set(result.removed)


@pytest.mark.parametrize(
    "line",
    ["森本健太 morimoto.k@fastviewkorea.com", "森本健太記者 (morimoto.k@fastviewkorea.com)"],
)
def test_clean_body_reporter_line(line: str) -> None:
    assert clean_body(f"本文です。\n{line}").body == "本文です。"


def test_clean_body_reporter_at_end_of_last_paragraph() -> None:
    result = clean_body("最後の段落だ。森本健太 morimoto.k@fastviewkorea.com")
    assert result.body == "最後の段落だ。"
    assert result.removed["reporter"] == 1


def test_clean_body_email_inside_text() -> None:
    assert clean_body("問い合わせは info@example.com まで。").body == "問い合わせは まで。"


def test_clean_body_whitespace_and_zero_width() -> None:
    text = "　字下げ\u200bの段落\ufeff。\n\n  A\xa0\xa0B   C  \n\u2060"
    assert clean_body(text).body == "字下げの段落。\nA B C"


def test_clean_body_keeps_width_unless_nfkc() -> None:
    text = "ＡＢＣ１２３ｶﾀｶﾅ"
    assert clean_body(text).body == text
    assert clean_body(text, nfkc=True).body == "ABC123カタカナ"


def test_clean_body_credit_line_repeated_in_one_line() -> None:
    result = clean_body("出典:ロイター通信 出典:ロイター通信\n本文。")
    assert result.body == "本文。"
    assert result.credits == ["ロイター通信"]


@pytest.mark.parametrize(("line", "credits"), [
    ("【 出典 : 聯合ニュース 】", ["聯合ニュース"]),
    ("\u3000出典:AFP通信", ["AFP通信"]),  # an ideographic indent
    ("&amp;#20986;典:AFP通信", ["AFP通信"]),  # escaped twice: 出典 once unescaped twice
    ("(c)ABC 写真=共同", ["ABC", "共同"]),
    ("本文の中の 出典:AFP通信", []),  # not opening as a credit: a paragraph
])
def test_clean_body_credit_lines_by_how_they_open(line: str, credits: list[str]) -> None:
    result = clean_body(f"本文。\n{line}")
    assert result.credits == credits
    assert result.body == ("本文。" if credits else f"本文。\n{line}")


def test_clean_body_empty() -> None:
    result = clean_body("")
    assert result.body == ""
    assert result.credits == []


def test_a_repeated_paragraph_with_a_line_break_is_collapsed() -> None:
    text = "一行目。\n二行目。\n一行目。\n二行目。\n次の段落。"
    result = clean_body(text)
    assert result.body == "一行目。\n二行目。\n次の段落。"
    assert result.removed["duplicate"] == 2


def test_lines_repeated_apart_are_kept() -> None:
    text = "同じ文。\n別の文。\n三つ目。\n同じ文。"
    assert clean_body(text).body == text


@pytest.mark.parametrize("line", [
    "2025年12月10日 21:23",
    "2025.12.12 09:10",
    "2025.12.12 09:10 (更新 2025.12.12 11:02)",
    "2025年12月12日 09:10(更新 2025年12月12日 11:02)",
])
def test_a_bare_date_line_is_not_body_text(line: str) -> None:
    result = clean_body(f"{line}\n本文の段落。")
    assert result.body == "本文の段落。"
    assert result.removed["dateline"] == 1


@pytest.mark.parametrize("line", ["2025年12月10日、政府が発表した。",
                                  "2025年は12月10日から始まる。"])
def test_a_sentence_with_a_date_is_kept(line: str) -> None:
    assert clean_body(line).body == line


# --- hostile text: the same answers as the plain patterns, in linear time --------------------

#: The patterns text.py used before they were made linear: an independent oracle for the
#: rewritten matchers (Python's own ``re`` on the original expressions).
_REFERENCE_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_REFERENCE_AUTHOR_SPLIT = re.compile(r"\s*[・、,，/／&＆]\s*|\s+and\s+")
_REFERENCE_AUTHOR_SUFFIX = re.compile(r"(?:\s*(?:アクセス|記者|特派員|編集委員))+$")


def _random_texts(pieces: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
            for _ in range(count)]


def test_email_removal_equals_the_plain_pattern() -> None:
    pieces = ["a", "b.", "+", "-", "_", "@", "@", ".jp", " ", "\u3000", "あ", "x-y", ".", "..."]
    for text in _random_texts(pieces, 50000, seed=3):
        assert _remove_emails(text) == _REFERENCE_EMAIL.subn("", text), text


def test_author_splitting_equals_the_plain_patterns() -> None:
    pieces = [" ", "\u3000", "\u2003", "・", "、", ",", "/", "&", "and", " and ", "アクセス",
              "記者", "特派員", "山", "田", "x", "a", "n", "d"]
    for text in _random_texts(pieces, 20000, seed=5):
        flat = normalize_space(text)
        expected: list[str] = []
        for part in _REFERENCE_AUTHOR_SPLIT.split(_REFERENCE_AUTHOR_SUFFIX.sub("", flat)):
            name = _REFERENCE_AUTHOR_SUFFIX.sub(
                "", re.sub(r"^(?:[Bb]y\s+|文\s*[:：=]\s*|記者\s*[:：]\s*)", "", part.strip())
            ).strip(" \u3000")
            if name and name not in expected:
                expected.append(name)
        assert split_authors(text) == expected, text


@pytest.mark.parametrize("text", [
    "あ" * 300_000 + " @",                       # a long word run before a lone @
    "x" * 300_000 + "@example",                  # a local part with no domain
    "名前" + "\u3000" * 300_000 + "本文",          # a long run of ideographic spaces
    "記者" * 100_000 + "の話",                      # byline words repeated, not at the end
])
def test_long_hostile_lines_are_cleaned(text: str) -> None:
    """Each of these took minutes with the plain patterns (quadratic in the run's length)."""
    result = clean_body(text)
    assert result.body == normalize_space(text).lstrip("\u3000")
    assert split_authors(text)

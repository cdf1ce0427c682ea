"""The Japanese boilerplate data (``newscrawl.boilerplate``): one list for scoring, cleaning and
the parsers; cleaning removes a subset of what scoring flags, and never an article sentence."""

from __future__ import annotations

import random
import re

import pytest

from newscrawl.boilerplate import (
    BOILERPLATE,
    BYLINES,
    CLEANED,
    cleanable,
    is_share_line,
    is_summary_label,
    link_block_name,
    marker_of,
    opens_link_line,
)
from newscrawl.demosite.truth import iter_truth
from newscrawl.text import clean_body

FURNITURE = [
    ("» 2024年03月05日 18時20分 公開", "dateline"),
    ("最終更新：2024年3月6日 9:00", "dateline"),
    ("あわせて読みたい", "related_heading"),
    ("続きを読む", "read_more"),
    ("会員登録（無料）で、港町の特集を毎週お届けします。", "paywall"),
    ("この記事は有料会員限定です", "paywall"),
    ("残り1,250文字", "paywall"),
    ("この記事をシェアする", "share_prompt"),
    ("公式アカウントをフォローしよう", "share_prompt"),
    ("（文・杉本遥）", "byline"),
    ("記者：杉本遥", "byline"),
    ("スポンサーリンク", "ad_label"),
    ("[PR] 冬の港町フェア開催中", "ad_label"),
    ("この記事へのコメント（4件）", "comment_widget"),
    ("この記事のポイント", "page_label"),
    ("キーワード：朝市 港町", "page_label"),
    ("Copyright (C) Harbor Press All Rights Reserved.", "copyright"),
]

SENTENCES = [
    "写真展は来月まで市民ホールで開かれる。",
    "同社は有料会員向けのサービスを来春から拡充すると発表した。",
    "会場では続きを読むのが待ちきれないという声も聞かれた。",
    "市長は記者団の質問に答え、コメントを控えた。",
    "広告業界では、港町を舞台にした新しい企画が話題を集めている。",
    "PR会社の担当者が新しい計画を説明した。",
    "フォローアップの会合は来週に予定されている。",
    "キム・ハナ選手は「次も勝ちたい」と語った。",
]


@pytest.mark.parametrize(("line", "marker"), FURNITURE)
def test_cleaning_removes_whole_boilerplate_lines(line: str, marker: str) -> None:
    assert cleanable(line) == marker
    assert marker_of(line) == marker
    result = clean_body(f"{SENTENCES[0]}\n{line}\n{SENTENCES[1]}")
    assert result.body.split("\n") == SENTENCES[:2]
    assert result.removed["boilerplate"] == 1


@pytest.mark.parametrize("line", SENTENCES)
def test_cleaning_keeps_article_sentences(line: str) -> None:
    assert cleanable(line) is None
    assert clean_body(line).body == line


def test_cleaning_removes_a_subset_of_what_scoring_flags() -> None:
    """Every cleaning marker is a scoring marker with a length cap (and maybe a stricter
    pattern): a line cleaning removes is one scoring flags under the same name."""
    assert {m.name for m in CLEANED} <= {m.name for m in BOILERPLATE}
    lines = [line for line, _ in FURNITURE] + SENTENCES + [
        "会員登録の手続きは来月から簡単になる、と市は説明した。", "© AFP", "写真：市役所"]
    for line in lines:
        name = cleanable(line)
        if name is not None:
            assert marker_of(line) == name, line
    long_line = "会員登録" + "あ" * 100
    assert marker_of(long_line) == "paywall" and cleanable(long_line) is None


def test_the_replica_truth_has_no_line_that_cleaning_removes() -> None:
    for record in iter_truth(400, 2, 0, "http://127.0.0.1:8765/ja/", themes="mix"):
        for line in str(record["body"]).split("\n"):
            assert cleanable(line) is None, (record["article_id"], line)


def test_share_bars_and_link_lines() -> None:
    assert is_share_line("[ツイート] [シェア]") and is_share_line("ポスト | LINE")
    assert is_share_line("｜\u3000ツイート｜シェア ") and is_share_line("| share |")
    assert is_share_line("【【シェア】】 Tweet") and is_share_line("SHARE | TWEET | (X)")
    assert not is_share_line("シェアの拡大を目指す。")
    assert not is_share_line("ツイート 本文") and not is_share_line(" | ｜ ")
    assert opens_link_line("・港の朝市、今年は三日間") and opens_link_line("[PR] 冬のセール")
    assert opens_link_line("【関連】山あいの温泉街") and not opens_link_line("港の朝市が開かれた。")


def test_labels_and_link_block_headings() -> None:
    assert is_summary_label("【この記事の要点】") and is_summary_label("この記事のポイント")
    assert not is_summary_label("朝市のポイントは鮮度だ")
    assert link_block_name("いま話題の記事") == "topics"
    assert link_block_name("編集部のおすすめ") == "recommend"
    assert link_block_name("この記事を読んだ人はこんな記事も読んでいます") == "related"
    assert link_block_name("■関連ニュース") == "related"
    assert link_block_name("カテゴリー") is None


@pytest.mark.parametrize(("line", "names"), [
    ("（文・杉本遥・小林航）", "杉本遥・小林航"),
    ("記者：杉本遥", "杉本遥"),
    ("投稿者：杉本遥（sugimoto@example.jp）", "杉本遥"),
    ("［杉本遥，ハーバー通信］", "杉本遥"),
    ("（杉本遥記者 sugimoto@example.jp）", "杉本遥"),
])
def test_byline_forms(line: str, names: str) -> None:
    match = next(m for pattern in BYLINES if (m := pattern.match(line)))
    assert match["names"].strip() == names


@pytest.mark.parametrize("line", ["[PR]", "［速報］", "（2024年3月5日）",
                                  "記者会見は午後に開かれた。"])
def test_not_bylines(line: str) -> None:
    assert not any(pattern.match(line) for pattern in BYLINES)



@pytest.mark.parametrize(("words", "marker", "longest"), [
    ("続きを読む", "read_more", 20), ("シェアする", "share_prompt", 30),
    ("All Rights Reserved", "copyright", 100),
])
def test_a_marker_cleans_lines_up_to_its_longest_only(words: str, marker: str,
                                                      longest: int) -> None:
    line = "あ" * (longest - len(words)) + words
    assert cleanable(line) == marker
    assert cleanable("あ" + line) is None


def test_the_copyright_marker_matches_what_its_plain_form_matches() -> None:
    """The marker's pattern is written for speed; it finds a line exactly when the plain form
    ``^(?:Copyright\\b|\\(C\\)\\s|©)|All [Rr]ights [Rr]eserved`` does."""
    plain = re.compile(r"^(?:Copyright\b|\(C\)\s|©)|All [Rr]ights [Rr]eserved")
    marker = next(m for m in BOILERPLATE if m.name == "copyright")
    pieces = ["Copyright", "Copyrights", "(C) ", "(C)", "(C)\t", "©", "All Rights Reserved",
              "All rights reserved", "all Rights", "C", "A", "(", " ", "x", "本文", "写真"]
    rng = random.Random(7)
    lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
             for _ in range(20000)]
    assert sum(bool(plain.search(line)) for line in lines) > 5000  # both kinds of answer
    assert [line for line in lines
            if bool(marker.pattern.search(line)) != bool(plain.search(line))] == []

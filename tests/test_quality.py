"""Extraction-quality scoring (``newscrawl.quality``) on small hand-made texts and folders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from newscrawl.demosite.__main__ import main as demosite_main
from newscrawl.demosite.truth import iter_truth
from newscrawl.quality import (
    BOILERPLATE,
    Extracted,
    Marker,
    SavedPage,
    bigram_f1,
    boilerplate,
    exact_match,
    field_equal,
    has_boilerplate,
    main,
    normalize_body,
    score_folder,
)

BODY = "川沿いの古い倉庫が、週末だけの市場に生まれ変わった。\n出店者の多くは近くの農家だという。"


def test_bigram_f1_counts_shared_character_pairs() -> None:
    assert bigram_f1(BODY, BODY) == 1.0
    assert bigram_f1("あいう", "あいえ") == 0.5  # {あい, いう} vs {あい, いえ}: 2·1 / (2 + 2)
    assert bigram_f1("ああああ", "ああ") == 0.5  # a multiset: 3 × ああ against 1
    assert bigram_f1("", "") == 1.0
    assert bigram_f1(None, BODY) == 0.0 and bigram_f1(BODY, "") == 0.0
    assert bigram_f1("猫", "猫") == 1.0 and bigram_f1("猫", "犬") == 0.0


def test_bigram_f1_ignores_how_whitespace_is_laid_out() -> None:
    relaid = ("\u3000川沿いの古い倉庫が、週末だけの市場に生まれ変わった。 \n\n"
              " 出店者の多くは近くの農家だという。")
    assert bigram_f1(relaid, BODY) == 1.0
    assert bigram_f1(BODY.replace("\n", " "), BODY) == 1.0
    with_junk = BODY + "\n・駅前に新しい図書館、来春オープンへ"
    assert 0.5 < bigram_f1(with_junk, BODY) < 1.0
    assert bigram_f1(BODY.split("\n")[0], BODY) < bigram_f1(BODY, BODY)


def test_exact_match_after_the_truths_normalisation() -> None:
    messy = ("\u3000川沿いの古い倉庫が、週末だけの\u200b市場に生まれ変わった。  \n\n"
             "出店者の多くは\xa0近くの農家だという。\n")
    assert normalize_body(messy) == BODY.replace("近くの", " 近くの")
    assert exact_match(messy.replace("\xa0", ""), BODY)
    assert not exact_match(messy, BODY)  # NBSP between words stays a space
    assert not exact_match(BODY.replace("\n", ""), BODY)  # the line break matters
    assert not exact_match(BODY[:-1], BODY)
    assert not exact_match(None, BODY) and exact_match(None, "")


@pytest.mark.parametrize(("line", "marker"), [
    ("・駅前に新しい図書館、来春オープンへ", "list_marker"),
    ("▶ 港の朝市、今年は三日間", "list_marker"),
    ("■編集部のおすすめ", "list_marker"),
    ("【関連】山あいの温泉街に若い移住者", "list_marker"),
    ("あわせて読みたい", "related_heading"),
    ("続きを読む", "read_more"),
    ("この記事は会員限定です", "paywall"),
    ("残り1,250文字", "paywall"),
    ("» 2019年02月22日 14時30分 公開", "dateline"),
    ("2024.03.05 18:20 (更新 2024.03.06 09:00)", "dateline"),
    ("最終更新：2024年3月6日 9:00", "dateline"),
    ("公開日 2024/03/05", "dateline"),
    ("この記事をシェアする", "share_prompt"),
    ("ツイート シェア LINE", "share_prompt"),
    ("公式アカウントをフォローする", "share_prompt"),
    ("写真：地元の観光協会", "credit"),
    ("【写真提供=市役所】", "credit"),
    ("©港まつり実行委員会", "credit"),
    ("問い合わせは info@harbor-festa.example.jp まで", "email"),
    ("（文・杉本遥）", "byline"),
    ("記者：杉本遥", "byline"),
    ("スポンサーリンク", "ad_label"),
    ("[PR] 冬のセール開催中", "ad_label"),
    ("コメント(3)", "comment_widget"),
    ("0 / 300", "comment_widget"),
    ("本文へスキップ", "skip_link"),
    ("この記事のポイント", "page_label"),
    ("タグ：朝市 港町", "page_label"),
    ("Copyright 2024 Harbor Press. All Rights Reserved.", "copyright"),
])
def test_boilerplate_markers(line: str, marker: str) -> None:
    assert boilerplate(f"{BODY}\n{line}") == [(marker, line)]
    assert has_boilerplate(line)


@pytest.mark.parametrize("line", [
    "写真展は来月まで市民ホールで開かれる。",
    "2024年の来場者は過去最高だった。",
    "市長は記者団の質問に答え、コメントを控えた。",
    "フォローアップの会合は来週に予定されている。",
    "PR会社の担当者が新しい計画を説明した。",
    "(追記)主催者はその後、開催時間の延長を発表した。",
    "関連する取り組みは「海の日プロジェクト」と呼ばれている。",
    "「続きは来年に」と実行委員長は話した。",
    "キム・ハナ選手は「次も勝ちたい」と語った。",
])
def test_article_sentences_are_not_boilerplate(line: str) -> None:
    assert boilerplate(line) == []


def test_the_replica_truth_has_no_boilerplate() -> None:
    """The markers never fire on true bodies: a page scored with boilerplate has some."""
    for seed in (0, 1):
        for record in iter_truth(500, seed, 1, "http://127.0.0.1:8765/ja/"):
            assert boilerplate(str(record["body"])) == [], record["article_id"]


def test_markers_are_data() -> None:
    assert len({m.name for m in BOILERPLATE}) == len(BOILERPLATE)
    dogs = [Marker("dog", re.compile("犬"))]
    assert boilerplate("猫が鳴いた。\n犬が走った。", dogs) == [("dog", "犬が走った。")]
    assert boilerplate("・犬", dogs) == [("dog", "・犬")]


def _page(body_html: str) -> bytes:
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>港の朝市</title>'
            f"</head><body><main><h1>港の朝市</h1>{body_html}</main></body></html>").encode()


def _folder(tmp: Path) -> Path:
    pages = {
        "101": (BODY, "a"),
        "102": ("朝市は毎週日曜に開かれる。\n雨の日は倉庫の中で続けるという。", "a"),
        "103": ("冬の間は開始時間を一時間遅らせる。", "b"),
    }
    for page_id, (body, group) in pages.items():
        paragraphs = "".join(f"<p>{line}</p>" for line in body.split("\n"))
        (tmp / f"{page_id}.html").write_bytes(_page(paragraphs))
        (tmp / f"{page_id}.json").write_text(json.dumps({"body": body, "theme": group}),
                                             encoding="utf-8")
    (tmp / "104.html").write_bytes(_page("<p>真実のない頁</p>"))
    (tmp / "105.json").write_text('{"body": "頁のない真実"}', encoding="utf-8")
    (tmp / "106.html").write_bytes(_page("<p>本文</p>"))
    (tmp / "106.json").write_text('{"headline": "本文の欄がない"}', encoding="utf-8")
    (tmp / "107.html").write_bytes(_page("<p>本文</p>"))
    (tmp / "107.json").write_text("{not json", encoding="utf-8")
    return tmp


def test_score_folder_per_page_and_aggregate(tmp_path: Path) -> None:
    answers = {
        "101": BODY,  # exact
        "102": "朝市は毎週日曜に開かれる。\n雨の日は倉庫の中で続けるという。\n・次の記事へ",
        "103": None,  # nothing found
    }

    def extractor(page: SavedPage) -> str | None:
        return answers[page.page_id]

    result = score_folder(_folder(tmp_path), extractor)
    assert [p.page_id for p in result.pages] == ["101", "102", "103"]
    first, second, third = result.pages
    assert (first.f1, first.exact, first.boilerplate, first.empty) == (1.0, True, (), False)
    assert 0.8 < second.f1 < 1.0 and not second.exact and second.boilerplate == ("list_marker",)
    assert (third.f1, third.exact, third.empty) == (0.0, False, True)
    total = result.total
    assert total.pages == 3 and total.f1 == pytest.approx((1.0 + second.f1) / 3)
    assert total.exact == pytest.approx(1 / 3) and total.boilerplate == pytest.approx(1 / 3)
    assert (total.empty, total.errors, total.markers) == (1, 0, {"list_marker": 1})
    assert set(result.groups) == {"a", "b"}
    assert result.groups["a"].pages == 2 and result.groups["a"].exact == 0.5
    assert result.groups["b"].f1 == 0.0
    assert sorted(name for name, _ in result.skipped) == [
        "104.html", "105.json", "106.json", "107.json"]


def test_an_extractor_that_fails_scores_zero_and_the_run_goes_on(tmp_path: Path) -> None:
    def extractor(page: SavedPage) -> str | None:
        if page.page_id == "102":
            raise ValueError("broken page")
        return str(page.truth["body"])

    result = score_folder(_folder(tmp_path), extractor)
    assert result.total.errors == 1 and result.total.exact == pytest.approx(2 / 3)
    failed = next(p for p in result.pages if p.page_id == "102")
    assert failed.error == "ValueError: broken page" and failed.f1 == 0.0


def test_fields_and_layers_are_scored_when_the_extractor_gives_them(tmp_path: Path) -> None:
    def extractor(page: SavedPage) -> Extracted:
        headline = "港の朝市" if page.page_id != "103" else "別の見出し"
        return Extracted(str(page.truth["body"]), "generic" if page.page_id == "101" else "jsonld",
                         {"headline": headline, "tags": ["港"]})

    folder = _folder(tmp_path)
    for path in folder.glob("10[123].json"):
        truth = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**truth, "headline": "港の朝市"}), encoding="utf-8")
    result = score_folder(folder, extractor)
    assert result.total.fields == {"headline": pytest.approx(2 / 3)}  # no "tags" in the truth
    assert result.groups["a"].fields == {"headline": 1.0}
    assert result.total.layers == {"jsonld": 2, "generic": 1}
    assert set(result.layers) == {"jsonld", "generic"} and result.layers["generic"].pages == 1


def test_field_equality_reads_images_as_the_truth_writes_them() -> None:
    image = {"url": "http://127.0.0.1:8765/ja/img/1.jpg", "credit": "商店会"}
    assert field_equal("images", [dict(image)], [image])
    assert not field_equal("images", [{**image, "credit": None}], [image])
    assert field_equal("authors", ["杉本遥"], ["杉本遥"]) and not field_equal("authors", [], ["a"])


def test_all_extractors_on_hand_made_pages(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    for name in ("newscrawl", "newscrawl-template", "newscrawl-generic", "trafilatura"):
        result = score_folder(folder, name)
        assert result.extractor == name and result.total.pages == 3
        assert result.total.errors == 0 and result.total.f1 > 0.9, result.pages


@pytest.fixture(scope="module")
def replica_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pages")
    assert demosite_main(["dump", str(folder), "--articles", "40", "--seed", "3",
                          "--themes", "kangnam,portal"]) == 0
    return folder


def test_newscrawl_extractor_reads_the_modelled_theme(replica_pages: Path) -> None:
    """The adapter drives the parser and the cleaning as a crawl does: on the markup the
    parser was written for, the bodies come out as the truth has them."""
    result = score_folder(replica_pages, "newscrawl")
    modelled = result.groups["kangnam"]
    assert modelled.pages >= 10 and modelled.exact >= 0.9 and modelled.boilerplate == 0.0
    assert result.groups["portal"].pages >= 10


def test_cli_prints_figures_per_extractor_and_theme(replica_pages: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out_json = tmp_path / "scores.json"
    assert main([str(replica_pages), "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"40 pages in {replica_pages} (0 files skipped)")
    names = ["newscrawl", "newscrawl-template", "newscrawl-generic", "trafilatura"]
    for extractor in names:
        assert re.search(rf"^ +{extractor} +40 +[01]\.\d{{4}} +\d+\.\d%", out, re.M), out
        for theme in ("kangnam", "portal"):
            assert re.search(rf"^{theme} +{extractor} +\d+ ", out, re.M), out
    assert re.search(r"^markup +newscrawl +\d+ ", out, re.M), out  # the body per layer
    assert re.search(r"^generic +newscrawl-generic +40 ", out, re.M), out
    assert re.search(r"^kangnam( +\d+\.\d%){12}$", out, re.M), out  # the other fields
    saved = json.loads(out_json.read_text(encoding="utf-8"))
    assert [r["extractor"] for r in saved] == names
    assert len(saved[0]["pages"]) == 40 and set(saved[0]["groups"]) == {"kangnam", "portal"}
    assert saved[0]["total"]["fields"]["headline"] == 1.0
    assert main([str(tmp_path), "--extractor", "trafilatura"]) == 2  # no pages there
    with pytest.raises(SystemExit):
        main([str(tmp_path / "missing")])

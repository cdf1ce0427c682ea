"""Original Japanese test stories (written for these tests) and edited copies of them."""

from __future__ import annotations

STORY = "\n".join(
    [
        "ソウル市は二十日、江南区と城東区を結ぶ新しい地下鉄路線「漢江ライン」の営業運転を始めた。",
        "新路線は全長十四キロで、駅は十一か所。朝夕の混雑が激しい二号線の負担を和らげる狙いがある。",
        "開通式には市長や地元住民ら約三百人が出席し、一番列車の出発をテープカットで祝った。",
        "市長はあいさつで「通勤時間が平均で十五分短くなる。市民の暮らしが少しでも楽になれば」と述べた。",
        "ソウル市によると、建設には約八年を要し、総事業費は一兆二千億ウォンに上った。",
        "沿線では新しい商業施設の建設も進んでおり、不動産価格の上昇を懸念する声も出ている。",
        "一番列車に乗った会社員の女性(34)は「乗り換えが一回減るのはありがたい」と笑顔を見せた。",
        "市は来年、路線を北へ三駅延ばす計画で、住民説明会を今月末から順次開く予定だ。",
    ]
)

EXTRA_PARAGRAPH = "運賃は既存の路線と同じく基本千四百ウォンで、乗り換え割引も適用される。"

# A different story on the same topic (a subway line in Seoul): shares vocabulary, not text.
SAME_TOPIC = "\n".join(
    [
        "ソウルの地下鉄九号線で二十一日朝、信号設備の故障により列車が約四十分間止まった。",
        "運行会社によると、故障は汝矣島駅付近の信号装置で起き、通勤客ら数万人に影響が出た。",
        "駅の改札には振り替え輸送を求める乗客が長い列をつくり、一部の駅では入場が制限された。",
        "九号線は急行列車の混雑が激しいことで知られ、市は車両の増備を急いでいる。",
        "運行会社は「ご迷惑をおかけし申し訳ない。原因を詳しく調べ、再発防止に努める」とコメントした。",
        "市議会では、老朽化した設備の点検体制を見直すべきだとの意見が相次いでいる。",
    ]
)


def lines() -> list[str]:
    return STORY.split("\n")


def headline_tweak() -> str:
    """The story with a reworded first paragraph (the lede carries the headline's words)."""
    first, *rest = lines()
    return "\n".join([first.replace("営業運転を始めた", "運行を開始した"), *rest])


def paragraph_added() -> str:
    parts = lines()
    return "\n".join([*parts[:5], EXTRA_PARAGRAPH, *parts[5:]])


def paragraph_removed() -> str:
    parts = lines()
    return "\n".join(parts[:6] + parts[7:])


def credit_changed() -> str:
    return STORY + "\n写真=聯合ニュース"


def whitespace_changed() -> str:
    return "\u3000" + STORY.replace("\n", "\n\n").replace("。", "。 ")

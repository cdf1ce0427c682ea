"""Original Japanese vocabularies and sentence templates for the replica site.

Every sentence here was written for this project. Templates use ``str.format`` slots:
``{person}`` (a name with a role), ``{name}`` (a bare name), ``{place}``, ``{org}``,
``{topic}``, ``{thing}``, ``{num}``, ``{pct}``, ``{day}``, ``{act}``, ``{adj}``, ``{brand}``.
All strings are restricted to characters that Shift_JIS and EUC-JP can encode
(``tests/demosite`` checks this), so any article may be served in those encodings.
"""

from __future__ import annotations

CATEGORIES: dict[str, str] = {
    "report": "ニュース",
    "trending": "トレンド",
    "entertainment": "エンタメ",
    "mobility": "モビリティー",
    "photonews": "フォトニュース",
    "economy": "経済",
    "life": "ライフ",
}
CATEGORY_SLUGS: tuple[str, ...] = tuple(CATEGORIES)
# Relative weights of the categories (report and trending dominate, as on the live site).
CATEGORY_WEIGHTS: tuple[int, ...] = (30, 22, 14, 10, 8, 9, 7)

# Reporters: (name, e-mail local part).
REPORTERS: tuple[tuple[str, str], ...] = (
    ("山下悠真", "yamashita.y"),
    ("高橋美咲", "takahashi.m"),
    ("中川大輔", "nakagawa.d"),
    ("佐野朋美", "sano.t"),
    ("森本健太", "morimoto.k"),
    ("青木里奈", "aoki.r"),
    ("石田隆之", "ishida.t"),
    ("小野寺真央", "onodera.m"),
    ("藤井翔太", "fujii.s"),
    ("村上千尋", "murakami.c"),
    ("岡田俊介", "okada.s"),
    ("松尾彩花", "matsuo.a"),
)

PEOPLE: tuple[str, ...] = (
    "キム・ソヨン", "パク・ジフン", "イ・ミンジュン", "チェ・ユナ", "チョン・ヒョヌ",
    "カン・ダウン", "ユン・ソジン", "ハン・テオ", "田村誠一", "森岡沙織", "川口和也",
    "西田遥", "ジョン・ハーパー", "マリア・ロペス", "アンナ・シュミット", "ラジ・メータ",
    "ピエール・デュラン", "エミリー・カーター", "ソン・ハヌル", "ペク・スンウ",
)
ROLES: dict[str, tuple[str, ...]] = {
    "report": ("大統領", "首相", "外相", "報道官", "議員", "国防相", "市長"),
    "trending": ("インフルエンサー", "投稿者", "店主", "大学教授", "主催者"),
    "entertainment": ("監督", "俳優", "歌手", "プロデューサー", "所属事務所代表"),
    "mobility": ("開発責任者", "社長", "デザイナー", "研究員", "営業本部長"),
    "photonews": ("写真家", "実行委員長", "園長", "館長", "ガイド"),
    "economy": ("アナリスト", "総裁", "最高経営責任者", "エコノミスト", "財務相"),
    "life": ("医師", "栄養士", "研究者", "料理研究家", "専門家"),
}
PLACES: tuple[str, ...] = (
    "ソウル", "釜山", "仁川", "大邱", "済州島", "光州", "東京", "大阪", "横浜", "福岡",
    "札幌", "ワシントン", "ニューヨーク", "ロンドン", "パリ", "ベルリン", "北京", "上海",
    "シンガポール", "シドニー", "ドバイ", "ハノイ", "バンコク", "ロサンゼルス",
)
ORGS: dict[str, tuple[str, ...]] = {
    "report": ("政府", "外務省", "国会", "国防省", "与党", "野党", "国連", "警察当局"),
    "trending": ("運営会社", "市役所", "大学の研究チーム", "地元商店街", "動画配信サービス"),
    "entertainment": ("制作会社", "放送局", "所属事務所", "配給会社", "映画祭の事務局"),
    "mobility": ("現代自動車", "起亜", "トヨタ", "ホンダ", "大手部品メーカー", "国土交通省"),
    "photonews": ("観光公社", "自治体", "動物園", "美術館", "保存会"),
    "economy": ("中央銀行", "証券取引所", "大手半導体メーカー", "統計庁", "商工会議所"),
    "life": ("保健当局", "研究機関", "食品メーカー", "大学病院", "消費者団体"),
}
TOPICS: dict[str, tuple[str, ...]] = {
    "report": ("首脳会談", "追加制裁", "予算案", "安全保障協議", "地方選挙", "国境警備",
               "外交交渉", "停戦協議", "移民政策", "防衛費"),
    "trending": ("限定メニュー", "ショート動画", "新しい流行語", "週末イベント", "行列店",
                 "手作りグッズ", "深夜のカフェ", "古着ブーム", "ペットの写真", "駅前の広告"),
    "entertainment": ("新作ドラマ", "ワールドツアー", "主演映画", "授賞式", "カムバック公演",
                      "ファンミーティング", "新曲", "バラエティー番組", "舞台挨拶"),
    "mobility": ("新型SUV", "電気自動車", "急速充電網", "自動運転技術", "ハイブリッド車",
                 "小型トラック", "次世代バッテリー", "コンセプトカー", "燃費性能"),
    "photonews": ("紅葉", "灯籠祭り", "初雪", "港の夜景", "花火大会", "伝統衣装", "桜並木",
                  "冬の市場", "渡り鳥"),
    "economy": ("株価", "為替相場", "半導体輸出", "政策金利", "四半期決算", "物価上昇",
                "住宅価格", "雇用統計", "設備投資"),
    "life": ("睡眠習慣", "朝食", "室内の乾燥対策", "ウォーキング", "家計の見直し",
             "発酵食品", "目の疲れ", "冬の肌荒れ", "片付け術"),
}
THINGS: tuple[str, ...] = (
    "今回の決定", "関係者の証言", "最新の調査結果", "公式の発表", "現地の映像", "内部の資料",
    "専門家の分析", "市民の反応", "過去の事例", "当局の説明",
)
ACTS: tuple[str, ...] = (
    "正式に発表した", "方針を明らかにした", "懸念を示した", "計画を見直した",
    "協力を約束した", "慎重な姿勢を崩さなかった", "対応を急いでいる", "記者団の質問に答えた",
    "新たな案を提示した", "期待感を示した",
)
ADJS: tuple[str, ...] = (
    "異例の", "前例のない", "思わぬ", "大規模な", "意外な", "小さな", "本格的な", "静かな",
)
BRANDS: tuple[str, ...] = (
    "Nova Link", "Blue Harbor", "Green Wave", "Sky Port", "Silver Line", "Open Table",
    "Star Field", "Urban Leaf",
)
DAYS: tuple[str, ...] = (
    "11日(現地時間)", "先月末", "今月初め", "同日", "前日", "昨年末", "週明け", "3日",
    "18日", "25日(現地時間)",
)

SENTENCES: tuple[str, ...] = (
    "{day}、{place}で開かれた{topic}をめぐり、{person}が{act}。",
    "{org}は{topic}について、近く具体的な内容を公表する予定だとしている。",
    "{person}は「{topic}は一日で結論が出る問題ではない」と述べ、{act}。",
    "{thing}によると、{topic}に関連する問い合わせは前年より{pct}%増えたという。",
    "{place}の住民からは、{topic}に対する{adj}関心が寄せられている。",
    "{org}の関係者は「現時点で決まったことは何もない」と説明した。",
    "{thing}を受け、{org}は{num}人規模の作業チームを立ち上げた。",
    "一部では{topic}の影響が{place}にも広がるとの見方が出ている。",
    "{person}は自身のSNSで{topic}に触れ、{adj}反響を呼んだ。",
    "{org}は{day}、{topic}に関する声明を出し、{act}。",
    "業界では{topic}が今後の流れを左右するとの声が多い。",
    "{thing}では、回答者の{pct}%が{topic}に前向きな評価をしていた。",
    "ただ、{org}内部では{topic}に否定的な意見も根強いとされる。",
    "{place}では{day}から{num}日間にわたり、{topic}に合わせた催しが続く。",
    "{person}は「多くの人に知ってもらうきっかけになれば」と話した。",
    "これに対して{org}は、{thing}を精査したうえで判断するとしている。",
    "{topic}をめぐる議論は、{place}を中心に当面続く見通しだ。",
    "{person}によれば、準備には少なくとも{num}か月かかるという。",
    "{org}は{topic}の費用として約{num}億ウォンを見込んでいる。",
    "こうした動きについて{person}は、{adj}変化の始まりだと分析した。",
    "現場には{num}人を超える人が集まり、{topic}の様子を見守った。",
    "{thing}が明らかになると、ネット上では{adj}反応が相次いだ。",
    "{org}の担当者は「利用者の声を丁寧に聞いていきたい」と語った。",
    "{place}の{org}も同様の取り組みを検討しているとされる。",
)
BRAND_SENTENCES: tuple[str, ...] = (
    "新しいサービスの名称は「{brand}」に決まった。",
    "関連する取り組みは「{brand}」という名前で進められている。",
    "会場では「{brand}」と書かれた看板が目を引いた。",
)
SUBHEADINGS: tuple[str, ...] = (
    "{topic}の背景", "{place}で何が起きたのか", "{org}の狙い", "今後の焦点",
    "専門家はどう見るか", "残る課題", "{topic}の現状",
)
LIST_ITEMS: tuple[str, ...] = (
    "{topic}の日程を確認すること", "{place}の窓口に事前に問い合わせること",
    "{org}の発表を定期的に確かめること", "費用の目安を把握しておくこと",
    "家族や周囲と情報を共有すること", "{num}日前までに申し込むこと",
)
HEADLINES: tuple[str, ...] = (
    "「{quote}」{org}、{topic}で{adj}決断",
    "{place}で{topic}、{person_short}が語った本音とは",
    "{topic}に{adj}波紋…{org}の対応に注目集まる",
    "{person_short}「{quote}」{topic}めぐり発言",
    "{org}が{topic}を発表、{place}でも反応広がる",
    "{num}年ぶりの{topic}、{place}に人だかり",
    "「{quote}」{topic}の舞台裏で起きていたこと",
    "{place}発の{topic}、なぜ今話題なのか",
    "{topic}で{org}が方針転換?{adj}理由",
    "{person_short}、{topic}で存在感…「{quote}」",
)
QUOTES: tuple[str, ...] = (
    "想定外だった", "まだ終わっていない", "もう後戻りはできない", "準備はできている",
    "誰も予想しなかった", "ここからが本番だ", "答えは現場にある", "一歩ずつ進めたい",
)
SUMMARY_LINES: tuple[str, ...] = (
    "{topic}をめぐる{org}の動き", "{place}で広がる{adj}反応", "{person_short}が見解を表明",
    "関係者「結論はまだ先」", "{num}年ぶりの大きな変化", "{topic}の影響は限定的との見方も",
    "{org}は近く詳細を公表へ", "専門家は慎重な対応を求める", "{place}の現場に緊張感",
    "今後の日程にも注目",
)
UPDATE_SENTENCES: tuple[str, ...] = (
    "(追記){org}はその後、{topic}に関する追加の説明を行った。",
    "(追記){person}は取材に対し、{topic}の見直しを検討していると明らかにした。",
    "(追記){place}では{num}人が新たに手続きを終えたという。",
)
TWEETS: tuple[str, ...] = (
    "今日の{place}はとても寒かったです。{topic}、楽しみにしています",
    "{topic}の現場に来ました。思っていたより人が多い",
    "{org}の発表、みなさんはどう思いますか",
)
HEADLINE_TWEAKS: tuple[str, ...] = ("【続報】{h}", "{h}(詳報)", "【まとめ】{h}", "{h}…その後")
TAG_EXTRA: tuple[str, ...] = ("速報", "話題", "注目", "国際", "韓国", "日本")
# Tags whose WordPress slug carries a "-2" suffix (a second term with the same name once existed).
TAGS_WITH_SUFFIX: frozenset[str] = frozenset({"話題", "電気自動車", "株価", "新曲", "紅葉"})

CREDIT_SOURCES: tuple[str, ...] = (
    "AFP通信", "ロイター通信", "ニューシス", "聯合ニュース", "トヨタ", "ゲッティイメージズ",
    "オンラインコミュニティ", "現代自動車", "SNS", "記者撮影",
)
INLINE_CREDIT_SOURCES: tuple[str, ...] = ("トヨタ", "ニューシス", "聯合ニュース", "現代自動車")
CREDIT_PREFIXES: tuple[str, ...] = ("出典:", "引用:", "写真:", "提供:", "画像:", "©", "Photo: ")
# The prefixes Shift_JIS / EUC-JP pages may use (© is not in JIS X 0208).
JIS_CREDIT_PREFIXES: tuple[str, ...] = ("出典:", "引用:", "写真:", "提供:", "画像:", "Photo: ")

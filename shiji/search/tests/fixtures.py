"""A small mixed market: Japanese, Simplified and Traditional Chinese and English listings,
written the way sellers write them, with translations where a seller would add one.

Each listing is ``(listing id, original language, title by language, body by language)``.
"""

from __future__ import annotations

from shiji.search.services import search_upsert

Listing = tuple[str, str, dict[str, str], dict[str, str]]

LISTINGS: list[Listing] = [
    # Japanese
    (
        "ja_dress_showa",
        "ja",
        {"ja": "昭和レトロの古着ワンピース 花柄"},
        {"ja": "70年代の古着屋で見つけた花柄のワンピースです。状態良好。"},
    ),
    (
        "ja_dress_vintage",
        "ja",
        {"ja": "ヴィンテージ 古着 ワンピース 水玉", "en": "Vintage polka-dot dress"},
        {"ja": "1960年代のアメリカ古着。丈は長めです。"},
    ),
    ("ja_kimono", "ja", {"ja": "正絹の着物 帯付き"}, {"ja": "祖母の箪笥から出てきた着物です。"}),
    ("ja_pottery", "ja", {"ja": "益子焼の陶器 湯呑み"}, {"ja": "職人の手作りの陶器です。お茶の時間に。"}),
    (
        "ja_figure",
        "ja",
        {"ja": "アニメフィギュア 美少女 箱付き", "en": "Anime figure, boxed"},
        {"ja": "90年代のフィギュアです。"},
    ),
    ("ja_camera", "ja", {"ja": "フィルムカメラ ジャンク"}, {"ja": "動作未確認です。"}),
    ("ja_teacup", "ja", {"ja": "有田焼 湯呑み ペア"}, {"ja": "陶磁器の湯呑みです。"}),
    ("ja_onepiece_manga", "ja", {"ja": "ONE PIECE 漫画 全巻セット"}, {"ja": "ワンピースの単行本です。"}),
    ("ja_station", "ja", {"ja": "駅弁の掛け紙 コレクション"}, {"ja": "鉄道ファン向けの古い掛け紙です。"}),
    # Simplified Chinese
    ("zh_teacup", "zh-hans", {"zh-hans": "手作陶器茶杯 粗陶 复古"}, {"zh-hans": "景德镇手作陶器，每只茶杯都不一样。"}),
    (
        "zh_used_dress",
        "zh-hans",
        {"zh-hans": "日本古着 碎花连衣裙"},
        {"zh-hans": "从东京古着店淘来的，九成新。关键词：ワンピース"},
    ),
    ("zh_vintage_jacket", "zh-hans", {"zh-hans": "vintage 日本古着牛仔外套"}, {"zh-hans": "尺码M，肩宽45。"}),
    ("zh_tea", "zh-hans", {"zh-hans": "云南普洱茶饼 357克"}, {"zh-hans": "2015年春茶，干仓存放。"}),
    ("zh_phone", "zh-hans", {"zh-hans": "二手手机 九成新"}, {"zh-hans": "电池健康85%，无拆修。"}),
    ("zh_bowl", "zh-hans", {"zh-hans": "青花瓷碗 一对"}, {"zh-hans": "景德镇陶瓷，非手工。"}),
    ("zh_figure", "zh-hans", {"zh-hans": "手办 高达模型"}, {"zh-hans": "figure 收藏级，已拼装。"}),
    ("zh_mug", "zh-hans", {"zh-hans": "马克杯 北欧风"}, {"zh-hans": "手作陶器风格的马克杯，机器生产。"}),
    ("zh_laptop", "zh-hans", {"zh-hans": "笔记本电脑 14寸"}, {"zh-hans": "轻薄本，适合办公。"}),
    ("zh_tea_tray", "zh-hans", {"zh-hans": "茶盘 实木"}, {"zh-hans": "整块木料，排水顺畅。"}),
    ("zh_bag", "zh-hans", {"zh-hans": "帆布包 手提"}, {"zh-hans": "有一点茶渍，不影响使用。"}),
    # Traditional Chinese
    ("tw_pottery", "zh-hant", {"zh-hant": "手作陶瓷杯 台灣製"}, {"zh-hant": "每個都是手作的，獨一無二。"}),
    ("tw_used_clothes", "zh-hant", {"zh-hant": "日本古著 洋裝"}, {"zh-hant": "復古風格，尺寸S。"}),
    ("tw_tea", "zh-hant", {"zh-hant": "凍頂烏龍茶 禮盒"}, {"zh-hant": "台灣高山茶。"}),
    ("tw_vase", "zh-hant", {"zh-hant": "陶器花瓶 復古"}, {"zh-hant": "手工拉坯。"}),
    # English
    ("en_figure", "en", {"en": "Vintage anime figure"}, {"en": "1990s PVC figure, original box."}),
    ("en_figures_lot", "en", {"en": "Lot of 5 action figures"}, {"en": "Played with, some wear."}),
    ("en_camera", "en", {"en": "VINTAGE film camera"}, {"en": "Works, light meter dead."}),
    ("en_mug", "en", {"en": "Handmade ceramic mug"}, {"en": "Glazed stoneware."}),
    ("en_figurine", "en", {"en": "Porcelain figurine"}, {"en": "A shepherdess, no chips."}),
    ("en_vintner", "en", {"en": "Vintner's corkscrew"}, {"en": "Old, solid brass."}),
]

# The same sets are asserted on SQLite and on PostgreSQL.
EXPECTED: dict[str, set[str]] = {
    "古着": {"ja_dress_showa", "ja_dress_vintage", "zh_used_dress", "zh_vintage_jacket", "tw_used_clothes"},
    "ワンピース": {"ja_dress_showa", "ja_dress_vintage", "ja_onepiece_manga", "zh_used_dress"},
    "手作": {"zh_teacup", "zh_mug", "tw_pottery", "ja_pottery"},
    "陶器": {"zh_teacup", "zh_mug", "tw_vase", "ja_pottery"},
    "vintage": {"en_figure", "en_camera", "zh_vintage_jacket", "ja_dress_vintage"},
    "figure": {"en_figure", "en_figures_lot", "zh_figure", "ja_figure"},
    "Figures": {"en_figure", "en_figures_lot", "zh_figure", "ja_figure"},
    "ＶＩＮＴＡＧＥ": {"en_figure", "en_camera", "zh_vintage_jacket", "ja_dress_vintage"},
    "茶杯": {"zh_teacup"},
    "手机": {"zh_phone"},
    "陶瓷": {"zh_bowl", "tw_pottery"},
    "洋装": {"tw_used_clothes"},
    "復古": {"zh_teacup", "tw_used_clothes", "tw_vase"},
    "台湾": {"tw_pottery", "tw_tea"},
    "铁道": {"ja_station"},
    "鉄道": {"ja_station"},
    "古着 vintage": {"zh_vintage_jacket", "ja_dress_vintage"},
    "茶": {"zh_teacup", "zh_tea", "zh_tea_tray", "zh_bag", "tw_tea", "ja_pottery"},
    "烏": {"tw_tea"},
    "ワ": {"ja_dress_showa", "ja_dress_vintage", "ja_onepiece_manga", "zh_used_dress"},
}


def index_market() -> None:
    for listing_id, original_language, title, body in LISTINGS:
        search_upsert(listing_id=listing_id, title=title, body=body, original_language=original_language)

"""Han character folding, so one word written three ways is one token.

* Traditional → Simplified with OpenCC ``t2s`` (古著連衣裙 → 古著连衣裙, 陶瓷 stays 陶瓷).
* A few Traditional phrases OpenCC leaves alone because the character is ambiguous
  (著 is "to write" in 著名 but "to wear" in 穿著 / 古著): ``PHRASES``.
* Japanese shinjitai that are neither the Traditional nor the Simplified form (売 ≠ 賣 ≠ 卖):
  ``SHINJITAI``, applied to Japanese tokens only. Each entry is *shinjitai, Traditional,
  Simplified*; a test checks that OpenCC maps the Traditional form to the Simplified one and
  leaves the other two alone, so the table only holds characters we are sure about.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

_OPENCC_LOCK = threading.RLock()
_opencc: Any = None
_char_fold: dict[int, str] | None = None

# shinjitai, Traditional, Simplified
_TRIPLES = """
売賣卖 図圖图 気氣气 楽樂乐 沢澤泽 駅驛驿 広廣广 辺邊边 険險险 発發发 転轉转 県縣县 鉄鐵铁 薬藥药 様樣样
読讀读 続續续 歳歲岁 関關关 帯帶带 実實实 両兩两 伝傳传 価價价 戦戰战 労勞劳 営營营 検檢检 験驗验 対對对
応應应 桜櫻樱 黒黑黑 恵惠惠 歩步步 雑雜杂 鶏鷄鸡 亜亞亚 悪惡恶 圧壓压 囲圍围 隠隱隐 栄榮荣 駆驅驱 軽輕轻
剣劍剑 権權权 済濟济 剤劑剂 児兒儿 縦縱纵 渋澀涩 獣獸兽 処處处 焼燒烧 奨獎奖 浄淨净 譲讓让 醸釀酿 摂攝摄
銭錢钱 繊纖纤 総總总 蔵藏藏 臓臟脏 団團团 弾彈弹 鋳鑄铸 庁廳厅 聴聽听 逓遞递 徳德德 拝拜拜 廃廢废 髪髮发
抜拔拔 浜濱滨 仏佛佛 変變变 豊豐丰 訳譯译 揺搖摇 覧覽览 竜龍龙 涙淚泪 塁壘垒 霊靈灵 齢齡龄 暦曆历 歴歷历
犠犧牺 経經经 絵繪绘 陥陷陷 巻卷卷 勧勸劝 歓歡欢 観觀观 満滿满 倹儉俭 圏圈圈 粋粹粹 酔醉醉 穏穩稳 拡擴扩
覚覺觉 挙舉举 郷鄉乡 暁曉晓 渓溪溪 継繼继 撃擊击 砕碎碎 斎齋斋 桟棧栈 賛贊赞 歯齒齿 釈釋释 収收收 従從从
粛肅肃 乗乘乘 剰剩剩 縄繩绳 壌壤壤 髄髓髓 瀬瀨濑 斉齊齐 専專专 荘莊庄 捜搜搜 挿插插 巣巢巢 騒騷骚 増增增
択擇择 単單单 遅遲迟 徴徵征 稲稻稻 悩惱恼 脳腦脑 毎每每 黙默默 頼賴赖 猟獵猎 値值值 隣鄰邻 麺麵面 円圓圆
"""
SHINJITAI_TRIPLES: list[str] = _TRIPLES.split()

SHINJITAI: dict[int, str] = {ord(entry[0]): entry[2] for entry in SHINJITAI_TRIPLES}

# Traditional phrases that OpenCC t2s keeps but Simplified writes differently.
PHRASES: dict[str, str] = {
    "古著": "古着",
    "穿著": "穿着",
    "衣著": "衣着",
    "著裝": "着装",
    "著装": "着装",
}


def _converter() -> Any:
    """The OpenCC t2s converter, built once (loading its dictionaries takes ~0.1 s)."""
    global _opencc
    if _opencc is None:
        with _OPENCC_LOCK:
            if _opencc is None:
                from opencc import OpenCC

                _opencc = OpenCC("t2s")
    return _opencc


def _phrases(text: str) -> str:
    if "著" in text:
        for traditional, simplified in PHRASES.items():
            text = text.replace(traditional, simplified)
    return text


def to_simplified(text: str) -> str:
    """Traditional → Simplified (phrase-aware): for whole Chinese runs before segmentation."""
    return str(_converter().convert(_phrases(text)))


@functools.lru_cache(maxsize=65_536)
def fold_token(token: str, japanese: bool) -> str:
    """The normal form of one Han token: t2s, and shinjitai → Simplified when ``japanese``."""
    folded = to_simplified(token)
    if japanese:
        folded = folded.translate(SHINJITAI)
    return folded


def _build_t2s_chars() -> dict[int, str]:
    import opencc

    converter = _converter()
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            key = line.split("\t", 1)[0]
            if len(key) == 1:
                value = str(converter.convert(key))
                if len(value) == 1 and value != key:
                    table[ord(key)] = value
    return table


def fold_chars(text: str) -> str:
    """Character-by-character folding (Traditional and shinjitai → Simplified) for the
    per-character tokens of one-character queries: the same table folds the stored text and the query. The
    shinjitai in the table never occur in Chinese text, so it is safe on any language."""
    global _char_fold
    if _char_fold is None:
        with _OPENCC_LOCK:
            if _char_fold is None:
                _char_fold = {**_build_t2s_chars(), **SHINJITAI}
    return text.translate(_char_fold)

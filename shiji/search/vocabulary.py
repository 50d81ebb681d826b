"""Words jieba's dictionary (2013) lacks but a Japan ⇄ China second-hand market uses every day:
Japanese loanwords (古着, 手作, 美品), shop talk (包邮, 闲置, 九成新) and fandom goods (手办,
盲盒, 吧唧). Without them jieba's HMM glues these words to their neighbours (送古着, 用古着)
and a query for the word misses the listing. Each is added with the frequency jieba suggests for
keeping it whole; add words here, not in calling code.
"""

from __future__ import annotations

_WORDS = """
古着 古着店 古着屋 手作 美品 中古品 未使用品 日系 日系风 和风 森女 森女风 昭和风 复古风 港风 文艺风 原宿风 汉服 洛丽塔
包邮 闲置 九成新 八成新 全新未拆 未拆封 自用 代购 直邮 现货 预售 拼单
手办 盲盒 扭蛋 吧唧 痛包 谷子 立牌 色纸 周边 黑胶 胶片机 手账 拍立得
"""
JIEBA_WORDS: tuple[str, ...] = tuple(_WORDS.split())

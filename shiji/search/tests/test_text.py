"""Segmentation and normalization, without a database."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import pytest

from shiji.search import segmenters
from shiji.search.text import MAX_GROUPS, index_tokens, plain_text, query_groups, single_character


def test_japanese_uses_sudachi_without_particles():
    tokens = index_tokens("昭和レトロの古着ワンピース", "ja")
    assert tokens == ["昭和", "レトロ", "古着", "ワンピース"]


def test_japanese_adds_mode_a_units_normalized_forms_and_han_stems():
    assert {"东京都内", "东京", "都内"} <= set(index_tokens("東京都内の古着屋", "ja"))
    assert {"古着", "屋"} <= set(index_tokens("古着屋", "ja"))
    assert {"ヴァイオリン", "バイオリン"} <= set(index_tokens("ヴァイオリン", "ja"))
    assert {"手作り", "手作"} <= set(index_tokens("手作りの陶器", "ja"))


def test_shinjitai_fold_to_simplified_in_japanese_tokens_only():
    assert "驿前" in index_tokens("駅前", "ja")
    assert {"卖る", "发送", "铁道"} <= set(index_tokens("売る 発送 鉄道", "ja"))
    assert "駅前" not in index_tokens("駅前", "ja")


def test_kana_makes_a_run_japanese_whatever_the_hint():
    assert index_tokens("日本の古着", "zh-hans") == ["日本", "古着"]


def test_chinese_uses_jieba_cut_for_search_and_keeps_one_character_words():
    tokens = index_tokens("日本古着连衣裙", "zh-hans")
    assert tokens == ["日本", "古着", "连衣", "衣裙", "连衣裙"]
    assert "杯" in index_tokens("买了一个杯", "zh-hans")


def test_traditional_chinese_is_folded_before_and_after_segmentation():
    assert index_tokens("古著連衣裙", "zh-hant") == index_tokens("古着连衣裙", "zh-hans")
    assert index_tokens("手作陶瓷", "zh-hant") == ["手作", "陶瓷"]


def test_latin_is_lower_cased_and_stemmed_and_keeps_digits():
    assert index_tokens("Vintage anime FIGURES, 1990s!", "en") == ["vintag", "anim", "figur", "1990s"]
    assert index_tokens("ｖｉｎｔａｇｅ", None) == ["vintag"]
    assert index_tokens("figure", "en") == index_tokens("figures", "en")


def test_hangul_runs_are_tokens():
    assert index_tokens("빈티지 원피스", "ko") == ["빈티지", "원피스"]


def test_mixed_scripts_are_cut_into_runs():
    assert index_tokens("vintage日本古着M号", "zh-hans") == ["vintag", "日本", "古着", "m", "号"]


@pytest.mark.parametrize("text", ["", "   ", "。、！？…「」", "😀🔥", "\x00\t\n"])
def test_punctuation_and_whitespace_give_no_tokens(text):
    assert index_tokens(text, None) == []
    assert query_groups(text) == []


def test_han_only_queries_have_a_jieba_and_a_sudachi_group():
    assert query_groups("古着") == [["古着"]]  # both segmenters agree
    assert query_groups("手作") == [["手作"], ["手", "作"]]
    assert query_groups("ワンピース") == [["ワンピース"]]
    assert query_groups("Figures") == [["figur"]]


def test_mixed_queries_combine_runs_and_cap_the_groups():
    assert query_groups("古着 vintage") == [["古着", "vintag"]]
    groups = query_groups("手作 駅前 東京都内 一番")
    assert 1 < len(groups) <= MAX_GROUPS
    assert all(len(set(group)) == len(group) for group in groups)


def test_plain_text_and_single_characters_fold_the_same_way():
    assert plain_text("古著 陶瓷 Vintage 駅") == "古著 陶瓷 vintage 驿"
    assert single_character(" 茶！") == "茶"
    assert single_character("烏") == "乌"
    assert single_character("ワ") == "ワ"
    assert single_character("a") is None
    assert single_character("茶杯") is None
    assert single_character("😀") is None


def test_segmenters_give_the_same_answer_from_many_threads():
    texts = [("昭和レトロの古着ワンピース", "ja"), ("手作陶器茶杯", "zh-hans"), ("東京都内", None)] * 20
    expected = [index_tokens(text, language) for text, language in texts]
    results: dict[int, list[list[str]]] = {}

    def work(n: int) -> None:
        results[n] = [index_tokens(text, language) for text, language in texts]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result == expected for result in results.values())


def test_jieba_cache_lives_in_the_temp_dir():
    index_tokens("手作", None)
    cache_dir = Path(segmenters._jieba_tokenizer().tmp_dir)
    assert cache_dir.is_relative_to(tempfile.gettempdir())
    assert not list(Path(__file__).resolve().parents[3].glob("jieba*.cache"))


@pytest.mark.parametrize("q", ["手作 " * 100, "古着 手作 東京都内 " * 30, "手作" * 128])
def test_long_repetitive_queries_finish_quickly(q):
    """2^(Han runs) combinations must never all be walked (a hang found in review)."""
    result: list[list[list[str]]] = []
    worker = threading.Thread(target=lambda: result.append(query_groups(q)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert 1 <= len(result[0]) <= MAX_GROUPS

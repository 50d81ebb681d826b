"""search_match over a mixed zh/ja/en market: the acceptance queries, Traditional ↔ Simplified,
ranking, the one-character fallback and hostile input. The expected sets are written out, so the
SQLite and the PostgreSQL runs check the same answers."""

from __future__ import annotations

import pytest

from shiji.search.selectors import search_match
from shiji.search.tests.fixtures import EXPECTED, LISTINGS, index_market

pytestmark = pytest.mark.django_db


@pytest.fixture
def market() -> None:
    index_market()


def found(q: str) -> set[str]:
    return {listing_id for listing_id, _ in search_match(q=q)}


@pytest.mark.parametrize(("q", "expected"), sorted(EXPECTED.items()))
def test_queries_find_exactly_the_right_listings(market, q, expected):
    assert found(q) == expected


def test_every_backend_returns_the_same_id_sets(market):
    """One assertion over the whole table: SQLite (FTS5) and PostgreSQL (tsvector) agree."""
    assert {q: found(q) for q in EXPECTED} == EXPECTED


def test_a_two_character_chinese_word_matches_without_trigram_blind_spot(market):
    assert found("茶杯") == {"zh_teacup"}
    assert found("手机") == {"zh_phone"}
    assert found("手工") == {"zh_bowl", "tw_vase"}


def test_traditional_and_simplified_find_each_other(market):
    assert found("古著") == found("古着") == EXPECTED["古着"]
    assert found("手作陶瓷") == {"tw_pottery"}
    assert found("洋裝") == found("洋装") == {"tw_used_clothes"}
    assert found("复古") == found("復古")


def test_japanese_shinjitai_and_katakana_variants_meet_chinese_forms(market):
    assert found("铁道") == found("鉄道") == {"ja_station"}
    assert found("驿弁") == {"ja_station"}
    assert found("ビンテージ") == found("ヴィンテージ") == {"ja_dress_vintage"}


def test_a_title_hit_outranks_a_description_hit(market):
    ranked = [listing_id for listing_id, _ in search_match(q="陶器")]
    assert ranked[-1] == "zh_mug"  # the only listing with 陶器 in its description alone
    scores = [score for _, score in search_match(q="陶器")]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)


def test_scores_are_higher_for_better_matches_on_every_backend(market):
    results = search_match(q="vintage")
    assert [score for _, score in results] == sorted((score for _, score in results), reverse=True)
    # A title hit beats a body-only hit.
    assert dict(results)["en_camera"] > 0


def test_one_character_queries_scan_text_title_hits_first(market):
    ranked = [listing_id for listing_id, _ in search_match(q="茶")]
    assert set(ranked) == EXPECTED["茶"]
    assert set(ranked[-2:]) == {"zh_bag", "ja_pottery"}  # 茶 only in their descriptions
    assert found("  茶。") == EXPECTED["茶"]
    assert found("烏") == found("乌") == {"tw_tea"}


def test_limit_caps_the_results(market):
    assert len(search_match(q="茶", limit=2)) == 2
    assert len(search_match(q="古着", limit=3)) == 3
    assert search_match(q="古着", limit=0) == []


@pytest.mark.parametrize("q", ["", "   ", "!!!", "。、「」", "から", "😀🔥"])
def test_queries_without_tokens_return_nothing(market, q):
    assert search_match(q=q) == []


HOSTILE = [
    '"',
    '""',
    "'",
    "''",
    "\\",
    "\\'",
    'vintage"',
    '"古着" OR "',
    "NEAR(vintage figure, 2)",
    "vintage AND OR NOT figure",
    "vintage NOT",
    "* vintage*",
    "^vintage",
    "title_tokens:vintage",
    "{title_tokens body_tokens}: figure",
    "- + ( ) ( ( (",
    "figure:*",
    "figure & | ! <-> <2>",
    "'; DROP TABLE search_searchentry; --",
    "%_%",
    "\x00vintage\x00",
    "\u200b\u200d\ufeff",
    "古着\ud7ff",
    "a" * 1000,
    "古着" * 500,
    "ワンピース " * 200,
    "手作 " * 200,
    "古着 手作 陶器 駅前 " * 50,
    "😀" * 300,
    "\U000e0041\U0001f3f4\U000e0067",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_input_returns_a_list_and_never_raises(market, q):
    results = search_match(q=q)
    assert isinstance(results, list)
    assert all(isinstance(listing_id, str) and isinstance(score, float) for listing_id, score in results)
    assert found("古着") == EXPECTED["古着"]  # the index is intact


def test_hostile_quotes_do_not_change_what_a_word_finds(market):
    assert found('"vintage"') == found("vintage")
    assert found("vintage*") == found("vintage")
    assert found("NEAR(vintage)") == found("near vintage") == set()
    assert len(LISTINGS) == 30

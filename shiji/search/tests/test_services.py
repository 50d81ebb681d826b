"""search_upsert / search_remove: idempotent, and the full-text index follows every write."""

from __future__ import annotations

import pytest
from django.db import connection

from shiji.search.models import SearchEntry
from shiji.search.selectors import search_match
from shiji.search.services import search_remove, search_upsert
from shiji.search.tests.fixtures import index_market

pytestmark = pytest.mark.django_db

DRESS = {
    "listing_id": "lst_01JD3Q6W3X8R9T2V5B7N0M4K6P",
    "title": {"ja": "昭和レトロの古着ワンピース", "zh-hans": "昭和复古古着连衣裙"},
    "body": {"ja": "花柄です。", "en": "Floral vintage dress"},
    "original_language": "ja",
}


def found(q: str) -> set[str]:
    return {listing_id for listing_id, _ in search_match(q=q)}


def full_text_consistent() -> bool:
    """SQLite: FTS5's own check that the index matches search_searchentry; PostgreSQL: every row
    has its generated vector."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
            return True
        cursor.execute("SELECT count(*) FROM search_searchentry WHERE search_vector IS NULL")
        return cursor.fetchone()[0] == 0


def test_upsert_indexes_every_language_of_title_and_body():
    search_upsert(**DRESS)
    entry = SearchEntry.objects.get(listing_id=DRESS["listing_id"])
    assert entry.title_tokens.split()[:4] == ["昭和", "レトロ", "古着", "ワンピース"]  # original language first
    assert "连衣裙" in entry.title_tokens.split()
    assert "vintag" in entry.body_tokens.split()
    assert "chr古" in entry.title_tokens.split() and "chr花" in entry.body_tokens.split()
    for q in ("古着", "ワンピース", "连衣裙", "vintage", "dresses", "花柄"):
        assert found(q) == {DRESS["listing_id"]}, q
    assert full_text_consistent()


def test_upsert_twice_writes_nothing_the_second_time():
    search_upsert(**DRESS)
    first = SearchEntry.objects.get(listing_id=DRESS["listing_id"])
    search_upsert(**DRESS)
    again = SearchEntry.objects.get(listing_id=DRESS["listing_id"])
    assert (again.pk, again.updated_at) == (first.pk, first.updated_at)
    assert SearchEntry.objects.count() == 1


def test_upsert_replaces_the_old_text():
    search_upsert(**DRESS)
    search_upsert(**{**DRESS, "title": {"en": "Film camera"}, "body": {}})
    assert found("古着") == set()
    assert found("camera") == {DRESS["listing_id"]}
    assert SearchEntry.objects.count() == 1
    assert full_text_consistent()


def test_upsert_remove_upsert_is_idempotent():
    index_market()
    before = {q: search_match(q=q) for q in ("古着", "vintage", "茶", "手作")}
    search_upsert(**DRESS)
    search_remove(listing_id=DRESS["listing_id"])
    search_remove(listing_id=DRESS["listing_id"])
    assert {q: search_match(q=q) for q in before} == before
    search_upsert(**DRESS)
    search_upsert(**DRESS)
    assert DRESS["listing_id"] in found("古着")
    assert SearchEntry.objects.filter(listing_id=DRESS["listing_id"]).count() == 1
    assert full_text_consistent()


def test_remove_of_an_unknown_listing_is_a_no_op():
    search_remove(listing_id="lst_unknown")
    assert SearchEntry.objects.count() == 0


def test_empty_texts_index_an_entry_that_matches_nothing():
    search_upsert(listing_id="lst_empty", title={}, body={"ja": ""}, original_language="ja")
    assert SearchEntry.objects.get(listing_id="lst_empty").title_tokens == ""
    assert found("古着") == set()
    assert full_text_consistent()


def test_unknown_language_codes_are_indexed_without_a_hint():
    search_upsert(listing_id="lst_ko", title={"ko": "빈티지 원피스", "xx": "手作陶器"}, body={}, original_language="ko")
    assert found("빈티지") == found("陶器") == {"lst_ko"}


def test_text_with_nul_and_huge_bodies_is_indexed():
    search_upsert(
        listing_id="lst_huge",
        title={"en": "nul\x00byte vintage"},
        body={"zh-hans": "古着连衣裙。" * 20_000},
        original_language="en",
    )
    assert found("vintage") == found("连衣裙") == {"lst_huge"}
    assert full_text_consistent()


@pytest.mark.parametrize("listing_id", ["", "x" * 33])
def test_bad_listing_ids_are_refused(listing_id):
    with pytest.raises(ValueError, match="bad listing id"):
        search_upsert(listing_id=listing_id, title={"en": "x"}, body={}, original_language="en")

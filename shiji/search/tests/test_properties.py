"""Properties over arbitrary text: tokens are clean, search never raises, and a listing is
always found by its own title."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shiji.search.selectors import MAX_QUERY_CHARS, search_match
from shiji.search.services import search_upsert
from shiji.search.tests.fixtures import index_market
from shiji.search.text import index_tokens, query_groups, single_character

# Characters that matter to the segmenters and the query syntax of both databases.
INTERESTING = st.sampled_from(
    list("古着ワンピース手作陶器茶杯連衣裙東京都内のはをヴァーｰ々〆ヶ한국vintageFIGURE19s ")
    + list("\"'\\*:^(){}[]&|!<>-+%_,.;\x00\t\n\u3000。、「」")
)
TEXT = st.one_of(st.text(max_size=200), st.text(INTERESTING, max_size=60))
LANGUAGE = st.sampled_from([None, "ja", "zh-hans", "zh-hant", "en", "ko", "fr", ""])
WHITESPACE_OR_PUNCT = re.compile(r"[\s\W_]")


@settings(max_examples=300, deadline=None)
@given(text=TEXT, language=LANGUAGE)
def test_index_tokens_are_never_empty_and_never_hold_whitespace(text, language):
    for token in index_tokens(text, language):
        assert token
        assert not WHITESPACE_OR_PUNCT.search(token), token


@settings(max_examples=300, deadline=None)
@given(q=TEXT)
def test_query_groups_are_small_and_clean(q):
    groups = query_groups(q)
    assert len(groups) <= 4
    for group in groups:
        assert group
        assert all(token and not WHITESPACE_OR_PUNCT.search(token) for token in group)


@pytest.mark.django_db
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=TEXT)
def test_search_match_never_raises(q):
    index_market()
    results = search_match(q=q)
    assert isinstance(results, list)
    assert all(isinstance(listing_id, str) and isinstance(score, float) for listing_id, score in results)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.one_of(st.text(INTERESTING, min_size=1, max_size=40), st.text(min_size=1, max_size=40)))
def test_a_listing_is_found_by_its_own_title(title):
    search_upsert(listing_id="lst_self", title={"xx": title}, body={}, original_language="xx")
    searchable = single_character(title) is not None or query_groups(title[:MAX_QUERY_CHARS])
    found = {listing_id for listing_id, _ in search_match(q=title)}
    assert ("lst_self" in found) == bool(searchable)

"""Racing first upserts of one listing (the catalog's after-commit jobs can overlap): one row,
and the full-text index agrees with it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from shiji.search.models import SearchEntry
from shiji.search.selectors import search_match
from shiji.search.services import search_upsert

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_first_upserts_of_one_listing_leave_one_consistent_row():
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def upsert(n: int) -> None:
        try:
            barrier.wait()
            search_upsert(listing_id="lst_race", title={"en": f"vintage word{n}"}, body={}, original_language="en")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upsert, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entry = SearchEntry.objects.get(listing_id="lst_race")
    winner = entry.title_tokens.split()[1]
    assert [listing_id for listing_id, _ in search_match(q=winner)] == ["lst_race"]
    assert [listing_id for listing_id, _ in search_match(q="vintage")] == ["lst_race"]
    losers = {f"word{n}" for n in range(threads_count)} - {winner}
    assert all(search_match(q=word) == [] for word in losers)

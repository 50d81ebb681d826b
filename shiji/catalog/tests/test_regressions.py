"""Regressions from the code review of the catalog: each test shows one defect stays fixed."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from shiji.accounts.tests.factories import UserFactory
from shiji.catalog import services
from shiji.catalog.models import Listing
from shiji.catalog.tests.factories import demo_rates, draft, published
from shiji.core.errors import InvalidState
from shiji.identity.errors import VerificationRequired

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rates():
    demo_rates()


def _forged(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_forged_feed_cursors_are_refused_not_obeyed(api):
    hidden = draft(UserFactory())
    for data in (
        {"held": [hidden.id]},
        {"after": ["garbage", "x"]},
        {"after": [5, "x"]},
        {"after": [None, None]},
        {"held": [[1]]},
        {"window": [{}]},
    ):
        response = api.get("/market", {"cursor": _forged(data)})
        assert response.status_code == 422, data
        assert hidden.id not in response.content.decode()


def test_market_page_survives_a_bad_cursor(client):
    assert client.get("/market/", {"cursor": _forged({"after": ["x", "y"]})}).status_code == 200


def test_an_item_held_back_and_then_removed_never_shows(api):
    seller, other = UserFactory(verification_level=1), UserFactory(verification_level=1)
    now = timezone.now()
    mine = [published(seller, category="bags", title={"ja": f"鞄 {n}"}) for n in range(4)]
    for n, listing in enumerate(mine):
        Listing.objects.filter(pk=listing.pk).update(published_at=now - timedelta(seconds=n))
    theirs = published(other, category="tea", title={"ja": "お茶"})
    Listing.objects.filter(pk=theirs.pk).update(published_at=now - timedelta(minutes=5))
    first = api.get("/market", {"limit": 2}).json()
    held_back = {listing.id for listing in mine} - {i["id"] for i in first["items"]}
    for listing_id in held_back:
        services.listing_remove(seller=seller, listing_id=listing_id)
    rest = api.get("/market", {"limit": 10, "cursor": first["next_cursor"]}).json()
    assert not held_back & {i["id"] for i in rest["items"]}


def test_reinstate_only_undoes_a_suppression():
    moderator = UserFactory(roles=["moderator"])
    seller = UserFactory(verification_level=1)
    pending = draft(seller)
    with pytest.raises(InvalidState):
        services.listing_reinstate(moderator=moderator, listing_id=pending.id)
    sold = published(seller)
    services.listing_update(seller=seller, listing_id=sold.id, data={"quantity": 0})
    services.listing_suppress(moderator=moderator, listing_id=sold.id, reason="check")
    services.listing_reinstate(moderator=moderator, listing_id=sold.id)
    sold.refresh_from_db()
    assert sold.status == "sold_out"


def test_unverified_seller_cannot_pass_the_limit_by_editing_a_live_listing():
    seller = UserFactory(verification_level=0)
    listing = published(seller, price={"amount": "6800", "currency": "JPY"})
    with pytest.raises(VerificationRequired):
        services.listing_update(
            seller=seller,
            listing_id=listing.id,
            data={"price": {"amount": "9000000", "currency": "JPY"}, "quantity": 500},
        )
    listing.refresh_from_db()
    assert (listing.price_minor, listing.quantity) == (6800, 1)


@pytest.mark.parametrize("amount", ["1e999999999", "9" * 40, "-1e30"])
def test_absurd_amounts_are_422_not_500(api, api_as, amount):
    seller = api_as(UserFactory())
    from shiji.catalog.tests.factories import listing_data

    response = seller.post("/listings", listing_data(price={"amount": amount, "currency": "JPY"}))
    assert response.status_code == 422
    assert api.get("/search", {"min_price": amount, "currency": "JPY"}).status_code == 422


def test_search_page_refuses_absurd_prices_without_building_them(client):
    response = client.get("/search/", {"min_price": "1e999999999"})
    assert response.status_code == 200


def test_price_filter_matches_the_price_shown_to_the_viewer(api, no_fx_margin):
    seller = UserFactory(verification_level=1)
    exact = published(
        seller,
        price={"amount": "48.00", "currency": "CNY"},
        ships_from="CN",
        original_language="zh-hans",
        title={"zh-hans": "茶"},
    )
    below = published(
        seller,
        price={"amount": "47.98", "currency": "CNY"},
        ships_from="CN",
        original_language="zh-hans",
        title={"zh-hans": "茶"},
    )
    shown = {
        i["id"]: i["display_price"]["amount"]
        for i in api.get("/search", {"currency": "JPY", "limit": 100}).json()["items"]
    }
    assert shown[exact.id] == "1000" and shown[below.id] == "1000"  # 999.58 rounds to 1000
    found = {
        i["id"]
        for i in api.get("/search", {"currency": "JPY", "min_price": "1000", "max_price": "1000"}).json()["items"]
    }
    assert found == {exact.id, below.id}
    assert not {i["id"] for i in api.get("/search", {"currency": "JPY", "max_price": "999"}).json()["items"]}


def test_newest_pages_do_not_repeat_when_something_is_published_between_pages(api):
    seller = UserFactory(verification_level=1)
    now = timezone.now()
    for n in range(4):
        listing = published(seller, title={"ja": f"品 {n}"})
        Listing.objects.filter(pk=listing.pk).update(published_at=now - timedelta(minutes=n + 1))
    first = api.get("/search", {"sort": "newest", "limit": 2}).json()
    published(seller, title={"ja": "新着"})
    second = api.get("/search", {"sort": "newest", "limit": 2, "cursor": first["next_cursor"]}).json()
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    other_sort = api.get("/search", {"sort": "price_asc", "cursor": first["next_cursor"]})
    assert other_sort.status_code == 422

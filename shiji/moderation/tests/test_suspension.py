"""Suspension: the account's listings on sale disappear from search, market and the listing
page; open orders go on to completion and payment; unsuspend puts back exactly what the
suspension hid."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog import services as catalog
from shiji.catalog.models import Listing
from shiji.catalog.tests.factories import draft
from shiji.core.errors import InvalidInput, InvalidState, NotFound
from shiji.core.models import AuditEvent
from shiji.moderation import services
from shiji.moderation.models import ModerationAction, Report, Suspension
from shiji.notifications.models import Notification
from shiji.orders.flow import order_confirm
from shiji.orders.tests.factories import listing_jp, order_placed, pay, seller_jp

pytestmark = pytest.mark.django_db


def _status(listing: Listing) -> str:
    listing.refresh_from_db()
    return listing.status


def test_suspension_hides_the_sellers_listings_everywhere(api, api_as, moderator, django_capture_on_commit_callbacks):
    seller = seller_jp()
    with django_capture_on_commit_callbacks(execute=True):
        on_sale = listing_jp(seller, title={"ja": "九谷焼 豆皿 セット"}, tags=[], description={})
        sold_out = listing_jp(seller, title={"ja": "九谷焼 湯呑"}, tags=[], description={})
        catalog.listing_update(seller=seller, listing_id=sold_out.id, data={"quantity": 0})
        unpublished = draft(seller)
        other = listing_jp(title={"ja": "九谷焼 花瓶"}, tags=[], description={})
    found = {item["id"] for item in api.get("/search", {"q": "九谷焼"}).json()["items"]}
    assert {on_sale.id, sold_out.id, other.id} <= found

    response = api_as(moderator).post(f"/staff/users/{seller.id}/suspend", {"reason": "Selling fakes."})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["suspended"] is True and body["suspension_reason"] == "Selling fakes."
    assert sorted(body["listings"]) == sorted([on_sale.id, sold_out.id])

    assert (_status(on_sale), _status(sold_out), _status(unpublished)) == ("suppressed", "suppressed", "draft")
    assert {item["id"] for item in api.get("/search", {"q": "九谷焼"}).json()["items"]} == {other.id}
    market = {item["id"] for item in api.get("/market", {"limit": 100}).json()["items"]}
    assert on_sale.id not in market and sold_out.id not in market
    assert api.get(f"/listings/{on_sale.id}").status_code == 404
    assert api_as(UserFactory()).get(f"/listings/{on_sale.id}").status_code == 404
    assert api.client.get(f"/listings/{on_sale.id}/").status_code == 404
    assert AuditEvent.objects.filter(action="moderation.suspend", actor=moderator).count() == 1
    notice = Notification.objects.get(user=seller, kind="moderation.suspended")
    assert "Selling fakes." in str(notice.data)


def test_a_suspended_seller_cannot_start_anything_new_but_can_sign_in(api, api_as, moderator):
    seller = seller_jp()
    listing = draft(seller)
    services.user_suspend(moderator=moderator, user_id=seller.pk, reason="Spam.")
    client = api_as(seller)
    assert client.get("/me").status_code == 200
    publish = client.post(f"/listings/{listing.id}/publish")
    assert publish.status_code == 403 and publish.json()["error"]["code"] == "account_suspended"
    token = api.post("/auth/token", {"email": seller.email, "password": "correct horse battery staple"})
    assert token.status_code == 200


def test_the_suspended_sellers_open_order_ships_completes_and_pays_out(api_as, moderator):
    seller = seller_jp()
    listing = listing_jp(seller)
    buyer = chinese_buyer()
    order = pay(order_placed(buyer=buyer, listing=listing))
    assert order.status == "paid"
    services.user_suspend(moderator=moderator, user_id=seller.pk, reason="Under investigation.")

    shipped = api_as(seller).post(f"/orders/{order.id}/ship", {})
    assert shipped.status_code == 200, shipped.json()
    order.refresh_from_db()
    assert order.status == "shipped"
    order_confirm(user=buyer, order_id=order.id)
    order.refresh_from_db()
    assert order.status == "completed" and order.released_minor > 0
    assert order.seller_proceeds_minor and order.seller_proceeds_minor > 0  # no money penalty


def test_unsuspend_reinstates_exactly_the_listings_the_suspension_hid(api_as, moderator):
    seller = seller_jp()
    hidden_before = listing_jp(seller)
    catalog.listing_suppress(moderator=moderator, listing_id=hidden_before.id, reason="Counterfeit.")
    on_sale = listing_jp(seller)
    sold_out = listing_jp(seller)
    catalog.listing_update(seller=seller, listing_id=sold_out.id, data={"quantity": 0})
    hidden_again = listing_jp(seller)
    removed = listing_jp(seller)

    services.user_suspend(moderator=moderator, user_id=seller.pk, reason="Fakes.")
    # During the suspension a moderator looks at one listing separately: back on, then hidden
    # again for its own reason. Another one the seller's lawyer asked to take down for good.
    catalog.listing_reinstate(moderator=moderator, listing_id=hidden_again.id)
    catalog.listing_suppress(moderator=moderator, listing_id=hidden_again.id, reason="Wrong brand.")
    Listing.objects.filter(pk=removed.pk).update(status="removed")

    response = api_as(moderator).post(f"/staff/users/{seller.id}/unsuspend", {"reason": "Appeal accepted."})
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["listings"]) == sorted([on_sale.id, sold_out.id])
    assert response.json()["suspended"] is False
    assert _status(on_sale) == "active" and _status(sold_out) == "sold_out"
    assert _status(hidden_before) == "suppressed" and _status(hidden_again) == "suppressed"
    assert _status(removed) == "removed"
    seller.refresh_from_db()
    assert not seller.suspended and seller.suspension_reason == ""
    assert Suspension.objects.get(user=seller).lifted_by == moderator
    assert AuditEvent.objects.filter(action="moderation.unsuspend", actor=moderator).exists()
    assert Notification.objects.filter(user=seller, kind="moderation.unsuspended").exists()


def test_suspension_refusals_change_nothing(moderator):
    person = UserFactory()
    with pytest.raises(InvalidState):
        services.user_unsuspend(moderator=moderator, user_id=person.pk)
    with pytest.raises(InvalidInput):
        services.user_suspend(moderator=moderator, user_id=person.pk, reason=" ")
    with pytest.raises(InvalidInput):
        services.user_suspend(moderator=moderator, user_id=moderator.pk, reason="me")
    with pytest.raises(NotFound):
        services.user_suspend(moderator=moderator, user_id="usr_nope", reason="x")
    assert not ModerationAction.objects.exists()
    services.user_suspend(moderator=moderator, user_id=person.pk, reason="Spam.")
    with pytest.raises(InvalidState):
        services.user_suspend(moderator=moderator, user_id=person.pk, reason="Again.")
    person.refresh_from_db()
    assert person.suspension_reason == "Spam."
    assert ModerationAction.objects.count() == 1 and Suspension.objects.count() == 1


def test_suspending_an_account_resolves_the_open_reports_on_it(moderator):
    person = UserFactory()
    reports = [
        services.report_create(reporter=UserFactory(), target_type="user", target_id=person.pk, reason="spam")[0]
        for _ in range(2)
    ]
    record = services.user_suspend(moderator=moderator, user_id=person.pk, reason="Spam.")
    assert sorted(record.report_ids) == sorted(r.pk for r in reports)
    assert set(Report.objects.values_list("status", flat=True)) == {"actioned"}


# Each listing's story: where it starts, and what a moderator does to it during the suspension.
STARTS = st.sampled_from(["active", "sold_out", "suppressed", "draft"])
MEANWHILE = st.sampled_from(["nothing", "reinstated", "reinstated_and_hidden_again"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stories=st.lists(st.tuples(STARTS, MEANWHILE), min_size=1, max_size=4))
def test_unsuspend_puts_back_only_what_the_suspension_hid_and_nobody_touched(moderator, stories):
    seller = seller_jp()
    listings = []
    for start, _ in stories:
        listing = draft(seller) if start == "draft" else listing_jp(seller)
        if start == "sold_out":
            catalog.listing_update(seller=seller, listing_id=listing.id, data={"quantity": 0})
        if start == "suppressed":
            catalog.listing_suppress(moderator=moderator, listing_id=listing.id, reason="Own reason.")
        listings.append(listing)
    services.user_suspend(moderator=moderator, user_id=seller.pk, reason="Fakes.")
    for listing, (start, _) in zip(listings, stories, strict=True):
        assert _status(listing) == ("draft" if start == "draft" else "suppressed")
    for listing, (_, meanwhile) in zip(listings, stories, strict=True):
        if meanwhile != "nothing" and _status(listing) == "suppressed":
            catalog.listing_reinstate(moderator=moderator, listing_id=listing.id)
            if meanwhile == "reinstated_and_hidden_again":
                catalog.listing_suppress(moderator=moderator, listing_id=listing.id, reason="Separate.")
    before_unsuspend = [_status(listing) for listing in listings]
    services.user_unsuspend(moderator=moderator, user_id=seller.pk)
    for listing, (start, meanwhile), before in zip(listings, stories, before_unsuspend, strict=True):
        hidden_by_suspension = start in ("active", "sold_out")
        expected = start if hidden_by_suspension and meanwhile == "nothing" else before
        assert _status(listing) == expected, (start, meanwhile)

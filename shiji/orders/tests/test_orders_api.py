"""POST /orders, GET /orders, GET /orders/{id} and paying through the sandbox (API.md "Orders,
payments, shipping"; PRODUCT.md inv. 1, 2, 3, 4, 6, 7)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from django.utils import timezone

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.models import Listing
from shiji.catalog.states import ListingStatus
from shiji.catalog.tests.factories import demo_rates
from shiji.core.models import AuditEvent, IdempotencyKey
from shiji.ledger.models import JournalEntry
from shiji.ledger.selectors import balance
from shiji.ledger.services import clearing_account, escrow_account
from shiji.orders.models import Order, Quote
from shiji.orders.tests.factories import SHIP_TO_CN, listing_jp
from shiji.payments.models import Payment, SandboxOperation

pytestmark = pytest.mark.django_db


# ¥6,800 to Shanghai at 1 USD = 150 JPY = 7.2 CNY with the default 1 % margin and 3 % fee: item
# 329.66 CNY + postage 85.44 CNY (the cheapest service, ¥1,780 at the mid rate) + buyer fee 9.89.
# Customs (CN postal, on delivery) is paid by the buyer to the carrier, not to us.
ITEM_MINOR, SHIPPING_MINOR, FEE_MINOR = 32966, 8544, 989
TOTAL_MINOR = ITEM_MINOR + SHIPPING_MINOR + FEE_MINOR  # 424.99 CNY


@pytest.fixture(autouse=True)
def _rates() -> None:
    demo_rates()


def _quote(client: Any, listing: Listing, quantity: int = 1) -> str:
    response = client.post("/quotes", {"listing": listing.pk, "quantity": quantity, "ship_to": SHIP_TO_CN})
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def _place(client: Any, listing: Listing, quantity: int = 1) -> dict[str, Any]:
    response = client.post("/orders", {"quote": _quote(client, listing, quantity)})
    assert response.status_code == 201, response.content
    return dict(response.json())


def _pay(client: Any, order: dict[str, Any], outcome: str = "succeeded") -> Any:
    return client.post(f"/payments/sandbox/{order['payment']['id']}/complete", {"outcome": outcome})


def _stock(listing: Listing) -> tuple[int, str]:
    listing.refresh_from_db()
    return listing.quantity, listing.status


def _ledger(client: Any) -> dict[str, Any]:
    response = client.get("/staff/ledger/check")
    assert response.status_code == 200, response.content
    return dict(response.json())


# --- POST /orders ----------------------------------------------------------------------------


def test_order_from_a_quote_is_pending_payment_with_a_sandbox_payment(api_as):
    listing = listing_jp(quantity=3)
    buyer = chinese_buyer()
    client = api_as(buyer)
    quote_id = _quote(client, listing, quantity=2)
    quote_total = Quote.objects.get(pk=quote_id).total_minor

    response = client.post("/orders", {"quote": quote_id})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("ord_")
    assert body["status"] == "pending_payment"
    assert body["total"] == {"amount": f"{quote_total / 100:.2f}", "currency": "CNY"}
    assert body["quantity"] == 2
    assert body["buyer"] == buyer.pk and body["seller"] == listing.seller_id
    payment = body["payment"]
    assert set(payment) >= {"id", "provider", "status", "client_secret"}
    assert payment["provider"] == "sandbox"
    assert payment["status"] == "requires_payment"
    assert payment["client_secret"]
    assert payment["amount"] == body["total"]
    assert body["expires_at"].endswith("Z")
    assert [e["to"] for e in body["events"]] == ["pending_payment"]
    assert body["ship_to"] == SHIP_TO_CN  # the buyer sees their own address
    assert _stock(listing) == (1, ListingStatus.ACTIVE)
    stored = Payment.objects.get(pk=payment["id"])
    assert (stored.amount_minor, stored.currency) == (quote_total, "CNY")
    assert SandboxOperation.objects.filter(target_id=stored.pk, kind="payment").exists()
    # Nothing is in the books until the money is captured.
    assert not JournalEntry.objects.exists()


def test_ordering_the_last_item_marks_the_listing_sold_out(api_as):
    listing = listing_jp(quantity=1)

    _place(api_as(chinese_buyer()), listing)

    assert _stock(listing) == (0, ListingStatus.SOLD_OUT)
    late = api_as(chinese_buyer()).post("/quotes", {"listing": listing.pk, "quantity": 1, "ship_to": SHIP_TO_CN})
    assert late.status_code == 409 and late.json()["error"]["code"] == "out_of_stock"


def test_expired_quote_is_409_and_writes_nothing(api_as):
    listing = listing_jp(quantity=2)
    client = api_as(chinese_buyer())
    quote_id = _quote(client, listing)
    Quote.objects.filter(pk=quote_id).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post("/orders", {"quote": quote_id})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "quote_expired"
    assert not Order.objects.exists() and not Payment.objects.exists()
    assert _stock(listing) == (2, ListingStatus.ACTIVE)


def test_quote_still_valid_just_before_expiry(api_as):
    listing = listing_jp()
    client = api_as(chinese_buyer())
    quote_id = _quote(client, listing)
    Quote.objects.filter(pk=quote_id).update(expires_at=timezone.now() + timedelta(seconds=30))

    assert client.post("/orders", {"quote": quote_id}).status_code == 201


def test_a_quote_orders_once_without_a_key(api_as):
    listing = listing_jp(quantity=5)
    client = api_as(chinese_buyer())
    quote_id = _quote(client, listing)
    assert client.post("/orders", {"quote": quote_id}).status_code == 201

    again = client.post("/orders", {"quote": quote_id})

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "quote_used"
    assert Order.objects.count() == 1 and Payment.objects.count() == 1
    assert _stock(listing) == (4, ListingStatus.ACTIVE)


def test_no_stock_left_is_409_out_of_stock_and_writes_nothing(api_as):
    listing = listing_jp(quantity=1)
    first, second = api_as(chinese_buyer()), api_as(chinese_buyer())
    first_quote, second_quote = _quote(first, listing), _quote(second, listing)
    assert first.post("/orders", {"quote": first_quote}).status_code == 201

    response = second.post("/orders", {"quote": second_quote})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "out_of_stock"
    assert Order.objects.count() == 1 and Payment.objects.count() == 1
    assert not Order.objects.filter(quote_id=second_quote).exists()
    assert _stock(listing) == (0, ListingStatus.SOLD_OUT)


def test_same_idempotency_key_and_body_replays_the_first_response(api_as):
    listing = listing_jp(quantity=5)
    client = api_as(chinese_buyer())
    quote_id = _quote(client, listing)
    headers = {"Idempotency-Key": "order-attempt-1"}

    first = client.post("/orders", {"quote": quote_id}, headers=headers)
    second = client.post("/orders", {"quote": quote_id}, headers=headers)

    assert first.status_code == 201, first.content
    assert second.status_code == first.status_code
    assert second.json() == first.json()
    assert Order.objects.count() == 1 and Payment.objects.count() == 1
    assert _stock(listing) == (4, ListingStatus.ACTIVE)


def test_same_idempotency_key_with_another_body_is_a_conflict(api_as):
    listing = listing_jp(quantity=5)
    client = api_as(chinese_buyer())
    first_quote, other_quote = _quote(client, listing), _quote(client, listing)
    headers = {"Idempotency-Key": "order-attempt-1"}
    assert client.post("/orders", {"quote": first_quote}, headers=headers).status_code == 201

    response = client.post("/orders", {"quote": other_quote}, headers=headers)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert Order.objects.count() == 1
    assert not Order.objects.filter(quote_id=other_quote).exists()
    assert _stock(listing) == (4, ListingStatus.ACTIVE)


def test_idempotency_keys_are_per_user(api_as):
    listing = listing_jp(quantity=5)
    alice, bob = api_as(chinese_buyer()), api_as(chinese_buyer())
    headers = {"Idempotency-Key": "same-key"}

    a = alice.post("/orders", {"quote": _quote(alice, listing)}, headers=headers)
    b = bob.post("/orders", {"quote": _quote(bob, listing)}, headers=headers)

    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]
    assert Order.objects.count() == 2


def test_failed_attempt_with_a_key_can_be_retried_with_the_same_key(api_as):
    """An error takes its key back with it: the same key may try again once the cause is gone."""
    listing = listing_jp(quantity=1)
    client, other = api_as(chinese_buyer()), api_as(chinese_buyer())
    quote_id = _quote(client, listing)
    other_order = _place(other, listing)  # takes the last item first
    headers = {"Idempotency-Key": "retry-me"}
    refused = client.post("/orders", {"quote": quote_id}, headers=headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "out_of_stock"
    assert not IdempotencyKey.objects.filter(key="retry-me").exists()
    assert other.post(f"/orders/{other_order['id']}/cancel").status_code == 200  # gives it back

    retried = client.post("/orders", {"quote": quote_id}, headers=headers)

    assert retried.status_code == 201, retried.content
    assert _stock(listing) == (0, ListingStatus.SOLD_OUT)


def test_placing_an_order_needs_a_signed_in_buyer(api, api_as):
    listing = listing_jp()
    quote_id = _quote(api_as(chinese_buyer()), listing)

    response = api.post("/orders", {"quote": quote_id})

    assert response.status_code == 401
    assert not Order.objects.exists()
    assert api.get("/orders").status_code == 401


def test_order_body_must_name_a_quote(api_as):
    response = api_as(chinese_buyer()).post("/orders", {})

    assert response.status_code == 422
    assert "quote" in response.json()["error"]["fields"]


# --- GET /orders/{id} ------------------------------------------------------------------------


def test_buyer_seller_and_order_staff_see_the_order_others_get_404(api_as):
    listing = listing_jp()
    buyer = chinese_buyer()
    order = _place(api_as(buyer), listing)
    path = f"/orders/{order['id']}"

    for viewer in (
        buyer,
        listing.seller,
        UserFactory(roles=["finance"]),
        UserFactory(roles=["arbitrator"]),
        UserFactory(roles=["admin"]),
    ):
        response = api_as(viewer).get(path)
        assert response.status_code == 200, (viewer, response.content)
        assert response.json()["id"] == order["id"]

    for outsider in (chinese_buyer(), UserFactory(), UserFactory(roles=["moderator"])):
        response = api_as(outsider).get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert api_as(buyer).get("/orders/ord_doesnotexist").status_code == 404


def test_seller_sees_the_shipping_address_only_once_paid(api_as):
    listing = listing_jp()
    buyer_api = api_as(chinese_buyer())
    seller_api = api_as(listing.seller)
    order = _place(buyer_api, listing)
    path = f"/orders/{order['id']}"

    before = seller_api.get(path).json()
    assert before["status"] == "pending_payment"
    assert before["ship_to"] is None

    paid = _pay(buyer_api, order)
    assert paid.status_code == 200, paid.content

    after = seller_api.get(path).json()
    assert after["status"] == "paid"
    assert after["ship_to"] is not None
    for field in ("name", "line1", "city", "postal_code", "country"):
        assert after["ship_to"][field] == SHIP_TO_CN[field]
    assert buyer_api.get(path).json()["ship_to"] == SHIP_TO_CN  # the buyer always sees their own


def test_seller_never_sees_the_buyers_phone_number(api_as):
    """PRODUCT.md inv. 4: phone numbers are never shown to counterparties."""
    listing = listing_jp()
    buyer_api = api_as(chinese_buyer())
    order = _place(buyer_api, listing)
    assert _pay(buyer_api, order).status_code == 200

    seen = api_as(listing.seller).get(f"/orders/{order['id']}").json()

    assert seen["ship_to"] is not None
    assert "phone" not in seen["ship_to"]
    assert SHIP_TO_CN["phone"] not in str(seen)


def test_only_the_buyer_gets_the_payment_client_secret(api_as):
    listing = listing_jp()
    buyer_api = api_as(chinese_buyer())
    order = _place(buyer_api, listing)
    path = f"/orders/{order['id']}"

    assert order["payment"]["client_secret"]
    assert buyer_api.get(path).json()["payment"]["client_secret"] == order["payment"]["client_secret"]
    for other in (listing.seller, UserFactory(roles=["finance"]), UserFactory(roles=["arbitrator"])):
        assert api_as(other).get(path).json()["payment"]["client_secret"] is None
    assert _pay(buyer_api, order).status_code == 200
    assert api_as(listing.seller).get(path).json()["payment"]["client_secret"] is None


def test_order_events_say_who_moved_it_from_which_state_to_which(api_as):
    listing = listing_jp()
    buyer = chinese_buyer()
    buyer_api = api_as(buyer)
    order = _place(buyer_api, listing)
    assert _pay(buyer_api, order).status_code == 200

    events = buyer_api.get(f"/orders/{order['id']}").json()["events"]

    assert [set(e) for e in events] == [{"at", "actor", "from", "to", "note"}] * 2
    assert [(e["from"], e["to"]) for e in events] == [("", "pending_payment"), ("pending_payment", "paid")]
    assert events[0]["actor"] == buyer.pk
    assert all(e["at"].endswith("Z") for e in events)


def test_staff_looking_at_a_buyers_address_leaves_an_audit_trace(api_as):
    """CONTEXT.md "audit event": staff views of personal data are audited."""
    listing = listing_jp()
    buyer_api = api_as(chinese_buyer())
    order = _place(buyer_api, listing)
    assert _pay(buyer_api, order).status_code == 200
    finance = cast(User, UserFactory(roles=["finance"]))

    seen = api_as(finance).get(f"/orders/{order['id']}").json()

    assert seen["ship_to"] is not None
    assert AuditEvent.objects.filter(actor=finance, target_id=order["id"]).exists()


# --- GET /orders?role= -----------------------------------------------------------------------


def test_order_lists_show_own_orders_with_cursor_pagination(api_as):
    seller_listing = listing_jp(quantity=10)
    buyer = chinese_buyer()
    buyer_api = api_as(buyer)
    mine = {_place(buyer_api, seller_listing)["id"] for _ in range(3)}
    someone_else = _place(api_as(chinese_buyer()), seller_listing)["id"]
    unrelated = _place(api_as(chinese_buyer()), listing_jp())["id"]

    first = buyer_api.get("/orders", {"role": "buyer", "limit": 2})
    assert first.status_code == 200, first.content
    page1 = first.json()
    assert len(page1["items"]) == 2 and page1["next_cursor"]
    page2 = buyer_api.get("/orders", {"role": "buyer", "limit": 2, "cursor": page1["next_cursor"]}).json()
    assert len(page2["items"]) == 1 and page2["next_cursor"] is None
    listed = [item["id"] for item in page1["items"] + page2["items"]]
    assert len(listed) == len(set(listed)) and set(listed) == mine
    assert listed == sorted(listed, reverse=True)  # newest first
    assert (
        buyer_api.get("/orders").json()["items"]
        and {item["id"] for item in buyer_api.get("/orders").json()["items"]} == mine
    )  # role defaults to buyer
    assert buyer_api.get("/orders", {"role": "seller"}).json() == {"items": [], "next_cursor": None}

    seller_api = api_as(seller_listing.seller)
    sold = seller_api.get("/orders", {"role": "seller", "limit": 100}).json()
    assert {item["id"] for item in sold["items"]} == {*mine, someone_else}
    assert unrelated not in {item["id"] for item in sold["items"]}
    assert all(item["ship_to"] is None for item in sold["items"])  # none paid yet
    assert seller_api.get("/orders", {"role": "buyer"}).json()["items"] == []


@pytest.mark.parametrize("query", [{"role": "staff"}, {"limit": 0}, {"limit": 101}])
def test_order_list_rejects_bad_parameters(api_as, query):
    response = api_as(chinese_buyer()).get("/orders", query)

    assert response.status_code == 422


# --- paying ----------------------------------------------------------------------------------


def test_successful_sandbox_payment_marks_the_order_paid_and_the_ledger_balances(api_as):
    listing = listing_jp()
    buyer_api = api_as(chinese_buyer())
    order = _place(buyer_api, listing)
    finance_api = api_as(UserFactory(roles=["finance"]))

    response = _pay(buyer_api, order)

    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "succeeded"
    stored = Order.objects.get(pk=order["id"])
    assert stored.status == "paid" and stored.paid_at is not None
    assert (stored.item_minor, stored.shipping_minor, stored.buyer_fee_minor) == (ITEM_MINOR, SHIPPING_MINOR, FEE_MINOR)
    assert stored.duties_mode == "on_delivery"
    # The whole total, postage included, is captured and held until shipping.
    assert stored.captured_minor == stored.total_minor == TOTAL_MINOR
    assert balance(escrow_account(stored.pk), "CNY").minor == TOTAL_MINOR
    assert balance(clearing_account("sandbox"), "CNY").minor == -TOTAL_MINOR
    report = _ledger(finance_api)
    assert report["balanced"] is True
    assert report["escrow_matches_orders"] is True
    assert report["entries"] == 1
    assert report["problems"] == []
    assert buyer_api.get(f"/orders/{order['id']}").json()["status"] == "paid"


def test_paying_twice_is_refused_and_charges_once(api_as):
    listing = listing_jp()
    buyer_api = api_as(chinese_buyer())
    order = _place(buyer_api, listing)
    assert _pay(buyer_api, order).status_code == 200

    again = _pay(buyer_api, order)

    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"
    assert Order.objects.get(pk=order["id"]).captured_minor == TOTAL_MINOR
    assert JournalEntry.objects.count() == 1


def test_failed_payment_leaves_the_order_waiting_and_the_buyer_can_pay_again(api_as):
    listing = listing_jp()
    buyer_api = api_as(chinese_buyer())
    order = _place(buyer_api, listing)
    path = f"/orders/{order['id']}"

    failed = _pay(buyer_api, order, outcome="failed")

    assert failed.status_code == 200, failed.content
    view = buyer_api.get(path).json()
    assert view["status"] == "pending_payment"
    assert view["payment"]["status"] == "failed"
    assert not JournalEntry.objects.exists()
    assert _stock(listing) == (0, ListingStatus.SOLD_OUT)  # still reserved for this buyer

    retried = _pay(buyer_api, order)

    assert retried.status_code == 200, retried.content
    view = buyer_api.get(path).json()
    assert view["status"] == "paid"
    assert view["payment"]["status"] == "succeeded"
    report = _ledger(api_as(UserFactory(roles=["finance"])))
    assert report["balanced"] and report["escrow_matches_orders"]
    assert Order.objects.get(pk=order["id"]).captured_minor == TOTAL_MINOR


def test_only_the_buyer_can_complete_their_payment_in_the_sandbox(api_as):
    listing = listing_jp()
    order = _place(api_as(chinese_buyer()), listing)

    for other in (listing.seller, chinese_buyer()):
        response = _pay(api_as(other), order)
        assert response.status_code == 404
    assert Order.objects.get(pk=order["id"]).status == "pending_payment"
    assert not JournalEntry.objects.exists()


def test_ledger_check_is_for_finance_staff(api_as):
    assert api_as(chinese_buyer()).get("/staff/ledger/check").status_code == 403
    assert api_as(UserFactory(roles=["arbitrator"])).get("/staff/ledger/check").status_code == 403
    assert api_as(UserFactory(roles=["admin"])).get("/staff/ledger/check").status_code == 200

"""After the order is placed: cancelling, seller refunds, confirming receipt (escrow released) and
expiry of unpaid orders (API.md "Orders, payments, shipping"; PRODUCT.md §5, inv. 1, 3, 5, 6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from django.test import TestCase
from django.utils import timezone

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.models import Listing
from shiji.catalog.states import ListingStatus
from shiji.catalog.tests.factories import demo_rates
from shiji.ledger.check import ledger_check
from shiji.ledger.models import JournalEntry, Purpose
from shiji.ledger.selectors import balance
from shiji.ledger.services import clearing_account, escrow_account, platform_account
from shiji.orders.models import Order, OrderEvent
from shiji.orders.tasks import orders_expire
from shiji.orders.tests.factories import SHIP_TO_CN, SHIP_TO_KR, listing_jp, seller_jp, ship
from shiji.payments.models import Payment, PaymentStatus, ProviderCallback, Refund, RefundStatus
from shiji.payments.providers.sandbox import sandbox_customer_pays

pytestmark = pytest.mark.django_db

# ¥6,800 to Shanghai at 1 USD = 150 JPY = 7.2 CNY, 1 % margin, 3 % buyer fee, cheapest service:
# item 329.66 + postage 85.44 (¥1,780 at the mid rate) + buyer fee 9.89 CNY. Customs (CN postal)
# is paid on delivery, so it is not part of what the buyer pays us.
ITEM_MINOR, POSTAGE_MINOR, FEE_MINOR = 32966, 8544, 989
TOTAL_MINOR = ITEM_MINOR + POSTAGE_MINOR + FEE_MINOR
TOTAL = "424.99"


@pytest.fixture(autouse=True)
def _rates(settings: Any) -> None:
    settings.SHIJI_FX_MARGIN_PERCENT = "1.0"
    settings.SHIJI_BUYER_FEE_PERCENT = "3.0"
    settings.SHIJI_COMMISSION_PERCENT = "8.0"
    settings.SHIJI_COMMISSION_RELIABLE_PERCENT = "6.0"
    demo_rates()


def _place(client: Any, listing: Listing, quantity: int = 1) -> dict[str, Any]:
    quote = client.post("/quotes", {"listing": listing.pk, "quantity": quantity, "ship_to": SHIP_TO_CN})
    assert quote.status_code == 201, quote.content
    order = client.post("/orders", {"quote": quote.json()["id"]})
    assert order.status_code == 201, order.content
    return dict(order.json())


def _pay(client: Any, order: dict[str, Any], outcome: str = "succeeded") -> Any:
    return client.post(f"/payments/sandbox/{order['payment']['id']}/complete", {"outcome": outcome})


def _paid_order(api_as: Any, listing: Listing | None = None, buyer: User | None = None) -> tuple[Any, dict[str, Any]]:
    """(buyer's client, order) for an order the buyer has paid through the sandbox."""
    client = api_as(buyer or chinese_buyer())
    order = _place(client, listing or listing_jp())
    paid = _pay(client, order)
    assert paid.status_code == 200, paid.content
    assert Order.objects.get(pk=order["id"]).status == "paid"
    return client, order


def _ship(order: dict[str, Any]) -> None:
    """The seller ships for real: the postage leaves escrow for the carriers payable."""
    ship(Order.objects.get(pk=order["id"]))


def _stock(listing: Listing) -> tuple[int, str]:
    listing.refresh_from_db()
    return listing.quantity, listing.status


def _escrow(order_id: str) -> int:
    return balance(escrow_account(order_id), "CNY").minor


def _assert_books_sound() -> None:
    report = ledger_check()
    assert report.balanced, report.problems
    assert report.escrow_matches_orders, report.problems
    assert report.problems == []


def _cny(amount: str) -> dict[str, Any]:
    return {"amount": {"amount": amount, "currency": "CNY"}, "reason": "瑕疵 / damage on the sleeve"}


# --- cancel ----------------------------------------------------------------------------------


def test_buyer_cancels_an_unpaid_order_stock_returns_and_the_payment_is_stopped(api_as):
    listing = listing_jp(quantity=1)
    buyer = chinese_buyer()
    client = api_as(buyer)
    order = _place(client, listing)
    assert _stock(listing) == (0, ListingStatus.SOLD_OUT)

    response = client.post(f"/orders/{order['id']}/cancel", {"reason": "买错了"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["payment"]["status"] == "cancelled"
    assert body["refunds"] == []
    assert (body["events"][-1]["to"], body["events"][-1]["actor"]) == ("cancelled", buyer.pk)
    event = OrderEvent.objects.filter(subject_id=order["id"]).order_by("-at", "-id").first()
    assert event is not None
    assert (event.from_state, event.to_state, event.actor_id, event.note) == (
        "pending_payment",
        "cancelled",
        buyer.pk,
        "买错了",
    )
    assert _stock(listing) == (1, ListingStatus.ACTIVE)
    assert Order.objects.get(pk=order["id"]).cancelled_at is not None
    assert not JournalEntry.objects.exists()

    late = _pay(client, order)

    assert late.status_code == 409
    assert late.json()["error"]["code"] == "invalid_state"
    assert Order.objects.get(pk=order["id"]).status == "cancelled"
    assert Payment.objects.get(pk=order["payment"]["id"]).status == PaymentStatus.CANCELLED
    assert not JournalEntry.objects.exists()


def test_seller_may_cancel_an_unpaid_order_too(api_as):
    listing = listing_jp(quantity=2)
    order = _place(api_as(chinese_buyer()), listing)

    response = api_as(listing.seller).post(f"/orders/{order['id']}/cancel")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert response.json()["events"][-1]["actor"] == listing.seller_id
    assert _stock(listing) == (2, ListingStatus.ACTIVE)


def test_seller_cancels_a_paid_order_the_buyer_is_refunded_in_full(api_as):
    listing = listing_jp(quantity=1)
    buyer_client, order = _paid_order(api_as, listing)
    assert order["lines"]["shipping"] == {"amount": "85.44", "currency": "CNY"}
    assert order["total"] == {"amount": TOTAL, "currency": "CNY"}
    assert _escrow(order["id"]) == TOTAL_MINOR  # the postage too, until the parcel ships

    response = api_as(listing.seller).post(f"/orders/{order['id']}/cancel", {"reason": "库存有误"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    refunds = response.json()["refunds"]
    assert len(refunds) == 1
    assert refunds[0]["amount"] == {"amount": TOTAL, "currency": "CNY"}
    assert _escrow(order["id"]) == 0
    assert balance(clearing_account("sandbox"), "CNY").minor == 0  # the money went back out
    stored = Order.objects.get(pk=order["id"])
    assert (stored.captured_minor, stored.refunded_minor) == (TOTAL_MINOR, TOTAL_MINOR)
    assert _stock(listing) == (1, ListingStatus.ACTIVE)
    report = api_as(UserFactory(roles=["finance"])).get("/staff/ledger/check").json()
    assert report["balanced"] is True and report["escrow_matches_orders"] is True
    assert report["entries"] == 2  # capture, refund

    seen_by_buyer = buyer_client.get(f"/orders/{order['id']}").json()
    assert seen_by_buyer["status"] == "cancelled"
    assert seen_by_buyer["refunded"] == {"amount": TOTAL, "currency": "CNY"}
    assert [r["status"] for r in seen_by_buyer["refunds"]] == ["succeeded"]
    assert Refund.objects.get().requested_by_id == listing.seller_id


def test_buyer_cancels_a_paid_unshipped_order_and_is_refunded(api_as):
    listing = listing_jp(quantity=1)
    buyer_client, order = _paid_order(api_as, listing)

    response = buyer_client.post(f"/orders/{order['id']}/cancel")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    # Booked at once; the provider confirms it after the request commits.
    assert [(r["amount"]["amount"], r["status"]) for r in response.json()["refunds"]] == [(TOTAL, "pending")]
    view = buyer_client.get(f"/orders/{order['id']}").json()
    assert [(r["amount"]["amount"], r["status"]) for r in view["refunds"]] == [(TOTAL, "succeeded")]
    assert _escrow(order["id"]) == 0
    _assert_books_sound()


def test_cancel_after_a_partial_refund_gives_back_only_the_rest(api_as):
    listing = listing_jp()
    buyer_client, order = _paid_order(api_as, listing)
    seller_client = api_as(listing.seller)
    assert seller_client.post(f"/orders/{order['id']}/refunds", _cny("100.00")).status_code == 201

    response = seller_client.post(f"/orders/{order['id']}/cancel")

    assert response.status_code == 200, response.content
    view = buyer_client.get(f"/orders/{order['id']}").json()
    assert view["status"] == "cancelled"
    assert sorted(r["amount"]["amount"] for r in view["refunds"]) == ["100.00", "324.99"]
    assert all(r["status"] == "succeeded" for r in view["refunds"])
    assert view["refunded"] == {"amount": TOTAL, "currency": "CNY"}
    assert _escrow(order["id"]) == 0
    _assert_books_sound()


@pytest.mark.parametrize("who", ["buyer", "seller"])
def test_no_cancelling_once_shipped(api_as, who):
    listing = listing_jp()
    buyer_client, order = _paid_order(api_as, listing)
    _ship(order)
    client = buyer_client if who == "buyer" else api_as(listing.seller)

    response = client.post(f"/orders/{order['id']}/cancel")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_state"
    assert Order.objects.get(pk=order["id"]).status == "shipped"
    assert not Refund.objects.exists()
    assert _escrow(order["id"]) == TOTAL_MINOR - POSTAGE_MINOR  # the postage went to the carriers payable
    assert balance(platform_account(Purpose.CARRIERS), "CNY").minor == POSTAGE_MINOR


def test_cancelling_twice_is_an_invalid_state(api_as):
    client = api_as(chinese_buyer())
    order = _place(client, listing_jp(quantity=3))
    assert client.post(f"/orders/{order['id']}/cancel").status_code == 200

    again = client.post(f"/orders/{order['id']}/cancel")

    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"
    assert Listing.objects.get(pk=order["listing"]).quantity == 3  # stock given back once only


def test_strangers_cannot_cancel_and_staff_cannot_cancel_for_a_party(api_as):
    listing = listing_jp()
    _client, order = _paid_order(api_as, listing)
    path = f"/orders/{order['id']}/cancel"

    stranger = api_as(chinese_buyer()).post(path)
    assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "not_found"
    finance = api_as(UserFactory(roles=["finance"])).post(path)
    assert finance.status_code == 403

    assert Order.objects.get(pk=order["id"]).status == "paid"
    assert not Refund.objects.exists()


def test_cancel_needs_a_signed_in_user(api, api_as):
    order = _place(api_as(chinese_buyer()), listing_jp())

    assert api.post(f"/orders/{order['id']}/cancel").status_code == 401
    assert Order.objects.get(pk=order["id"]).status == "pending_payment"


# --- seller refunds --------------------------------------------------------------------------


def test_partial_refund_keeps_the_order_paid_and_records_the_refunded_amount(api_as):
    listing = listing_jp()
    buyer_client, order = _paid_order(api_as, listing)
    seller_client = api_as(listing.seller)

    response = seller_client.post(f"/orders/{order['id']}/refunds", _cny("100.00"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("rfd_") and body["order"] == order["id"]
    assert body["amount"] == {"amount": "100.00", "currency": "CNY"}
    assert body["reason"] == "瑕疵 / damage on the sleeve"
    view = buyer_client.get(f"/orders/{order['id']}").json()
    assert view["status"] == "paid"
    assert view["refunded"] == {"amount": "100.00", "currency": "CNY"}
    assert [(r["amount"]["amount"], r["status"]) for r in view["refunds"]] == [("100.00", "succeeded")]
    assert _escrow(order["id"]) == TOTAL_MINOR - 10000
    _assert_books_sound()


def test_refund_larger_than_what_is_held_is_refused_and_changes_nothing(api_as):
    listing = listing_jp()
    _client, order = _paid_order(api_as, listing)
    seller_client = api_as(listing.seller)
    path = f"/orders/{order['id']}/refunds"

    too_much = seller_client.post(path, _cny("425.00"))  # one fen more than was paid

    assert too_much.status_code == 422
    error = too_much.json()["error"]
    assert error["code"] == "refund_too_large"
    assert "amount" in error["fields"]
    assert not Refund.objects.exists()
    assert _escrow(order["id"]) == TOTAL_MINOR

    assert seller_client.post(path, _cny("100.00")).status_code == 201
    over_rest = seller_client.post(path, _cny("325.00"))  # 424.99 - 100.00 = 324.99 left
    assert over_rest.status_code == 422 and over_rest.json()["error"]["code"] == "refund_too_large"
    assert Refund.objects.count() == 1
    assert _escrow(order["id"]) == TOTAL_MINOR - 10000
    _assert_books_sound()


@pytest.mark.parametrize(
    "amount",
    [
        {"amount": "0.00", "currency": "CNY"},
        {"amount": "-1.00", "currency": "CNY"},
        {"amount": "1.001", "currency": "CNY"},
        {"amount": "100", "currency": "JPY"},
        {"amount": "10.00", "currency": "XYZ"},
    ],
)
def test_refund_amount_must_be_positive_exact_and_in_the_buyers_currency(api_as, amount):
    listing = listing_jp()
    _client, order = _paid_order(api_as, listing)

    response = api_as(listing.seller).post(f"/orders/{order['id']}/refunds", {"amount": amount, "reason": "x"})

    assert response.status_code == 422, response.content
    assert not Refund.objects.exists()
    assert _escrow(order["id"]) == TOTAL_MINOR


def test_refunding_the_remainder_refunds_the_order(api_as):
    listing = listing_jp(quantity=1)
    buyer_client, order = _paid_order(api_as, listing)
    seller_client = api_as(listing.seller)
    path = f"/orders/{order['id']}/refunds"
    assert seller_client.post(path, _cny("100.00")).status_code == 201

    rest = seller_client.post(path, _cny("324.99"))

    assert rest.status_code == 201, rest.content
    view = buyer_client.get(f"/orders/{order['id']}").json()
    assert view["status"] == "refunded"
    assert view["refunded"] == {"amount": TOTAL, "currency": "CNY"}
    assert [r["status"] for r in view["refunds"]] == ["succeeded", "succeeded"]
    assert _escrow(order["id"]) == 0
    assert _stock(listing) == (1, ListingStatus.ACTIVE)  # never shipped: the item is for sale again
    _assert_books_sound()
    nothing_left = seller_client.post(path, _cny("0.01"))
    assert nothing_left.status_code == 409 and nothing_left.json()["error"]["code"] == "invalid_state"


def test_only_the_seller_refunds(api_as):
    listing = listing_jp()
    buyer_client, order = _paid_order(api_as, listing)
    path = f"/orders/{order['id']}/refunds"

    by_buyer = buyer_client.post(path, _cny("10.00"))
    by_stranger = api_as(chinese_buyer()).post(path, _cny("10.00"))

    assert by_buyer.status_code == 403 and by_buyer.json()["error"]["code"] == "forbidden"
    assert by_stranger.status_code == 404
    assert not Refund.objects.exists()
    assert _escrow(order["id"]) == TOTAL_MINOR


def test_unpaid_order_has_nothing_to_refund(api_as):
    listing = listing_jp()
    order = _place(api_as(chinese_buyer()), listing)

    response = api_as(listing.seller).post(f"/orders/{order['id']}/refunds", _cny("10.00"))

    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_state"
    assert not Refund.objects.exists()


def test_refund_with_an_idempotency_key_happens_once(api_as):
    listing = listing_jp()
    _client, order = _paid_order(api_as, listing)
    seller_client = api_as(listing.seller)
    path = f"/orders/{order['id']}/refunds"
    headers = {"Idempotency-Key": "refund-7f3a"}

    first = seller_client.post(path, _cny("50.00"), headers=headers)
    again = seller_client.post(path, _cny("50.00"), headers=headers)
    other = seller_client.post(path, _cny("60.00"), headers=headers)

    assert first.status_code == 201, first.content
    assert again.status_code == 201 and again.json() == first.json()
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_conflict"
    assert Refund.objects.count() == 1
    assert Order.objects.get(pk=order["id"]).refunded_minor == 5000
    assert _escrow(order["id"]) == TOTAL_MINOR - 5000
    _assert_books_sound()


def test_partial_refund_after_shipping_is_allowed(api_as):
    listing = listing_jp()
    _client, order = _paid_order(api_as, listing)
    _ship(order)
    path = f"/orders/{order['id']}/refunds"

    response = api_as(listing.seller).post(path, _cny("20.00"))

    assert response.status_code == 201, response.content
    assert Order.objects.get(pk=order["id"]).status == "shipped"
    assert _escrow(order["id"]) == TOTAL_MINOR - POSTAGE_MINOR - 2000
    # The postage went to the carrier on shipping: only what is left in escrow can be refunded.
    too_much = api_as(listing.seller).post(path, _cny("319.56"))  # 424.99 - 85.44 - 20.00 = 319.55
    assert too_much.status_code == 422 and too_much.json()["error"]["code"] == "refund_too_large"
    _assert_books_sound()


# --- confirm and completion ------------------------------------------------------------------


def test_buyer_confirms_receipt_and_the_seller_is_paid_price_minus_commission(api_as):
    listing = listing_jp()  # seller identity-verified
    buyer_client, order = _paid_order(api_as, listing)
    _ship(order)
    assert _escrow(order["id"]) == ITEM_MINOR + FEE_MINOR  # the postage left on shipping
    seller_client = api_as(listing.seller)
    assert seller_client.get("/me/balances").json() == []

    response = buyer_client.post(f"/orders/{order['id']}/confirm")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    assert response.json()["commission"] is None and response.json()["seller_proceeds"] is None  # buyer's view
    # ¥6,800 - 8 % commission (¥544) = ¥6,256, in the seller's own currency.
    assert seller_client.get("/me/balances").json() == [{"currency": "JPY", "available": "6256", "pending": "0"}]
    seller_view = seller_client.get(f"/orders/{order['id']}").json()
    assert seller_view["commission"] == {"amount": "544", "currency": "JPY"}
    assert seller_view["seller_proceeds"] == {"amount": "6256", "currency": "JPY"}
    assert _escrow(order["id"]) == 0
    # Revenue: the buyer fee (9.89) and FX margin (329.66 - 326.40) in CNY, the commission in JPY.
    assert balance(platform_account(Purpose.REVENUE), "CNY").minor == FEE_MINOR + 326
    assert balance(platform_account(Purpose.REVENUE), "JPY").minor == 544
    # The postage is owed to the carrier (handed over on shipping), never the seller's or ours.
    assert balance(platform_account(Purpose.CARRIERS), "CNY").minor == POSTAGE_MINOR
    _assert_books_sound()
    stored = Order.objects.get(pk=order["id"])
    assert stored.completed_at is not None
    assert (stored.remitted_minor, stored.released_minor) == (POSTAGE_MINOR, ITEM_MINOR + FEE_MINOR)
    assert User.objects.get(pk=listing.seller_id).completed_sales == 1
    assert buyer_client.get("/me/balances").json() == []


def test_same_currency_order_releases_without_an_fx_conversion(api_as):
    listing = listing_jp()
    # A buyer in Korea paying in yen for a yen listing.
    client = api_as(UserFactory(country="KR", language="en", currency="JPY", timezone="Asia/Seoul"))
    quote = client.post("/quotes", {"listing": listing.pk, "quantity": 1, "ship_to": SHIP_TO_KR}).json()
    order = client.post("/orders", {"quote": quote["id"]}).json()
    # ¥6,800 + ¥1,780 small-packet postage + 3 % fee on the item (¥204); Korea: nothing due.
    assert order["lines"]["shipping"] == {"amount": "1780", "currency": "JPY"}
    assert order["total"] == {"amount": "8784", "currency": "JPY"}
    assert _pay(client, order).status_code == 200
    _ship(order)
    assert balance(platform_account(Purpose.CARRIERS), "JPY").minor == 1780

    assert client.post(f"/orders/{order['id']}/confirm").status_code == 200

    assert api_as(listing.seller).get("/me/balances").json() == [
        {"currency": "JPY", "available": "6256", "pending": "0"}
    ]
    assert balance(platform_account(Purpose.REVENUE), "JPY").minor == 204 + 544
    assert balance(platform_account(Purpose.FX), "JPY").minor == 0
    assert balance(platform_account(Purpose.CARRIERS), "JPY").minor == 1780
    assert balance(escrow_account(order["id"]), "JPY").minor == 0
    _assert_books_sound()


def test_reliable_seller_pays_the_lower_commission(api_as):
    seller = seller_jp(service_score=80)
    listing = listing_jp(seller)
    buyer_client, order = _paid_order(api_as, listing)
    _ship(order)

    assert buyer_client.post(f"/orders/{order['id']}/confirm").status_code == 200

    # 6 % of ¥6,800 = ¥408.
    assert api_as(seller).get("/me/balances").json() == [{"currency": "JPY", "available": "6392", "pending": "0"}]


def test_unverified_sellers_money_is_held_as_pending(api_as):
    seller = cast(User, UserFactory(verification_level=0))
    listing = listing_jp(seller)
    buyer_client, order = _paid_order(api_as, listing)
    _ship(order)

    assert buyer_client.post(f"/orders/{order['id']}/confirm").status_code == 200

    assert api_as(seller).get("/me/balances").json() == [{"currency": "JPY", "available": "0", "pending": "6256"}]
    _assert_books_sound()


def test_seller_cannot_confirm_receipt(api_as):
    listing = listing_jp()
    _client, order = _paid_order(api_as, listing)
    _ship(order)

    response = api_as(listing.seller).post(f"/orders/{order['id']}/confirm")

    assert response.status_code == 403
    assert Order.objects.get(pk=order["id"]).status == "shipped"
    assert _escrow(order["id"]) == TOTAL_MINOR - POSTAGE_MINOR
    assert api_as(chinese_buyer()).post(f"/orders/{order['id']}/confirm").status_code == 404


def test_confirming_before_shipping_is_an_invalid_state(api_as):
    buyer_client, order = _paid_order(api_as)

    response = buyer_client.post(f"/orders/{order['id']}/confirm")

    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_state"
    assert Order.objects.get(pk=order["id"]).status == "paid"
    assert _escrow(order["id"]) == TOTAL_MINOR


def test_confirming_twice_releases_once(api_as):
    listing = listing_jp()
    buyer_client, order = _paid_order(api_as, listing)
    _ship(order)
    assert buyer_client.post(f"/orders/{order['id']}/confirm").status_code == 200

    again = buyer_client.post(f"/orders/{order['id']}/confirm")

    assert again.status_code == 409
    assert api_as(listing.seller).get("/me/balances").json()[0]["available"] == "6256"
    assert JournalEntry.objects.filter(kind="escrow.release").count() == 1


def test_completion_after_a_partial_refund_releases_only_what_is_left(api_as):
    listing = listing_jp()
    buyer_client, order = _paid_order(api_as, listing)
    assert api_as(listing.seller).post(f"/orders/{order['id']}/refunds", _cny("100.00")).status_code == 201
    _ship(order)

    assert buyer_client.post(f"/orders/{order['id']}/confirm").status_code == 200

    # 100.00 refunded before shipping, the postage (85.44) handed over in full on shipping: the
    # 239.55 left is split between the item and the buyer fee pro rata, and the seller gets the
    # same share of the ¥6,800: 23955 × 32966 / 33955 = 232.57 CNY of the item → ¥4,797 gross.
    stored = Order.objects.get(pk=order["id"])
    assert (stored.refunded_minor, stored.remitted_minor, stored.released_minor) == (
        10000,
        POSTAGE_MINOR,
        TOTAL_MINOR - 10000 - POSTAGE_MINOR,
    )
    gross = 6800 * 23257 // ITEM_MINOR
    assert gross == 4797
    assert stored.seller_proceeds_minor is not None and stored.commission_minor is not None
    assert stored.seller_proceeds_minor + stored.commission_minor == gross
    available = int(api_as(listing.seller).get("/me/balances").json()[0]["available"])
    assert available == stored.seller_proceeds_minor
    assert 0 < available < 6256
    assert _escrow(order["id"]) == 0
    _assert_books_sound()


# --- expiry ----------------------------------------------------------------------------------


def _expire_now(order_id: str) -> None:
    Order.objects.filter(pk=order_id).update(expires_at=timezone.now() - timedelta(seconds=1))


def _run_expiry_job() -> int:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return int(orders_expire.call_local())


def test_unpaid_order_past_its_window_is_cancelled_and_its_stock_released(api_as):
    listing = listing_jp(quantity=1)
    client = api_as(chinese_buyer())
    order = _place(client, listing)
    assert _stock(listing) == (0, ListingStatus.SOLD_OUT)
    _expire_now(order["id"])

    assert _run_expiry_job() == 1

    stored = Order.objects.get(pk=order["id"])
    assert stored.status == "cancelled" and stored.cancelled_at is not None
    assert _stock(listing) == (1, ListingStatus.ACTIVE)
    assert Payment.objects.get(pk=order["payment"]["id"]).status == PaymentStatus.CANCELLED
    last = client.get(f"/orders/{order['id']}").json()["events"][-1]
    assert (last["to"], last["actor"]) == ("cancelled", None)
    assert _pay(client, order).status_code == 409  # the sandbox no longer takes it
    assert _run_expiry_job() == 0  # done once
    assert _stock(listing) == (1, ListingStatus.ACTIVE)


def test_expiry_leaves_paid_and_still_open_orders_alone(api_as):
    listing = listing_jp(quantity=5)
    _buyer_client, paid = _paid_order(api_as, listing)
    _expire_now(paid["id"])  # past the window, but paid
    waiting = _place(api_as(chinese_buyer()), listing)  # inside its 30 minutes

    assert _run_expiry_job() == 0

    assert Order.objects.get(pk=paid["id"]).status == "paid"
    assert _escrow(paid["id"]) == TOTAL_MINOR
    assert Order.objects.get(pk=waiting["id"]).status == "pending_payment"
    assert _stock(listing) == (3, ListingStatus.ACTIVE)
    _assert_books_sound()


def test_failed_payment_does_not_keep_an_order_past_its_window(api_as):
    listing = listing_jp(quantity=1)
    client = api_as(chinese_buyer())
    order = _place(client, listing)
    assert _pay(client, order, outcome="failed").status_code == 200
    _expire_now(order["id"])

    assert _run_expiry_job() == 1

    assert Order.objects.get(pk=order["id"]).status == "cancelled"
    assert Payment.objects.get(pk=order["payment"]["id"]).status == PaymentStatus.CANCELLED
    assert _stock(listing) == (1, ListingStatus.ACTIVE)
    assert _pay(client, order).status_code == 409


def test_capture_reported_after_the_order_expired_is_booked_and_refunded(api_as):
    """The buyer paid at the provider in time, but its callback arrives only after the order
    expired: the money is held and given back at once; the order stays cancelled."""
    listing = listing_jp(quantity=1)
    client = api_as(chinese_buyer())
    order = _place(client, listing)
    with TestCase.captureOnCommitCallbacks(execute=False) as delayed:
        sandbox_customer_pays(payment_id=order["payment"]["id"], outcome="succeeded")
    assert len(delayed) == 1  # the provider's signed callback, not delivered yet
    _expire_now(order["id"])
    assert _run_expiry_job() == 1
    assert _stock(listing) == (1, ListingStatus.ACTIVE)

    with TestCase.captureOnCommitCallbacks(execute=True):
        delayed[0]()  # the late payment.succeeded callback
    with TestCase.captureOnCommitCallbacks(execute=True):
        delayed[0]()  # … delivered twice

    stored = Order.objects.get(pk=order["id"])
    assert stored.status == "cancelled"
    assert (stored.captured_minor, stored.refunded_minor) == (TOTAL_MINOR, TOTAL_MINOR)
    assert Payment.objects.get(pk=order["payment"]["id"]).status == PaymentStatus.SUCCEEDED
    refund = Refund.objects.get(order_id=order["id"])
    assert (refund.amount_minor, refund.currency, refund.status) == (TOTAL_MINOR, "CNY", RefundStatus.SUCCEEDED)
    assert _escrow(order["id"]) == 0
    assert balance(clearing_account("sandbox"), "CNY").minor == 0
    assert ProviderCallback.objects.filter(type="payment.succeeded").count() == 1
    assert JournalEntry.objects.filter(kind="payment.capture").count() == 1
    assert JournalEntry.objects.filter(kind="refund").count() == 1
    assert _stock(listing) == (1, ListingStatus.ACTIVE)  # released once, at expiry
    _assert_books_sound()
    view = client.get(f"/orders/{order['id']}").json()
    assert view["status"] == "cancelled"
    assert [(r["amount"]["amount"], r["status"]) for r in view["refunds"]] == [(TOTAL, "succeeded")]

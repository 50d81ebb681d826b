"""Orders under real concurrency (threads, each with its own connection and real transactions):
one checkout retried 50 times at once places one order; buyers racing for the last pieces never
oversell; a buyer cancelling while the provider's payment callback arrives always ends with the
money back in the buyer's hands and the stock back on the shelf exactly once."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from conftest import ApiClient
from shiji.accounts.services import token_create
from shiji.accounts.tests.factories import chinese_buyer
from shiji.catalog.states import ListingStatus
from shiji.catalog.tests.factories import demo_rates
from shiji.core.models import IdempotencyKey
from shiji.core.tests.concurrency import race, report
from shiji.ledger.models import JournalEntry
from shiji.ledger.selectors import balance
from shiji.ledger.services import escrow_account
from shiji.orders import flow, services
from shiji.orders.models import Order, OrderEvent
from shiji.orders.states import OrderStatus
from shiji.orders.tests.factories import SHIP_TO_CN, listing_jp, order_placed, seller_jp
from shiji.payments.models import Payment, PaymentStatus, Refund, RefundStatus, SandboxOperation
from shiji.payments.tests.provider import (
    assert_ledger_sound,
    customer_pays_callback_in_flight,
    signed_delivery,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


# --- helpers ---------------------------------------------------------------------------------


def path_of(order: Order) -> list[tuple[str, str]]:
    return [(e.from_state, e.to_state) for e in OrderEvent.objects.filter(subject=order).order_by("at", "id")]


# --- one checkout retried at once --------------------------------------------------------------


def test_fifty_simultaneous_requests_with_one_idempotency_key_place_one_order(server_errors):
    threads_count = 50
    demo_rates()
    listing = listing_jp(seller_jp(), quantity=3)
    buyer = chinese_buyer()
    token = token_create(user=buyer)
    quote = services.quote_create(buyer=buyer, listing_id=listing.pk, quantity=1, ship_to=SHIP_TO_CN)

    def checkout() -> Any:
        return ApiClient(token).post("/orders", {"quote": quote.pk}, headers={"Idempotency-Key": "checkout-7f3a9c"})

    responses = race([checkout] * threads_count)

    assert [r.status_code for r in responses] == [201] * threads_count, report(errors=server_errors)
    bodies = {r.content for r in responses}
    assert len(bodies) == 1, "the duplicates did not all get the first response"
    order = Order.objects.get()
    payment = Payment.objects.get()
    body = json.loads(bodies.pop())
    assert (body["id"], body["status"], body["payment"]["id"]) == (order.pk, "pending_payment", payment.pk)
    assert payment.order_id == order.pk
    assert SandboxOperation.objects.filter(kind="payment").count() == 1
    assert path_of(order) == [("", OrderStatus.PENDING_PAYMENT)]
    assert IdempotencyKey.objects.filter(user=buyer).count() == 1
    listing.refresh_from_db()
    assert listing.quantity == 2  # one piece reserved, once
    assert server_errors == [], report(errors=server_errors)


# --- the last pieces -----------------------------------------------------------------------------


def test_thirty_buyers_racing_for_five_pieces_never_oversell(server_errors):
    buyers_count, stock = 30, 5
    demo_rates()
    listing = listing_jp(seller_jp(), quantity=stock)
    buyers = [chinese_buyer() for _ in range(buyers_count)]
    clients = [ApiClient(token_create(user=buyer)) for buyer in buyers]
    quotes = [
        services.quote_create(buyer=buyer, listing_id=listing.pk, quantity=1, ship_to=SHIP_TO_CN) for buyer in buyers
    ]

    def checkout(client: ApiClient, quote_id: str) -> Callable[[], Any]:
        return lambda: client.post("/orders", {"quote": quote_id}, headers={"Idempotency-Key": f"buy-{quote_id}"})

    responses = race([checkout(client, quote.pk) for client, quote in zip(clients, quotes, strict=True)])

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: stock, 409: buyers_count - stock}, report(statuses, errors=server_errors)
    refused = [r.json()["error"]["code"] for r in responses if r.status_code == 409]
    assert refused == ["out_of_stock"] * (buyers_count - stock)
    winners = {buyers[n].pk for n, r in enumerate(responses) if r.status_code == 201}
    orders = list(Order.objects.all())
    assert len(orders) == stock
    assert {o.buyer_id for o in orders} == winners
    assert sum(o.quantity for o in orders) == stock
    assert Payment.objects.count() == stock
    listing.refresh_from_db()
    assert (listing.quantity, listing.status) == (0, ListingStatus.SOLD_OUT)
    # The losers changed nothing: no key was kept, so a retry would be judged afresh.
    assert IdempotencyKey.objects.count() == stock
    assert server_errors == [], report(errors=server_errors)


# --- cancel versus payment ---------------------------------------------------------------------


# Whichever side wins: the callback (paid, then cancelled with a refund) or the cancel (cancelled,
# then the late capture is booked and refunded at once).
PAID_THEN_CANCELLED = [
    ("", OrderStatus.PENDING_PAYMENT),
    (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID),
    (OrderStatus.PAID, OrderStatus.CANCELLED),
]
CANCELLED_BEFORE_CAPTURE = [("", OrderStatus.PENDING_PAYMENT), (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED)]


def _assert_cancelled_and_refunded_once(order: Order) -> None:
    """The order ends cancelled, the capture booked once and refunded in full once."""
    order.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert order.status == OrderStatus.CANCELLED
    assert path_of(order) in (PAID_THEN_CANCELLED, CANCELLED_BEFORE_CAPTURE)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert (order.captured_minor, order.refunded_minor, order.escrow_expected_minor) == (
        order.total_minor,
        order.total_minor,
        0,
    )
    assert balance(escrow_account(order.pk), order.currency).minor == 0
    assert JournalEntry.objects.filter(key=f"capture:{payment.pk}").count() == 1
    refunds = list(Refund.objects.filter(order=order))
    assert [(r.amount_minor, r.status) for r in refunds] == [(order.total_minor, RefundStatus.SUCCEEDED)]
    assert JournalEntry.objects.filter(order_id=order.pk, kind="refund").count() == 1


def test_buyer_cancelling_while_the_payment_callback_arrives_ends_consistent(monkeypatch, server_errors):
    pairs = 6
    demo_rates()
    listing = listing_jp(seller_jp(), quantity=pairs)
    buyer = chinese_buyer()
    buyer_api = ApiClient(token_create(user=buyer))
    orders = [order_placed(buyer=buyer, listing=listing) for _ in range(pairs)]
    events = [customer_pays_callback_in_flight(order, monkeypatch) for order in orders]

    def cancel(order_id: str) -> Callable[[], Any]:
        return lambda: ApiClient(buyer_api.token).post(f"/orders/{order_id}/cancel", {"reason": "changed my mind"})

    attempts: list[Callable[[], Any]] = []
    for order, event in zip(orders, events, strict=True):
        attempts += [cancel(order.pk), signed_delivery(event)]

    responses = race(attempts)

    for n in range(pairs):
        cancelled, delivered = responses[2 * n], responses[2 * n + 1]
        assert cancelled.status_code == 200, report(cancelled.content, errors=server_errors)
        assert cancelled.json()["status"] == OrderStatus.CANCELLED
        assert delivered.status_code == 200, report(delivered.content, errors=server_errors)
        assert delivered.json() == {"received": True, "result": "applied"}
    for order in orders:  # whichever side won each race
        _assert_cancelled_and_refunded_once(order)
    listing.refresh_from_db()
    assert (listing.quantity, listing.status) == (pairs, ListingStatus.ACTIVE)  # each piece back once
    assert_ledger_sound()
    assert server_errors == [], report(errors=server_errors)


@pytest.mark.postgres
def test_cancel_and_callback_each_holding_a_lock_the_other_needs_both_succeed(monkeypatch, server_errors):
    """The worst interleaving, forced: the callback has locked the payment and is about to lock
    the order while the cancel has locked the order and is about to lock the payment. Neither
    the buyer nor the provider may get an error (a deadlock is a 500)."""
    demo_rates()
    listing = listing_jp(seller_jp(), quantity=1)
    buyer = chinese_buyer()
    token = token_create(user=buyer)
    order = order_placed(buyer=buyer, listing=listing)
    event = customer_pays_callback_in_flight(order, monkeypatch)

    callback_holds_payment = threading.Event()
    cancel_holds_order = threading.Event()
    original_lock = flow._lock

    def interleaved_lock(order_id: str) -> Order:
        name = threading.current_thread().name
        if name == "callback":  # _dispatch has locked the payment row by now
            callback_holds_payment.set()
            cancel_holds_order.wait(timeout=3)
            return original_lock(order_id)
        if name == "cancel":
            callback_holds_payment.wait(timeout=3)
            locked = original_lock(order_id)
            cancel_holds_order.set()
            return locked
        return original_lock(order_id)

    monkeypatch.setattr(flow, "_lock", interleaved_lock)

    cancelled, delivered = race(
        [lambda: ApiClient(token).post(f"/orders/{order.pk}/cancel", {}), signed_delivery(event)],
        names=["cancel", "callback"],
    )

    assert cancelled.status_code == 200, report(cancelled.content, errors=server_errors)
    assert delivered.status_code == 200, report(delivered.content, errors=server_errors)
    _assert_cancelled_and_refunded_once(order)
    listing.refresh_from_db()
    assert (listing.quantity, listing.status) == (1, ListingStatus.ACTIVE)
    assert_ledger_sound()
    assert server_errors == [], report(errors=server_errors)

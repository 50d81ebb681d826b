"""POST /api/v1/webhooks/payments/{provider}: signed provider callbacks (API.md "Signed callbacks").

The sandbox's events are captured (``sandbox._send`` patched) instead of being delivered by the
queue, so each test posts them itself, as the provider's servers would, signed with
``SHIJI_SANDBOX_PAYMENT_SECRET``.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.conf import settings
from django.test import TestCase

from shiji.core.ids import new_id
from shiji.core.money import Money
from shiji.core.signatures import SIGNATURE_HEADER, sign
from shiji.ledger.check import ledger_check
from shiji.ledger.models import JournalEntry
from shiji.ledger.selectors import balance
from shiji.ledger.services import clearing_account, escrow_account, user_account
from shiji.orders import flow
from shiji.orders.models import Order
from shiji.orders.states import OrderStatus
from shiji.orders.tests.factories import listing_jp, mark_shipped, order_placed, pay, seller_jp
from shiji.payments.callbacks import callback_receive
from shiji.payments.models import (
    CallbackStatus,
    Payment,
    PaymentStatus,
    Payout,
    PayoutStatus,
    ProviderCallback,
    Refund,
    RefundStatus,
)
from shiji.payments.payouts import payout_request
from shiji.payments.providers import sandbox
from shiji.payments.providers.sandbox import sandbox_customer_pays
from shiji.risk.models import RiskEvent

pytestmark = pytest.mark.django_db

WEBHOOK = "/api/v1/webhooks/payments/sandbox"


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What the sandbox provider sends, kept here instead of being delivered."""
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(sandbox, "_send", sent.append)
    return sent


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def signature(body: bytes, *, timestamp: int | None = None, secret: str | None = None) -> dict[str, str]:
    return {SIGNATURE_HEADER: sign(body, secret or settings.SHIJI_SANDBOX_PAYMENT_SECRET, timestamp=timestamp)}


def post_body(client: Any, body: bytes, headers: dict[str, str] | None = None, path: str = WEBHOOK) -> Any:
    return client.post(
        path, data=body, content_type="application/json", headers=signature(body) if headers is None else headers
    )


def post_event(client: Any, event: dict[str, Any], path: str = WEBHOOK) -> Any:
    return post_body(client, encode(event), path=path)


def payment_of(order: Order) -> Payment:
    return Payment.objects.get(order=order)


def payment_event(payment: Payment, kind: str = "payment.succeeded", **overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": new_id("evt"),
        "type": kind,
        "payment_id": payment.pk,
        "amount": Money(payment.amount_minor, payment.currency).as_dict(),
        "at": "2025-01-01T00:00:00Z",
    }
    if kind == "payment.failed":
        event["reason"] = "card_declined"
    event.update(overrides)
    return event


def state(order: Order) -> dict[str, Any]:
    """Everything a refused callback must leave as it was."""
    order.refresh_from_db()
    payment = payment_of(order)
    return {
        "order": order.status,
        "captured": order.captured_minor,
        "payment": payment.status,
        "callbacks": ProviderCallback.objects.count(),
        "entries": JournalEntry.objects.count(),
        "escrow": balance(escrow_account(order.pk), order.currency).minor,
    }


def assert_ledger_consistent() -> None:
    report = ledger_check()
    assert report.balanced, report.problems
    assert report.escrow_matches_orders, report.problems
    assert report.payouts_match, report.problems


def assert_pending_and_untouched(order: Order) -> None:
    now = state(order)
    assert now["order"] == OrderStatus.PENDING_PAYMENT
    assert now["payment"] == PaymentStatus.REQUIRES_PAYMENT
    assert now["captured"] == 0
    assert now["callbacks"] == 0
    assert now["entries"] == 0
    assert now["escrow"] == 0


# --- the happy path --------------------------------------------------------------------------


def test_the_sandbox_event_for_a_paid_order_marks_it_paid_and_holds_the_money(client, outbox):
    order = order_placed()
    payment = payment_of(order)
    sandbox_customer_pays(payment_id=payment.pk, outcome="succeeded")
    assert [event["type"] for event in outbox] == ["payment.succeeded"]
    assert order.status == OrderStatus.PENDING_PAYMENT  # nothing happens until the callback arrives

    response = post_event(client, outbox[0])

    assert response.status_code == 200, response.content
    assert response.json() == {"received": True, "result": "applied"}
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.paid_at is not None
    assert payment.status == PaymentStatus.SUCCEEDED
    assert order.captured_minor == order.total_minor == payment.amount_minor
    capture = JournalEntry.objects.get(key=f"capture:{payment.pk}")
    assert capture.order_id == order.pk
    assert balance(escrow_account(order.pk), order.currency).minor == order.total_minor
    assert balance(clearing_account("sandbox"), order.currency).minor == -order.total_minor
    record = ProviderCallback.objects.get()
    assert (record.event_id, record.status, record.object_id) == (outbox[0]["id"], CallbackStatus.APPLIED, payment.pk)
    assert_ledger_consistent()


def test_a_signature_a_few_minutes_old_is_still_accepted(client):
    order = order_placed()
    body = encode(payment_event(payment_of(order)))
    response = post_body(client, body, signature(body, timestamp=int(time.time()) - 240))
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


# --- refused before anything is read ---------------------------------------------------------


@pytest.mark.parametrize(
    "how",
    ["missing", "wrong_secret", "other_body", "six_minutes_old", "six_minutes_ahead", "garbage", "no_v1"],
)
def test_a_bad_signature_is_400_and_changes_nothing(client, how):
    order = order_placed()
    body = encode(payment_event(payment_of(order)))
    now = int(time.time())
    headers = {
        "missing": {},
        "wrong_secret": signature(body, secret="not-the-provider-secret"),
        "other_body": signature(body.replace(b"payment.succeeded", b"payment.failed")),
        "six_minutes_old": signature(body, timestamp=now - 360),
        "six_minutes_ahead": signature(body, timestamp=now + 360),
        "garbage": {SIGNATURE_HEADER: "hello"},
        "no_v1": {SIGNATURE_HEADER: f"t={now}"},
    }[how]

    response = post_body(client, body, headers)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_signature"
    assert_pending_and_untouched(order)
    assert not RiskEvent.objects.exists()


def test_an_unknown_provider_is_404(client):
    order = order_placed()
    response = post_event(client, payment_event(payment_of(order)), path="/api/v1/webhooks/payments/stripe")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert_pending_and_untouched(order)


@pytest.mark.parametrize(
    "body",
    [
        b"{this is not json",
        b"\xff\xfe\x00",
        b"[]",
        b'"payment.succeeded"',
        b'{"type":"payment.succeeded"}',
    ],
)
def test_a_correctly_signed_body_that_is_not_a_callback_is_400(client, body):
    order = order_placed()
    response = post_body(client, body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert_pending_and_untouched(order)


@pytest.mark.parametrize(
    "overrides",
    [
        {"type": "payment.exploded"},
        {"amount": None},
        {"amount": {"amount": "1.234", "currency": "CNY"}},
        {"payment_id": ""},
    ],
)
def test_a_signed_event_of_the_wrong_shape_is_400(client, overrides):
    order = order_placed()
    response = post_event(client, payment_event(payment_of(order), **overrides))
    assert response.status_code == 400
    assert_pending_and_untouched(order)


# --- exactly once ----------------------------------------------------------------------------


def test_the_same_event_twice_answers_200_and_captures_once(client):
    order = order_placed()
    payment = payment_of(order)
    event = payment_event(payment)

    first = post_event(client, event)
    second = post_event(client, event)

    assert first.status_code == second.status_code == 200
    assert first.json()["result"] == "applied"
    assert second.json()["result"] == "duplicate"
    assert JournalEntry.objects.count() == 1
    assert ProviderCallback.objects.count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.captured_minor == order.total_minor
    assert_ledger_consistent()


def test_two_event_ids_for_the_same_success_capture_once(client):
    order = order_placed()
    payment = payment_of(order)

    first = post_event(client, payment_event(payment))
    second = post_event(client, payment_event(payment))

    assert first.status_code == second.status_code == 200
    assert JournalEntry.objects.filter(key=f"capture:{payment.pk}").count() == 1
    assert JournalEntry.objects.filter(kind="payment.capture").count() == 1
    assert ProviderCallback.objects.count() == 2  # both recorded, one money effect
    order.refresh_from_db()
    assert order.captured_minor == order.total_minor
    assert balance(escrow_account(order.pk), order.currency).minor == order.total_minor
    assert balance(clearing_account("sandbox"), order.currency).minor == -order.total_minor
    assert_ledger_consistent()


# --- signed but not matching our books --------------------------------------------------------


def _other_currency(currency: str) -> str:
    return "USD" if currency != "USD" else "EUR"


@pytest.mark.parametrize("change", ["one_more", "one_less", "currency", "half"])
def test_a_callback_for_another_amount_or_currency_is_400_logged_and_changes_nothing(client, change):
    order = order_placed()
    payment = payment_of(order)
    assert payment.currency == "CNY"  # two minor digits, so the same digits are valid in USD too
    wrong = {
        "one_more": Money(payment.amount_minor + 1, payment.currency),
        "one_less": Money(payment.amount_minor - 1, payment.currency),
        "currency": Money(payment.amount_minor, _other_currency(payment.currency)),
        "half": Money(payment.amount_minor // 2, payment.currency),
    }[change]

    response = post_event(client, payment_event(payment, amount=wrong.as_dict()))

    assert response.status_code == 400
    assert "error" in response.json()
    assert_pending_and_untouched(order)
    risk = RiskEvent.objects.get(kind="payment_callback_mismatch")
    assert risk.subject_id == payment.pk
    assert risk.data["expected"] == Money(payment.amount_minor, payment.currency).as_dict()


def test_a_mismatched_failure_is_refused_too(client):
    order = order_placed()
    payment = payment_of(order)
    wrong = Money(payment.amount_minor + 100, payment.currency).as_dict()
    response = post_event(client, payment_event(payment, "payment.failed", amount=wrong))
    assert response.status_code == 400
    assert_pending_and_untouched(order)
    assert RiskEvent.objects.filter(kind="payment_callback_mismatch").count() == 1


def test_a_callback_for_an_unknown_payment_is_400_and_logged(client):
    order = order_placed()
    payment = payment_of(order)
    response = post_event(client, payment_event(payment, payment_id=new_id("pay")))
    assert response.status_code == 400
    assert_pending_and_untouched(order)
    risk = RiskEvent.objects.get()
    assert risk.kind == "payment_callback_unknown_object"
    assert risk.subject_type == "payment_callback"


# --- disorder --------------------------------------------------------------------------------


def test_a_failure_reported_after_the_success_is_recorded_and_ignored(client):
    order = order_placed()
    payment = payment_of(order)
    assert post_event(client, payment_event(payment)).status_code == 200

    late_failure = payment_event(payment, "payment.failed")
    response = post_event(client, late_failure)

    assert response.status_code == 200
    assert response.json()["result"] == "ignored"
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.failure_reason == ""
    assert ProviderCallback.objects.get(event_id=late_failure["id"]).status == CallbackStatus.IGNORED
    assert JournalEntry.objects.count() == 1
    assert_ledger_consistent()


def test_a_failure_then_a_successful_retry_ends_paid(client):
    order = order_placed()
    payment = payment_of(order)

    assert post_event(client, payment_event(payment, "payment.failed")).status_code == 200
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (OrderStatus.PENDING_PAYMENT, PaymentStatus.FAILED)
    assert payment.failure_reason == "card_declined"
    assert JournalEntry.objects.count() == 0

    assert post_event(client, payment_event(payment)).status_code == 200
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (OrderStatus.PAID, PaymentStatus.SUCCEEDED)
    assert payment.failure_reason == ""
    assert_ledger_consistent()


# --- refunds ---------------------------------------------------------------------------------


def _paid_order_with_pending_refund(client: Any, outbox: list[dict[str, Any]]) -> tuple[Order, Refund]:
    """A paid order whose seller gave 10.00 back; the provider's refund.succeeded is in ``outbox``."""
    order = order_placed()
    payment = payment_of(order)
    sandbox_customer_pays(payment_id=payment.pk, outcome="succeeded")
    assert post_event(client, outbox.pop()).status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        refund = flow.order_refund(
            user=order.seller,
            order_id=order.pk,
            amount=Money(1000, order.currency),
            reason="a small stain",
        )
    assert [event["type"] for event in outbox] == ["refund.succeeded"]
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PENDING
    return order, refund


def test_a_refund_callback_settles_the_refund_once(client, outbox):
    order, refund = _paid_order_with_pending_refund(client, outbox)
    event = outbox.pop()
    entries = JournalEntry.objects.count()

    first = post_event(client, event)
    second = post_event(client, event)

    assert first.status_code == second.status_code == 200
    assert second.json()["result"] == "duplicate"
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.settled_at is not None
    assert order.refunded_minor == 1000
    assert order.status == OrderStatus.PAID  # money is still held for the rest
    # The money left escrow when the refund was booked; the confirmation moves nothing.
    assert JournalEntry.objects.count() == entries
    assert balance(escrow_account(order.pk), order.currency).minor == order.total_minor - 1000
    assert_ledger_consistent()


def test_a_refund_callback_with_the_wrong_amount_is_refused(client, outbox):
    _order, refund = _paid_order_with_pending_refund(client, outbox)
    event = outbox.pop()
    event["amount"] = Money(refund.amount_minor + 1, refund.currency).as_dict()
    response = post_event(client, event)
    assert response.status_code == 400
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PENDING
    assert RiskEvent.objects.filter(kind="payment_callback_mismatch", subject_id=refund.pk).exists()
    assert not ProviderCallback.objects.filter(event_id=event["id"]).exists()


def test_a_refund_confirmed_before_the_capture_reaches_our_books_is_parked_then_applied(client, outbox):
    """Through the services a refund can only be asked for once the capture is booked, so a
    refund.succeeded ahead of its payment cannot be produced honestly end to end. The payment's
    status is rewound by hand (a queryset update) to put our books in the state the parking rule
    guards against: a known refund whose payment we have not seen captured."""
    order, refund = _paid_order_with_pending_refund(client, outbox)
    refund_event = outbox.pop()
    payment = payment_of(order)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REQUIRES_PAYMENT)

    parked = post_event(client, refund_event)

    assert parked.status_code == 200
    assert parked.json()["result"] == "parked"
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PENDING
    assert ProviderCallback.objects.get(event_id=refund_event["id"]).status == CallbackStatus.PARKED

    # The capture arrives (a different event id from the one already applied): no second capture,
    # and the parked refund is applied right after it.
    capture = post_event(client, payment_event(payment))

    assert capture.status_code == 200
    refund.refresh_from_db()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert refund.status == RefundStatus.SUCCEEDED
    record = ProviderCallback.objects.get(event_id=refund_event["id"])
    assert record.status == CallbackStatus.APPLIED
    assert JournalEntry.objects.filter(kind="payment.capture").count() == 1
    # Delivering the refund event again changes nothing.
    assert post_event(client, refund_event).json()["result"] == "duplicate"
    assert_ledger_consistent()


def test_a_refund_event_for_an_unknown_refund_is_400_and_logged(client):
    order = order_placed()
    payment = payment_of(order)
    event = {
        "id": new_id("evt"),
        "type": "refund.succeeded",
        "refund_id": new_id("rfd"),
        "payment_id": payment.pk,
        "amount": {"amount": "1.00", "currency": "CNY"},
        "at": "2025-01-01T00:00:00Z",
    }
    response = post_event(client, event)
    assert response.status_code == 400
    assert RiskEvent.objects.filter(kind="payment_callback_unknown_object").count() == 1
    assert_pending_and_untouched(order)


def test_the_sandbox_webhook_is_404_when_the_sandbox_is_switched_off(client, settings):
    order = order_placed()
    event = payment_event(payment_of(order))
    settings.SHIJI_SANDBOX = False
    response = post_event(client, event)
    assert response.status_code == 404
    assert_pending_and_untouched(order)


# --- payouts ---------------------------------------------------------------------------------


def _payout_in_flight(outbox: list[dict[str, Any]], yen: int) -> Payout:
    """A verified seller's completed sale, then a payout whose bank answer sits in ``outbox``."""
    seller = seller_jp()
    order = order_placed(listing=listing_jp(seller))
    pay(order)  # outbox holds payment.succeeded: deliver it the way the provider would
    with TestCase.captureOnCommitCallbacks(execute=True):
        deliver_now(outbox.pop())
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    mark_shipped(order)
    with TestCase.captureOnCommitCallbacks(execute=True):
        flow.order_complete(order_id=order.pk)
    with TestCase.captureOnCommitCallbacks(execute=True):
        payout = payout_request(user=seller, amount=Money(yen, "JPY"))
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PROCESSING
    return payout


def deliver_now(event: dict[str, Any]) -> None:
    body = encode(event)
    callback_receive(provider_name="sandbox", body=body, headers=signature(body))


def test_a_payout_callback_for_another_amount_is_refused_and_logged(client, outbox):
    payout = _payout_in_flight(outbox, 3000)
    event = outbox.pop()
    assert event["type"] == "payout.paid"
    event["amount"] = {"amount": "30000", "currency": "JPY"}
    response = post_event(client, event)
    assert response.status_code == 400
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PROCESSING
    assert RiskEvent.objects.filter(kind="payment_callback_mismatch", subject_id=payout.pk).exists()
    assert_ledger_consistent()


def test_a_payout_failure_reported_after_it_was_paid_changes_nothing(client, outbox):
    payout = _payout_in_flight(outbox, 3000)
    paid = outbox.pop()
    assert post_event(client, paid).status_code == 200
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    available = balance(user_account(payout.user_id), "JPY").minor

    late = dict(paid, id=new_id("evt"), type="payout.failed", reason="account_closed")
    response = post_event(client, late)

    assert response.status_code == 200
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    assert payout.failure_reason == ""
    assert balance(user_account(payout.user_id), "JPY").minor == available  # not paid back twice
    assert not JournalEntry.objects.filter(key=f"payout-failed:{payout.pk}").exists()
    assert_ledger_consistent()

"""Recovery after a crash (``shiji.payments.recovery``, ``shiji recover``): what the provider did
that a crash kept from our books is booked, what a crash kept from the provider is handed over
— once — and a second run finds nothing to do. The crash harness (shiji/reliability) proves
the same against real processes; these are the single cases, on every database."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone

from shiji.accounts.models import User
from shiji.ledger.check import ledger_check
from shiji.ledger.models import JournalEntry
from shiji.orders import flow
from shiji.orders.models import Order
from shiji.orders.states import OrderStatus
from shiji.orders.tests.factories import listing_jp, mark_shipped, order_placed, pay, seller_jp
from shiji.payments import tasks as payment_tasks
from shiji.payments.models import (
    Payment,
    PaymentStatus,
    Payout,
    PayoutStatus,
    Refund,
    RefundStatus,
    SandboxOperation,
)
from shiji.payments.payouts import payout_request
from shiji.payments.providers import sandbox
from shiji.payments.providers.sandbox import SandboxProvider, sandbox_customer_pays
from shiji.payments.recovery import RecoveryReport, recover
from shiji.payments.tests.provider import signed_delivery
from shiji.risk.models import RiskEvent

pytestmark = pytest.mark.django_db

NOW = timedelta(0)


@pytest.fixture
def lost_callbacks(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The provider acts, but its callbacks never reach us (they died with our process)."""
    lost: list[dict[str, Any]] = []
    monkeypatch.setattr(sandbox, "_send", lost.append)
    return lost


def recover_now() -> RecoveryReport:
    """Run recovery with no grace, its after-commit work (jobs, callbacks) included."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return recover(grace=NOW)


def nothing(**counts: int) -> dict[str, int]:
    return {**RecoveryReport().as_dict(), **counts}


def assert_books_sound() -> None:
    report = ledger_check()
    assert (report.balanced, report.escrow_matches_orders, report.payouts_match) == (True, True, True), report.problems


# --- payments ------------------------------------------------------------------------------


def test_a_capture_whose_callback_was_lost_is_booked_once(lost_callbacks):
    order = order_placed()
    payment = Payment.objects.get(order=order)
    sandbox_customer_pays(payment_id=payment.pk, outcome="succeeded")
    assert [event["type"] for event in lost_callbacks] == ["payment.succeeded"]

    assert recover_now().as_dict() == nothing(payments_booked=1)

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (OrderStatus.PAID, PaymentStatus.SUCCEEDED)
    assert order.captured_minor == order.total_minor
    assert recover_now().as_dict() == nothing()  # a second run finds nothing to do
    assert JournalEntry.objects.filter(key=f"capture:{payment.pk}").count() == 1
    assert_books_sound()


def test_a_capture_is_booked_before_its_unpaid_looking_order_would_expire(lost_callbacks):
    order = order_placed()
    sandbox_customer_pays(payment_id=Payment.objects.get(order=order).pk, outcome="succeeded")
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert recover_now().as_dict() == nothing(payments_booked=1)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID  # the buyer paid: the order is not expired under them
    assert_books_sound()


def test_the_late_callback_after_recovery_changes_nothing(lost_callbacks):
    order = order_placed()
    sandbox_customer_pays(payment_id=Payment.objects.get(order=order).pk, outcome="succeeded")
    recover_now()
    entries = JournalEntry.objects.count()

    response = signed_delivery(lost_callbacks[0])()  # the provider's re-send, at last

    assert response.status_code == 200
    assert response.json()["result"] == "applied"  # recorded; the capture was already booked

    assert JournalEntry.objects.count() == entries
    assert_books_sound()


def test_recent_work_is_left_to_the_callbacks_on_their_way(lost_callbacks):
    order = order_placed()
    sandbox_customer_pays(payment_id=Payment.objects.get(order=order).pk, outcome="succeeded")

    assert recover(grace=timedelta(minutes=5)).as_dict() == nothing()

    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT


def test_declined_or_never_paid_payments_are_not_booked(lost_callbacks):
    declined, unpaid = order_placed(), order_placed()
    sandbox_customer_pays(payment_id=Payment.objects.get(order=declined).pk, outcome="failed")

    assert recover_now().as_dict() == nothing()

    assert set(Order.objects.filter(pk__in=[declined.pk, unpaid.pk]).values_list("status", flat=True)) == {
        OrderStatus.PENDING_PAYMENT
    }


def test_a_provider_amount_that_differs_is_not_booked_and_staff_are_told(lost_callbacks):
    order = order_placed()
    payment = Payment.objects.get(order=order)
    sandbox_customer_pays(payment_id=payment.pk, outcome="succeeded")
    SandboxOperation.objects.filter(target_id=payment.pk).update(amount_minor=payment.amount_minor + 1)

    assert recover_now().as_dict() == nothing(mismatches=1)

    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.REQUIRES_PAYMENT
    event = RiskEvent.objects.get(kind="provider_record_mismatch")
    assert (event.subject_type, event.subject_id) == ("payment", payment.pk)


# --- orders --------------------------------------------------------------------------------


def test_an_unpaid_order_past_its_window_is_expired_and_its_stock_released():
    listing = listing_jp(quantity=3)
    order = order_placed(listing=listing, quantity=2)
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert recover_now().as_dict() == nothing(orders_expired=1)

    listing.refresh_from_db()
    assert (Order.objects.get(pk=order.pk).status, listing.quantity) == (OrderStatus.CANCELLED, 3)
    assert Payment.objects.get(order=order).status == PaymentStatus.CANCELLED


# --- payouts and refunds -------------------------------------------------------------------


def seller_with_money() -> User:
    from shiji.payments.tests.factories import payout_account

    seller = seller_jp()
    payout_account(seller)
    order = pay(order_placed(listing=listing_jp(seller)))
    mark_shipped(order)
    with TestCase.captureOnCommitCallbacks(execute=True):
        flow.order_complete(order_id=order.pk)
    return seller


def payout_whose_job_died(monkeypatch: pytest.MonkeyPatch, seller: User) -> Payout:
    from shiji.core.money import Money

    with monkeypatch.context() as patch:
        patch.setattr(payment_tasks, "payout_send", lambda payout_id: None)
        with TestCase.captureOnCommitCallbacks(execute=True):
            payout = payout_request(user=seller, amount=Money(3000, "JPY"))
    return payout


def test_a_payout_whose_job_died_is_sent_once(monkeypatch):
    payout = payout_whose_job_died(monkeypatch, seller_with_money())
    assert not SandboxOperation.objects.filter(target_id=payout.pk).exists()

    assert recover_now().as_dict() == nothing(payouts_sent=1)

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID and payout.provider_ref  # its callback arrived
    assert SandboxOperation.objects.filter(target_id=payout.pk).count() == 1
    assert recover_now().as_dict() == nothing()
    assert_books_sound()


def test_a_payout_the_provider_paid_before_we_committed_is_settled_not_resent(monkeypatch):
    payout = payout_whose_job_died(monkeypatch, seller_with_money())
    lost_callbacks: list[dict[str, Any]] = []
    monkeypatch.setattr(sandbox, "_send", lost_callbacks.append)
    ref = SandboxProvider().payout(payout)  # the provider paid it; then our process died
    lost_callbacks.clear()

    assert recover_now().as_dict() == nothing(payouts_settled=1)

    payout.refresh_from_db()
    assert (payout.status, payout.provider_ref) == (PayoutStatus.PAID, ref)
    assert lost_callbacks == []  # nothing was sent to the provider again
    assert_books_sound()


def test_a_payout_the_bank_rejected_goes_back_to_the_balance(monkeypatch):
    from shiji.core.money import Money

    seller = seller_with_money()
    with monkeypatch.context() as patch:
        patch.setattr(payment_tasks, "payout_send", lambda payout_id: None)
        payout = payout_request(user=seller, amount=Money(1013, "JPY"))  # the sandbox bank rejects …13
    monkeypatch.setattr(sandbox, "_send", lambda event: None)  # its callback is lost
    SandboxProvider().payout(payout)

    assert recover_now().as_dict() == nothing(payouts_settled=1)

    payout.refresh_from_db()
    assert (payout.status, payout.failure_reason) == (PayoutStatus.FAILED, "account_closed")
    assert_books_sound()


def test_held_payouts_wait_for_staff(monkeypatch):
    from shiji.payments.models import PayoutEvent

    payout = payout_whose_job_died(monkeypatch, seller_with_money())
    Payout.objects.filter(pk=payout.pk).update(status=PayoutStatus.HELD)
    PayoutEvent.objects.create(subject=payout, from_state="requested", to_state="held")

    assert recover_now().as_dict() == nothing()


def test_a_refund_whose_job_died_is_sent_and_settled(monkeypatch):
    order = pay(order_placed())
    with monkeypatch.context() as patch:
        patch.setattr(payment_tasks, "refund_send", lambda refund_id: None)
        with TestCase.captureOnCommitCallbacks(execute=True):
            flow.order_cancel(user=order.buyer, order_id=order.pk)
    refund = Refund.objects.get(order=order)
    assert refund.status == RefundStatus.PENDING

    assert recover_now().as_dict() == nothing(refunds_sent=1)

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.provider_ref
    assert_books_sound()


def test_a_refund_the_provider_made_whose_callback_was_lost_is_settled(monkeypatch):
    order = pay(order_placed())
    with monkeypatch.context() as patch:
        patch.setattr(payment_tasks, "refund_send", lambda refund_id: None)
        flow.order_cancel(user=order.buyer, order_id=order.pk)
    refund = Refund.objects.get(order=order)
    monkeypatch.setattr(sandbox, "_send", lambda event: None)  # its callback is lost
    SandboxProvider().refund(refund)

    assert recover_now().as_dict() == nothing(refunds_settled=1)

    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.SUCCEEDED
    assert_books_sound()


# --- the command ---------------------------------------------------------------------------


def test_shiji_recover_prints_what_it_did(lost_callbacks):
    order = order_placed()
    sandbox_customer_pays(payment_id=Payment.objects.get(order=order).pk, outcome="succeeded")
    out = io.StringIO()

    call_command("recover", "--grace", "0", stdout=out)

    assert "payments_booked: 1" in out.getvalue().splitlines()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_shiji_recover_refuses_a_negative_grace():
    with pytest.raises(CommandError, match="--grace"):
        call_command("recover", "--grace", "-1")

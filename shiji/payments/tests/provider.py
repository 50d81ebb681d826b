"""The payment provider's side in tests: its signed callbacks, held back and delivered at a
chosen moment, a refund its bank rejects; and the ledger's soundness afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, TestCase
from django.utils import timezone

from shiji.core.ids import new_id
from shiji.core.money import Money
from shiji.core.signatures import SIGNATURE_HEADER, sign
from shiji.core.time import iso_utc
from shiji.ledger.check import ledger_check
from shiji.orders.models import Order
from shiji.payments import tasks as payment_tasks
from shiji.payments.callbacks import callback_receive
from shiji.payments.models import Payment, Refund
from shiji.payments.providers.sandbox import sandbox_customer_pays

WEBHOOK = "/api/v1/webhooks/payments/sandbox"


def signed_delivery(event: dict[str, Any]) -> Callable[[], Any]:
    """The provider's servers delivering ``event`` to the webhook (signed now, sent later)."""
    body = json.dumps(event, separators=(",", ":")).encode()
    header = sign(body, settings.SHIJI_SANDBOX_PAYMENT_SECRET)

    def deliver() -> Any:
        return Client().post(WEBHOOK, data=body, content_type="application/json", headers={SIGNATURE_HEADER: header})

    return deliver


def customer_pays_callback_in_flight(order: Order, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The buyer pays at the sandbox checkout; the provider's payment.succeeded callback is
    held back (returned) instead of being delivered, so a test can deliver it when it likes."""
    sent: list[dict[str, Any]] = []
    payment = Payment.objects.get(order=order)
    with monkeypatch.context() as patch:
        patch.setattr(payment_tasks, "sandbox_callback_deliver", sent.append)
        sandbox_customer_pays(payment_id=payment.pk, outcome="succeeded")
    assert [event["type"] for event in sent] == ["payment.succeeded"]
    return sent[0]


def assert_ledger_sound() -> None:
    report = ledger_check()
    assert (report.balanced, report.escrow_matches_orders, report.payouts_match) == (True, True, True), report.problems


def provider_rejects_refund(refund: Refund) -> str:
    """The provider's signed ``refund.failed`` callback (its bank rejected the refund), applied
    with its after-commit work; returns what the handler did."""
    payload = {
        "id": new_id("evt"),
        "type": "refund.failed",
        "refund_id": refund.pk,
        "payment_id": refund.payment_id,
        "amount": Money(refund.amount_minor, refund.currency).as_dict(),
        "reason": "bank_rejected",
        "at": iso_utc(timezone.now()),
    }
    body = json.dumps(payload).encode()
    headers = {SIGNATURE_HEADER: sign(body, settings.SHIJI_SANDBOX_PAYMENT_SECRET)}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return callback_receive(provider_name="sandbox", body=body, headers=headers)

"""Receiving provider callbacks (API.md "Signed callbacks").

A callback is verified (400 ``bad_signature``, nothing changes), parsed, recorded once by its
event id (a repeat answers 200 and does nothing), checked against our payment (a different
amount or currency → 400 and a risk event, nothing changes) and applied. Disorder is expected:
a failure reported after a success is recorded and ignored; a refund confirmed before the
payment's capture has reached us is parked and applied right after the capture.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shiji.core import crashpoints
from shiji.core.crashpoints import crashpoint, crashpoint_after_commit
from shiji.core.errors import InvalidInput
from shiji.core.money import Money
from shiji.orders.models import Order
from shiji.payments.errors import BadCallback
from shiji.payments.models import CallbackStatus, Payment, PaymentStatus, Payout, ProviderCallback, Refund
from shiji.payments.providers.registry import provider_get

logger = logging.getLogger(__name__)
TYPES = ("payment.succeeded", "payment.failed", "refund.succeeded", "refund.failed", "payout.paid", "payout.failed")
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Callback:
    event_id: str
    type: str
    object_id: str
    amount: Money
    payload: dict[str, Any]


def _parse(body: bytes) -> Callback:
    if len(body) > MAX_BODY:
        raise BadCallback(_("The callback body is too large."))
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCallback(_("The callback body is not JSON.")) from exc
    if not isinstance(payload, dict):
        raise BadCallback(_("The callback body must be a JSON object."))
    event_id, kind = payload.get("id"), payload.get("type")
    if not isinstance(event_id, str) or not 1 <= len(event_id) <= 120:
        raise BadCallback(_("The callback has no event id."))
    if kind not in TYPES:
        raise BadCallback(_("Unknown callback type."))
    field = {"payment": "payment_id", "refund": "refund_id", "payout": "payout_id"}[kind.split(".")[0]]
    object_id = payload.get(field)
    if not isinstance(object_id, str) or not 1 <= len(object_id) <= 40:
        raise BadCallback(_("The callback does not name its object."))
    raw_amount = payload.get("amount")
    if not isinstance(raw_amount, dict):
        raise BadCallback(_("The callback has no amount."))
    try:
        amount = Money.from_decimal(str(raw_amount.get("amount")), str(raw_amount.get("currency")))
    except (InvalidInput, TypeError) as exc:
        raise BadCallback(_("The callback amount is not valid.")) from exc
    return Callback(event_id=event_id, type=kind, object_id=object_id, amount=amount, payload=payload)


def _mismatch(callback: Callback, expected: Money) -> None:
    if callback.amount != expected:
        raise CallbackMismatch(callback, expected)


class CallbackMismatch(BadCallback):
    def __init__(self, callback: Callback, expected: Money) -> None:
        super().__init__(_("The callback's amount or currency does not match."))
        self.callback = callback
        self.expected = expected


class UnknownObject(BadCallback):
    def __init__(self, callback: Callback) -> None:
        super().__init__(_("The callback names an object we do not know."))
        self.callback = callback


def callback_receive(*, provider_name: str, body: bytes, headers: Mapping[str, str]) -> str:
    """Verify and apply one provider callback; returns what happened (for logs and tests)."""
    provider = provider_get(provider_name)
    provider.verify_callback(body=body, headers=headers)
    callback = _parse(body)
    crashpoint(crashpoints.CALLBACK_AFTER_VERIFY)
    try:
        with transaction.atomic():
            result = _apply(provider.name, callback)
            crashpoint(crashpoints.CALLBACK_BEFORE_COMMIT)
            crashpoint_after_commit(crashpoints.CALLBACK_AFTER_COMMIT)
    except (CallbackMismatch, UnknownObject) as exc:
        _record_risk(provider.name, callback, exc)
        raise
    return result


def _record_risk(provider: str, callback: Callback, exc: BadCallback) -> None:
    from shiji.risk.services import risk_event_record

    data: dict[str, Any] = {"provider": provider, "event": callback.payload}
    if isinstance(exc, CallbackMismatch):
        data["expected"] = exc.expected.as_dict()
        kind = "payment_callback_mismatch"
    else:
        kind = "payment_callback_unknown_object"
    logger.warning("refused %s callback %s: %s", provider, callback.event_id, kind)
    risk_event_record(kind=kind, subject_type="payment_callback", subject_id=callback.object_id, data=data)


def _apply(provider: str, callback: Callback) -> str:
    try:
        with transaction.atomic():
            record = ProviderCallback.objects.create(
                provider=provider,
                event_id=callback.event_id,
                type=callback.type,
                object_id=callback.object_id,
                payload=callback.payload,
                status=CallbackStatus.APPLIED,
            )
    except IntegrityError:
        return "duplicate"
    status, note = _dispatch(provider, callback)
    if status != CallbackStatus.APPLIED or note:
        ProviderCallback.objects.filter(pk=record.pk).update(status=status, note=note[:300])
    return str(status)


def _dispatch(provider: str, callback: Callback) -> tuple[str, str]:
    from shiji.orders import flow
    from shiji.payments import payouts, refunds

    kind = callback.type
    # Every path that touches an order's money locks the order first, then its payment or
    # refund: a callback racing a cancellation or the expiry job waits instead of deadlocking.
    if kind.startswith("payment."):
        order_id = Payment.objects.filter(pk=callback.object_id, provider=provider).values_list("order_id", flat=True)
        if not order_id:
            raise UnknownObject(callback)
        list(Order.objects.select_for_update().filter(pk=order_id[0]).values_list("pk", flat=True))
        payment = Payment.objects.select_for_update().get(pk=callback.object_id)
        _mismatch(callback, Money(payment.amount_minor, payment.currency))
        if kind == "payment.succeeded":
            flow.order_payment_succeeded(payment=payment)
            apply_parked(provider=provider, payment_id=payment.pk)
            return CallbackStatus.APPLIED, ""
        if payment.status == PaymentStatus.SUCCEEDED:
            return CallbackStatus.IGNORED, "failure reported after the payment succeeded"
        flow.order_payment_failed(payment=payment, reason=str(callback.payload.get("reason", ""))[:200])
        _failure_risk(payment)
        return CallbackStatus.APPLIED, ""
    if kind.startswith("refund."):
        refund_order = Refund.objects.filter(pk=callback.object_id, payment__provider=provider).values_list(
            "order_id", flat=True
        )
        if not refund_order:
            raise UnknownObject(callback)
        list(Order.objects.select_for_update().filter(pk=refund_order[0]).values_list("pk", flat=True))
        refund = Refund.objects.select_for_update().select_related("payment").get(pk=callback.object_id)
        _mismatch(callback, Money(refund.amount_minor, refund.currency))
        if refund.payment.status != PaymentStatus.SUCCEEDED:
            return CallbackStatus.PARKED, "waiting for the payment's capture"
        if kind == "refund.succeeded":
            refunds.refund_settled(refund=refund)
        else:
            refunds.refund_failed(refund=refund, reason=str(callback.payload.get("reason", ""))[:200])
        return CallbackStatus.APPLIED, ""
    payout = Payout.objects.select_for_update().filter(pk=callback.object_id, provider=provider).first()
    if payout is None:
        raise UnknownObject(callback)
    _mismatch(callback, Money(payout.amount_minor, payout.currency))
    if kind == "payout.paid":
        payouts.payout_paid(payout=payout)
    else:
        payouts.payout_failed(payout=payout, reason=str(callback.payload.get("reason", ""))[:200])
    return CallbackStatus.APPLIED, ""


def _failure_risk(payment: Payment) -> None:
    """The risk rules count failed payments per buyer and per IP the order was placed from; too
    many block the buyer's (or that network's) payments for a while (``RiskBlock``)."""
    from shiji.risk.engine import RiskPoint, risk_evaluate

    order = Order.objects.select_related("buyer").get(pk=payment.order_id)
    risk_evaluate(
        RiskPoint.PAYMENT_CALLBACK,
        user=order.buyer,
        inputs={"outcome": "failed", "order": order.pk, "payment": payment.pk, "reason": payment.failure_reason},
        subject=payment,
    )


def apply_parked(*, provider: str, payment_id: str) -> None:
    """Apply refund callbacks that arrived before this payment's capture."""
    from shiji.payments import refunds

    refund_ids = list(Refund.objects.filter(payment_id=payment_id).values_list("id", flat=True))
    parked = ProviderCallback.objects.select_for_update().filter(
        provider=provider, status=CallbackStatus.PARKED, object_id__in=refund_ids
    )
    for record in parked.order_by("received_at", "pk"):
        refund = Refund.objects.select_for_update().get(pk=record.object_id)
        if record.type == "refund.succeeded":
            refunds.refund_settled(refund=refund)
        else:
            refunds.refund_failed(refund=refund, reason=str(record.payload.get("reason", ""))[:200])
        ProviderCallback.objects.filter(pk=record.pk).update(
            status=CallbackStatus.APPLIED, note="applied after capture"
        )

"""Refunds from escrow: booked when requested (the money leaves escrow at once), sent to the
provider after commit, confirmed or undone by the provider's callback."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.core.audit import audit_record
from shiji.core.jobs import enqueue_on_commit
from shiji.core.money import Money
from shiji.core.states import transition
from shiji.orders.models import Order
from shiji.payments import escrow
from shiji.payments.errors import ProviderError, RefundTooLarge
from shiji.payments.models import REFUND_TRANSITIONS, Payment, PaymentStatus, Refund, RefundEvent, RefundStatus
from shiji.payments.providers.registry import provider_get


def refund_create(*, order: Order, amount: Money, reason: str, actor: Any = None) -> Refund:
    """Book a refund of ``amount`` (buyer's currency) from the order's escrow. The caller holds
    the order's row lock and has checked the order's state."""
    if amount.currency != order.currency:
        raise RefundTooLarge(
            _("Refunds are made in the currency the buyer paid: %(currency)s.") % {"currency": order.currency},
            fields={"amount": [_("Use %(currency)s.") % {"currency": order.currency}]},
        )
    held = order.escrow_expected_minor
    if amount.minor <= 0 or amount.minor > held:
        raise RefundTooLarge(
            _("A refund must be more than zero and at most what is held: %(held)s.")
            % {"held": Money(held, order.currency).amount_str()},
            fields={"amount": [_("At most %(held)s.") % {"held": Money(held, order.currency).amount_str()}]},
        )
    payment = Payment.objects.get(order=order, status=PaymentStatus.SUCCEEDED)
    with transaction.atomic():
        refund = Refund.objects.create(
            payment=payment,
            order=order,
            amount_minor=amount.minor,
            currency=amount.currency,
            reason=reason[:500],
            requested_by=actor if getattr(actor, "pk", None) else None,
        )
        RefundEvent.objects.create(subject=refund, actor=refund.requested_by, from_state="", to_state="pending")
        escrow.escrow_refund(order=order, refund=refund, provider=payment.provider)
        audit_record(
            action="refund.requested", actor=actor, target=refund, data={"order": order.pk, **amount.as_dict()}
        )
        from shiji.payments.tasks import refund_send

        enqueue_on_commit(refund_send, refund.pk)
    return refund


def refund_send(refund_id: str) -> None:
    """Hand the refund to the provider (a job; safe to repeat — providers dedupe by our id)."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING or refund.provider_ref:
        return
    try:
        ref = provider_get(refund.payment.provider).refund(refund)
    except ProviderError as exc:
        with transaction.atomic():
            list(Order.objects.select_for_update().filter(pk=refund.order_id).values_list("pk", flat=True))
            locked = Refund.objects.select_for_update().select_related("payment").get(pk=refund_id)
            if locked.status == RefundStatus.PENDING:
                refund_failed(refund=locked, reason=str(exc.message)[:200])
        return
    Refund.objects.filter(pk=refund_id, provider_ref="").update(provider_ref=ref)


def refund_settled(*, refund: Refund) -> None:
    if refund.status != RefundStatus.PENDING:
        return
    transition(
        refund,
        to=RefundStatus.SUCCEEDED,
        table=REFUND_TRANSITIONS,
        event_model=RefundEvent,
        updates={"settled_at": timezone.now()},
    )


def refund_failed(*, refund: Refund, reason: str) -> None:
    """The provider could not refund: the money goes back to escrow and staff are told."""
    from shiji.risk.services import risk_event_record

    if refund.status != RefundStatus.PENDING:
        return
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=refund.order_id)
        transition(
            refund,
            to=RefundStatus.FAILED,
            table=REFUND_TRANSITIONS,
            event_model=RefundEvent,
            note=reason,
            updates={"settled_at": timezone.now()},
        )
        escrow.escrow_refund_undo(order=order, refund=refund, provider=refund.payment.provider)
        risk_event_record(
            kind="refund_failed",
            subject_type="refund",
            subject_id=refund.pk,
            data={"order": order.pk, "reason": reason, **Money(refund.amount_minor, refund.currency).as_dict()},
        )

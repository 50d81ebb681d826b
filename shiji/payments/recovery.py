"""Recovery after a crash (docs/domains/payments.md, "Recovery after a crash").

The provider is the source of truth for money that moved; our database is the source of truth
for what we meant to do. A crash of the web server or of the worker can leave the two apart;
each way is repaired here by asking the provider about our own ids. Every request we make to a
provider carries our id as its idempotency key, so asking again and sending again are safe:

- a payment the provider captured whose callback we never committed (it died with a crash, or
  is still being re-sent) is booked now, exactly as its callback would have booked it — a
  capture for an order cancelled meanwhile is booked and refunded at once;
- a refund or payout we booked but never handed over (its job died with the worker) is handed
  over now; one the provider already has is not sent again, its ref is recorded;
- a refund or payout the provider settled whose callback never reached us is settled now;
- an unpaid order past its payment window is cancelled and its stock released (the expiry
  job's work), after the captures are booked so that a paid order is never expired.

Anything younger than ``grace`` is left to the callbacks and jobs still on their way. A second
run finds nothing to do. ``shiji recover`` runs it by hand; ``payments_recover`` every 10 min.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from shiji.core.errors import NotFound
from shiji.orders.models import Order
from shiji.payments.models import (
    PAYOUT_IN_FLIGHT_STATUSES,
    Payment,
    PaymentStatus,
    Payout,
    PayoutStatus,
    Refund,
    RefundStatus,
)
from shiji.payments.providers.base import PaymentProvider, ProviderRecord
from shiji.payments.providers.registry import provider_get

logger = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(minutes=5)
# Only payments this recent are asked about: an unpaid order expires (and its payment is
# cancelled at the provider) after 30 minutes.
PAYMENT_LOOKBACK = timedelta(days=3)
FINAL = ("succeeded", "failed")


@dataclass
class RecoveryReport:
    payments_booked: int = 0
    refunds_sent: int = 0
    refunds_settled: int = 0
    payouts_sent: int = 0
    payouts_settled: int = 0
    orders_expired: int = 0
    mismatches: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def recover(*, grace: timedelta = DEFAULT_GRACE) -> RecoveryReport:
    """Bring our books level with the provider's after a crash; see the module docstring."""
    report = RecoveryReport()
    now = timezone.now()
    cutoff = now - grace
    providers: dict[str, PaymentProvider | None] = {}
    _recover_payments(report, providers, cutoff=cutoff, since=now - PAYMENT_LOOKBACK)
    _recover_refunds(report, providers, cutoff=cutoff)
    _recover_payouts(report, providers, cutoff=cutoff)
    report.orders_expired = _expire_orders()
    if any(report.as_dict().values()):
        logger.warning("recovery: %s", report.as_dict())
    return report


def _provider(providers: dict[str, PaymentProvider | None], name: str) -> PaymentProvider | None:
    """The provider by name; None (its objects skipped) when it is no longer configured."""
    if name not in providers:
        try:
            providers[name] = provider_get(name)
        except NotFound:
            logger.error("recovery: provider %r is not configured; its objects are skipped", name)
            providers[name] = None
    return providers[name]


def _agrees(
    report: RecoveryReport, record: ProviderRecord, *, kind: str, object_id: str, amount_minor: int, currency: str
) -> bool:
    """The provider's amount is ours; otherwise nothing is applied and staff are told."""
    if (record.amount_minor, record.currency) == (amount_minor, currency):
        return True
    from shiji.risk.services import risk_event_record

    report.mismatches += 1
    logger.error("recovery: the provider's %s %s differs from ours; not applied", kind, object_id)
    risk_event_record(
        kind="provider_record_mismatch",
        subject_type=kind,
        subject_id=object_id,
        data={
            "ours": {"amount_minor": amount_minor, "currency": currency},
            "provider": {"amount_minor": record.amount_minor, "currency": record.currency, "ref": record.ref},
        },
    )
    return False


def _lock_order(order_id: str) -> None:
    """Money paths lock the order first, then its payment, refund or payout (as callbacks do)."""
    list(Order.objects.select_for_update().filter(pk=order_id).values_list("pk", flat=True))


# --- payments ------------------------------------------------------------------------------


def _recover_payments(
    report: RecoveryReport, providers: dict[str, PaymentProvider | None], *, cutoff: datetime, since: datetime
) -> None:
    unbooked = Payment.objects.filter(
        status__in=[PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.FAILED, PaymentStatus.CANCELLED],
        created_at__lte=cutoff,
        created_at__gte=since,
    ).order_by("created_at")
    for payment in unbooked:
        provider = _provider(providers, payment.provider)
        record = provider.retrieve(payment.pk) if provider else None
        if record is None or record.status != "succeeded":
            continue
        if not _agrees(
            report,
            record,
            kind="payment",
            object_id=payment.pk,
            amount_minor=payment.amount_minor,
            currency=payment.currency,
        ):
            continue
        if _book_capture(payment.pk):
            report.payments_booked += 1
            logger.warning("recovery: payment %s was captured by %s; booked", payment.pk, payment.provider)


def _book_capture(payment_id: str) -> bool:
    from shiji.orders import flow
    from shiji.payments.callbacks import apply_parked

    with transaction.atomic():
        _lock_order(Payment.objects.values_list("order_id", flat=True).get(pk=payment_id))
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status == PaymentStatus.SUCCEEDED:
            return False  # its callback arrived meanwhile
        flow.order_payment_succeeded(payment=payment)
        apply_parked(provider=payment.provider, payment_id=payment.pk)
    return True


# --- refunds -------------------------------------------------------------------------------


def _recover_refunds(report: RecoveryReport, providers: dict[str, PaymentProvider | None], *, cutoff: datetime) -> None:
    from shiji.payments import refunds

    pending = Refund.objects.filter(status=RefundStatus.PENDING, created_at__lte=cutoff).select_related("payment")
    for refund in pending.order_by("created_at"):
        provider = _provider(providers, refund.payment.provider)
        if provider is None:
            continue
        record = provider.retrieve(refund.pk)
        if record is None:
            if not refund.provider_ref:
                refunds.refund_send(refund.pk)
                report.refunds_sent += 1
                logger.warning("recovery: refund %s had not reached the provider; sent", refund.pk)
            continue
        if not refund.provider_ref:
            Refund.objects.filter(pk=refund.pk, provider_ref="").update(provider_ref=record.ref)
        if record.status not in FINAL or not _agrees(
            report,
            record,
            kind="refund",
            object_id=refund.pk,
            amount_minor=refund.amount_minor,
            currency=refund.currency,
        ):
            continue
        with transaction.atomic():
            _lock_order(refund.order_id)
            locked = Refund.objects.select_for_update().select_related("payment").get(pk=refund.pk)
            if locked.status != RefundStatus.PENDING or locked.payment.status != PaymentStatus.SUCCEEDED:
                continue  # settled meanwhile, or its capture is not booked yet (next run)
            if record.status == "succeeded":
                refunds.refund_settled(refund=locked)
            else:
                refunds.refund_failed(refund=locked, reason=record.reason)
        report.refunds_settled += 1
        logger.warning("recovery: refund %s was %s by the provider; settled", refund.pk, record.status)


# --- payouts -------------------------------------------------------------------------------


def _recover_payouts(report: RecoveryReport, providers: dict[str, PaymentProvider | None], *, cutoff: datetime) -> None:
    from shiji.payments import payouts

    in_flight = Payout.objects.filter(
        status__in=[PayoutStatus.REQUESTED, PayoutStatus.PROCESSING], created_at__lte=cutoff
    ).order_by("created_at")
    for payout in in_flight:
        provider = _provider(providers, payout.provider)
        if provider is None:
            continue
        record = provider.retrieve(payout.pk)
        if record is None:
            if payout.status == PayoutStatus.REQUESTED and not payout.provider_ref:
                payouts.payout_send(payout.pk)
                report.payouts_sent += 1
                logger.warning("recovery: payout %s had not reached the provider; sent", payout.pk)
            else:
                logger.error("recovery: payout %s is %s but the provider has no record of it", payout.pk, payout.status)
            continue
        if not payout.provider_ref:
            payouts.payout_handed_over(payout_id=payout.pk, ref=record.ref)
        if record.status not in FINAL or not _agrees(
            report,
            record,
            kind="payout",
            object_id=payout.pk,
            amount_minor=payout.amount_minor,
            currency=payout.currency,
        ):
            continue
        with transaction.atomic():
            locked = Payout.objects.select_for_update().get(pk=payout.pk)
            if locked.status not in PAYOUT_IN_FLIGHT_STATUSES:
                continue  # its callback arrived meanwhile
            if record.status == "succeeded":
                payouts.payout_paid(payout=locked)
            else:
                payouts.payout_failed(payout=locked, reason=record.reason)
        report.payouts_settled += 1
        logger.warning("recovery: payout %s was %s by the provider; settled", payout.pk, record.status)


# --- orders --------------------------------------------------------------------------------


def _expire_orders() -> int:
    from shiji.orders import flow, selectors

    return sum(1 for order_id in selectors.orders_expired_ids() if flow.order_expire(order_id=order_id))

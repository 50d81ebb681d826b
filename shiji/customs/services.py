"""Writes: recording and giving back uses of the CN cross-border allowance (idempotent by order id)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from shiji.accounts.models import User
from shiji.core.money import Money
from shiji.customs.errors import CustomsLimitExceeded, Limit
from shiji.customs.models import CbecAllowanceUse
from shiji.customs.selectors import CHINA_TIME, cbec_annual_limit, cbec_used, cbec_year


def cbec_record(*, buyer: User, order_id: str, amount: Money, at: datetime) -> CbecAllowanceUse:
    """Count ``amount`` (CNY, the assessment's ``cbec_amount``) of order ``order_id`` toward ``buyer``'s year.

    Idempotent: recording an order again returns the first row unchanged (also after a release: a
    cancelled order never counts again). The buyer's uses are serialised by locking the buyer row,
    and the yearly limit of the rule in force is checked again here, so two orders placed at once
    cannot both pass it: ``CustomsLimitExceeded`` (``cn_cbec_annual``) if the order no longer fits.
    """
    if amount.currency != "CNY" or amount.minor < 0:
        raise ValueError("the allowance is counted in CNY, at least zero")
    if timezone.is_naive(at):
        raise ValueError("at must be timezone-aware")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=buyer.pk).values_list("pk", flat=True).first()
        existing = CbecAllowanceUse.objects.filter(order_id=order_id).first()
        if existing is not None:
            if existing.buyer_id != buyer.pk:
                raise ValueError(f"order {order_id} is already counted for another buyer")
            return existing
        year = cbec_year(at)
        limit = cbec_annual_limit(on=at.astimezone(CHINA_TIME).date())
        used = cbec_used(buyer=buyer, year=year)
        if limit is not None and used + amount > limit:
            remaining = limit - used if used < limit else Money.zero("CNY")
            raise CustomsLimitExceeded(Limit.CN_CBEC_ANNUAL, value=amount, maximum=limit, remaining=remaining)
        return CbecAllowanceUse.objects.create(
            buyer=buyer, year=year, order_id=order_id, amount_minor=amount.minor, recorded_at=at
        )


def cbec_release(*, order_id: str, at: datetime | None = None) -> bool:
    """Give an order's use back (cancelled or refunded before delivery). True if it was released now;
    False when there is nothing to release (never recorded, or already released)."""
    released = CbecAllowanceUse.objects.filter(order_id=order_id, released_at__isnull=True).update(
        released_at=at or timezone.now()
    )
    return released == 1

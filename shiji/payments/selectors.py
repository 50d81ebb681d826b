from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.core.errors import NotFound
from shiji.payments.models import PAYOUT_IN_FLIGHT_STATUSES, Payment, Payout, PayoutAccount


def payouts_in_flight_by_currency() -> dict[str, int]:
    return {
        row["currency"]: int(row["total"])
        for row in Payout.objects.filter(status__in=PAYOUT_IN_FLIGHT_STATUSES)
        .values("currency")
        .annotate(total=Sum("amount_minor"))
    }


def user_payouts(user: User) -> QuerySet[Payout]:
    return Payout.objects.filter(user=user)


def access_payout(*, user: User, payout_id: str) -> Payout:
    """One of the user's own payouts; ``NotFound`` for anyone else's, as for one that does not exist."""
    payout = user_payouts(user).filter(pk=payout_id).first()
    if payout is None:
        raise NotFound(_("No such payout."))
    return payout


def sandbox_payment_for_buyer(*, buyer: User, payment_id: str | None = None, order: Any = None) -> Payment | None:
    """The sandbox payment the buyer may complete (by id, or the latest of ``order``); None when
    the sandbox is off or the payment is someone else's."""
    if not settings.SHIJI_SANDBOX:
        return None
    payments = Payment.objects.filter(provider="sandbox", order__buyer=buyer)
    if payment_id is not None:
        payments = payments.filter(pk=payment_id)
    if order is not None:
        payments = payments.filter(order=order)
    return payments.order_by("-created_at").first()


def payout_account_of(user: User) -> PayoutAccount | None:
    return PayoutAccount.objects.filter(user=user).first()


def payout_hold_until(account: PayoutAccount) -> datetime | None:
    """Until when a payout request would be held for staff after the last change of the account,
    by the active payout-account rule (None when no such rule is active)."""
    from shiji.risk.models import Condition, RiskRule

    window = (
        RiskRule.objects.filter(active=True, condition=Condition.PAYOUT_AFTER_ACCOUNT_CHANGE)
        .order_by("-window_seconds")
        .values_list("window_seconds", flat=True)
        .first()
    )
    if not window:
        return None
    return account.changed_at + timedelta(seconds=window)

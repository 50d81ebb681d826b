from __future__ import annotations

from django.db.models import QuerySet, Sum

from shiji.accounts.models import User
from shiji.payments.models import PAYOUT_IN_FLIGHT_STATUSES, Payout


def payouts_in_flight_by_currency() -> dict[str, int]:
    return {
        row["currency"]: int(row["total"])
        for row in Payout.objects.filter(status__in=PAYOUT_IN_FLIGHT_STATUSES)
        .values("currency")
        .annotate(total=Sum("amount_minor"))
    }


def user_payouts(user: User) -> QuerySet[Payout]:
    return Payout.objects.filter(user=user)

"""Reading balances."""

from __future__ import annotations

from dataclasses import dataclass

from shiji.core.money import Money
from shiji.ledger.models import LedgerAccount, OwnerType, Purpose
from shiji.ledger.services import AccountRef


def balance(ref: AccountRef, currency: str) -> Money:
    value = (
        LedgerAccount.objects.filter(
            owner_type=ref.owner_type, owner_id=ref.owner_id, purpose=ref.purpose, currency=currency
        )
        .values_list("balance_minor", flat=True)
        .first()
    )
    return Money(int(value or 0), currency)


@dataclass(frozen=True)
class UserBalance:
    currency: str
    available: Money
    pending: Money


def user_balances(user_id: str) -> list[UserBalance]:
    """One row per currency the user has ever held money in, available and pending."""
    rows: dict[str, dict[str, int]] = {}
    for purpose, currency, amount in LedgerAccount.objects.filter(
        owner_type=OwnerType.USER, owner_id=user_id, purpose__in=[Purpose.AVAILABLE, Purpose.PENDING]
    ).values_list("purpose", "currency", "balance_minor"):
        rows.setdefault(currency, {})[purpose] = amount
    return [
        UserBalance(
            currency=currency,
            available=Money(amounts.get(Purpose.AVAILABLE, 0), currency),
            pending=Money(amounts.get(Purpose.PENDING, 0), currency),
        )
        for currency, amounts in sorted(rows.items())
    ]

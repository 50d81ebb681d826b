"""Buyer-protection fee and seller commission (PRODUCT.md §4).

Both are ``percent of the item price`` (rounded half-even to the currency's minor unit) plus an
optional fixed part per currency. The settings give the defaults; a ``CategoryFee`` row
overrides the percentages for one category. A reliable seller (service score at or above
``SHIJI_RELIABLE_SCORE``) pays the reduced commission. A commission never exceeds the price.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from shiji.core.money import Money
from shiji.payments.models import CategoryFee

HUNDRED = Decimal(100)


def parse_percent(raw: object, name: str) -> Decimal:
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} must be a decimal percentage, got {raw!r}") from exc
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(50):
        raise ImproperlyConfigured(f"{name} must be between 0 and 50 (percent), got {raw!r}")
    return value


def parse_amounts(raw: str, name: str) -> dict[str, Money]:
    """``"JPY:100,CNY:2.50"`` → {currency: Money}; each amount exact in its currency's digits."""
    amounts: dict[str, Money] = {}
    for part in filter(None, (piece.strip() for piece in raw.split(","))):
        currency, sep, amount = part.partition(":")
        currency = currency.strip().upper()
        if not sep:
            raise ImproperlyConfigured(f"{name}: expected CURRENCY:AMOUNT, got {part!r}")
        try:
            money = Money.from_decimal(amount.strip(), currency)
        except Exception as exc:
            raise ImproperlyConfigured(f"{name}: bad amount {part!r}") from exc
        if money.minor < 0:
            raise ImproperlyConfigured(f"{name}: amounts cannot be negative ({part!r})")
        amounts[currency] = money
    return amounts


def percent_of(money: Money, percent: Decimal) -> Money:
    minor = (Decimal(money.minor) * percent / HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    return Money(int(minor), money.currency)


def _fee(item: Money, *, category_id: str | None, field: str, fixed_setting: str) -> Money:
    """``field`` percent of ``item`` (the category's override when it sets one, else the setting
    of the same name, ``SHIJI_<FIELD>``) plus the fixed part in the item's currency."""
    override = CategoryFee.objects.filter(category_id=category_id).first() if category_id else None
    configured = getattr(override, field) if override else None
    setting = f"SHIJI_{field.upper()}"
    percent = configured if configured is not None else parse_percent(getattr(settings, setting), setting)
    fixed = parse_amounts(getattr(settings, fixed_setting), fixed_setting).get(item.currency)
    fee = percent_of(item, percent)
    return fee + fixed if fixed else fee


def buyer_fee(item: Money, *, category_id: str | None = None) -> Money:
    """The buyer-protection fee on an item price (in the buyer's currency)."""
    return _fee(item, category_id=category_id, field="buyer_fee_percent", fixed_setting="SHIJI_BUYER_FEE_FIXED")


def seller_is_reliable(service_score: int) -> bool:
    return service_score >= settings.SHIJI_RELIABLE_SCORE


def commission(item: Money, *, category_id: str | None = None, reliable: bool = False) -> Money:
    """The seller's commission on what they sold (in the seller's currency), never above it."""
    field = "commission_reliable_percent" if reliable else "commission_percent"
    fee = _fee(item, category_id=category_id, field=field, fixed_setting="SHIJI_COMMISSION_FIXED")
    return fee if fee <= item else item


def payout_minimum(currency: str) -> Money:
    """The smallest payout in ``currency`` (setting), else 10 major units."""
    configured = parse_amounts(settings.SHIJI_PAYOUT_MINIMUMS, "SHIJI_PAYOUT_MINIMUMS").get(currency)
    return configured if configured else Money.from_decimal(10, currency)


def check_fee_settings() -> list[str]:
    """Problems with the fee settings, for the system check."""
    problems = []
    for name in (
        "SHIJI_BUYER_FEE_PERCENT",
        "SHIJI_COMMISSION_PERCENT",
        "SHIJI_COMMISSION_RELIABLE_PERCENT",
    ):
        try:
            parse_percent(getattr(settings, name), name)
        except ImproperlyConfigured as exc:
            problems.append(str(exc))
    for name in ("SHIJI_BUYER_FEE_FIXED", "SHIJI_COMMISSION_FIXED", "SHIJI_PAYOUT_MINIMUMS"):
        try:
            parse_amounts(getattr(settings, name), name)
        except ImproperlyConfigured as exc:
            problems.append(str(exc))
    return problems

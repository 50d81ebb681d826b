"""Reading rates: direct, inverse, or crossed through the pivot currency; and converting money.

The newest rate per pair is cached for a minute (and dropped whenever finance sets a rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from shiji.core.money import Money, currency_digits
from shiji.fx.errors import RateUnavailable
from shiji.fx.models import FxRate

CACHE_KEY = "fx:latest:v1"
CACHE_SECONDS = 60


@dataclass(frozen=True)
class Rate:
    base: str
    quote: str
    rate: Decimal
    source: str
    as_of: datetime


def _latest_rates() -> dict[tuple[str, str], Rate]:
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return dict(cached)
    latest: dict[tuple[str, str], Rate] = {}
    for row in FxRate.objects.order_by("base", "quote", "-as_of", "-created_at").values_list(
        "base", "quote", "rate", "source", "as_of"
    ):
        key = (row[0], row[1])
        if key not in latest:
            latest[key] = Rate(base=row[0], quote=row[1], rate=Decimal(row[2]), source=row[3], as_of=row[4])
    cache.set(CACHE_KEY, latest, CACHE_SECONDS)
    return latest


def fx_cache_clear() -> None:
    cache.delete(CACHE_KEY)


def _one_hop(rates: dict[tuple[str, str], Rate], base: str, quote: str) -> Rate | None:
    direct = rates.get((base, quote))
    inverse = rates.get((quote, base))
    if direct and (not inverse or direct.as_of >= inverse.as_of):
        return direct
    if inverse:
        return Rate(base=base, quote=quote, rate=Decimal(1) / inverse.rate, source=inverse.source, as_of=inverse.as_of)
    return None


def fx_rate(*, base: str, quote: str) -> Rate:
    """The rate in force for ``base → quote``; raises ``RateUnavailable`` (422) when none is known."""
    currency_digits(base)
    currency_digits(quote)
    if base == quote:
        return Rate(base=base, quote=quote, rate=Decimal(1), source="identity", as_of=timezone.now())
    rates = _latest_rates()
    found = _one_hop(rates, base, quote)
    if found:
        return found
    pivot = settings.SHIJI_FX_PIVOT
    first = _one_hop(rates, base, pivot) if base != pivot else None
    second = _one_hop(rates, pivot, quote) if quote != pivot else None
    if first and second:
        return Rate(
            base=base,
            quote=quote,
            rate=first.rate * second.rate,
            source=f"cross:{pivot}",
            as_of=min(first.as_of, second.as_of),
        )
    raise RateUnavailable(base, quote)


def fx_rates_into(quote: str, currencies: list[str]) -> dict[str, Rate]:
    """Every rate ``c → quote`` that is known, for the currencies given (missing ones left out)."""
    result = {}
    for currency in currencies:
        try:
            result[currency] = fx_rate(base=currency, quote=quote)
        except RateUnavailable:
            continue
    return result


def fx_convert(money: Money, rate: Rate) -> Money:
    """Convert at ``rate``, rounding half-even to the target currency's minor digits."""
    if money.currency != rate.base:
        raise ValueError(f"rate {rate.base}->{rate.quote} cannot convert {money.currency}")
    exact = money.amount * rate.rate
    digits = currency_digits(rate.quote)
    minor = (exact.scaleb(digits)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    return Money(int(minor), rate.quote)

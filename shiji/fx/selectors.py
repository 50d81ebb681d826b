"""Reading rates: direct, inverse, or crossed through the pivot currency; and converting money.

The newest rate per pair is cached for a minute (and dropped whenever finance sets a rate).
A buyer paying in another currency pays the customer rate: the mid rate plus the platform's
conversion margin (``SHIJI_FX_MARGIN_PERCENT``), applied once to the whole conversion.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from shiji.core.money import Money, currency_digits
from shiji.fx.errors import RateUnavailable
from shiji.fx.models import FxRate

CACHE_KEY = "fx:latest:v1"
CACHE_SECONDS = 60
MAX_MARGIN_PERCENT = Decimal(20)


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


def fx_margin() -> Decimal:
    """The conversion margin as a fraction (``"1.0"`` percent → ``Decimal("0.01")``).

    Raises ``ImproperlyConfigured`` unless ``0 <= SHIJI_FX_MARGIN_PERCENT < 20``; the system
    check ``fx.E001`` reports the same at start-up.
    """
    raw = getattr(settings, "SHIJI_FX_MARGIN_PERCENT", "1.0")
    try:
        percent = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ImproperlyConfigured(
            f"SHIJI_FX_MARGIN_PERCENT must be a decimal number of percent, such as '1.0'; got {raw!r}."
        ) from exc
    if not percent.is_finite() or not Decimal(0) <= percent < MAX_MARGIN_PERCENT:
        raise ImproperlyConfigured(
            f"SHIJI_FX_MARGIN_PERCENT must be at least 0 and less than {MAX_MARGIN_PERCENT} (percent); got {raw!r}."
        )
    return percent / Decimal(100)


@dataclass(frozen=True)
class CustomerRate:
    """What a buyer is charged: ``rate = mid.rate × (1 + margin)``; no margin for the same currency.

    Converting a seller's price (``mid.base``) at ``rate`` gives what the buyer pays in
    ``mid.quote``; the difference to the conversion at ``mid.rate`` is platform revenue.
    """

    mid: Rate
    rate: Decimal
    margin: Decimal


def fx_customer_rate(base: str, quote: str) -> CustomerRate:
    """The customer rate for ``base → quote``: the rate in force (``fx_rate``) plus the margin, once.

    Raises ``RateUnavailable`` (422) like ``fx_rate`` and ``ImproperlyConfigured`` for a bad margin.
    """
    mid = fx_rate(base=base, quote=quote)
    if base == quote:
        return CustomerRate(mid=mid, rate=mid.rate, margin=Decimal(0))
    margin = fx_margin()
    return CustomerRate(mid=mid, rate=mid.rate * (1 + margin), margin=margin)


def fx_customer_rates_into(quote: str, currencies: list[str]) -> dict[str, Rate]:
    """Like ``fx_rates_into``, at the customer rate: what a buyer paying in ``quote`` is charged,
    so prices shown, filtered and sorted in the viewer's currency are the prices paid."""
    result = {}
    for currency in currencies:
        try:
            customer = fx_customer_rate(currency, quote)
        except RateUnavailable:
            continue
        result[currency] = replace(customer.mid, rate=customer.rate)
    return result


def fx_convert_at(money: Money, rate: Decimal, quote: str) -> Money:
    """``money`` × ``rate`` in ``quote``, rounded half-even to the quote currency's minor digits."""
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
        raise ValueError(f"cannot convert at rate {rate!r}")
    digits = currency_digits(quote)
    exact = money.amount * rate
    minor = exact.scaleb(digits).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    return Money(int(minor), quote)


def fx_convert(money: Money, rate: Rate) -> Money:
    """Convert at ``rate``, rounding half-even to the target currency's minor digits."""
    if money.currency != rate.base:
        raise ValueError(f"rate {rate.base}->{rate.quote} cannot convert {money.currency}")
    return fx_convert_at(money, rate.rate, rate.quote)

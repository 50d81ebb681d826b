"""Money as integer minor units of an ISO 4217 currency (digits from Babel/CLDR).

``Money`` refuses to mix currencies and never holds a float. Conversion between currencies is
not here: it is an explicit service that records the rate it used (the ledger/FX domain).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel.numbers import format_currency, get_currency_precision, is_currency
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shiji.core.allocation import allocate
from shiji.core.errors import InvalidInput

MAX_AMOUNT_DIGITS = 15  # no amount on the platform has more integer digits than this


class UnknownCurrency(InvalidInput):
    code = "invalid"


class CurrencyMismatch(TypeError):
    """Adding yen to yuan is a programming error, not a user error."""


@lru_cache(maxsize=512)
def _digits(code: str) -> int:
    return int(get_currency_precision(code))


def is_iso_currency(code: str) -> bool:
    return isinstance(code, str) and len(code) == 3 and code.isupper() and is_currency(code)


def currency_digits(code: str) -> int:
    """ISO 4217 minor digits: JPY 0, KRW 0, CNY 2, USD 2, EUR 2 …"""
    if not is_iso_currency(code):
        raise UnknownCurrency(
            _("Unknown currency: %(code)s") % {"code": code}, fields={"currency": [_("Unknown currency.")]}
        )
    return _digits(code)


def supported_currencies() -> list[str]:
    return list(settings.SHIJI_CURRENCIES)


def check_supported_currency(code: str, *, field: str = "currency") -> str:
    """Return ``code`` if the platform trades in it, else raise a 422 naming ``field``."""
    if not isinstance(code, str) or code not in settings.SHIJI_CURRENCIES:
        raise UnknownCurrency(
            _("Unknown or unsupported currency: %(code)s") % {"code": code},
            fields={field: [_("Choose one of: %(list)s") % {"list": ", ".join(supported_currencies())}]},
        )
    return code


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise TypeError(f"Money.minor must be int, got {type(self.minor).__name__}")
        currency_digits(self.currency)

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, amount: Decimal | str | int, currency: str) -> Money:
        """Exact conversion; more precision than the currency has is an error, not rounding."""
        digits = currency_digits(currency)
        if isinstance(amount, float):
            raise TypeError("Money never comes from a float")
        try:
            value = Decimal(amount) if not isinstance(amount, Decimal) else amount
        except (InvalidOperation, ValueError) as exc:
            raise InvalidInput(_("Not a valid amount."), fields={"amount": [_("Not a number.")]}) from exc
        if not value.is_finite() or value.adjusted() > MAX_AMOUNT_DIGITS:
            raise InvalidInput(_("Not a valid amount."), fields={"amount": [_("Not a number, or far too large.")]})
        scaled = value.scaleb(digits)
        if scaled != scaled.to_integral_value():
            raise InvalidInput(
                _("%(currency)s amounts have %(digits)s decimal places.") % {"currency": currency, "digits": digits},
                fields={"amount": [_("Too many decimal places.")]},
            )
        return cls(int(scaled), currency)

    # --- views ----------------------------------------------------------------------------
    @property
    def digits(self) -> int:
        return _digits(self.currency)

    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor).scaleb(-self.digits)

    def amount_str(self) -> str:
        """Exactly the currency's digits: ``"61.20"`` for CNY, ``"1200"`` for JPY."""
        return f"{self.amount:.{self.digits}f}"

    def as_dict(self) -> dict[str, str]:
        return {"amount": self.amount_str(), "currency": self.currency}

    def format(self, locale: str = "en") -> str:
        return str(format_currency(self.amount, self.currency, locale=locale.replace("-", "_")))

    def __str__(self) -> str:
        return f"{self.amount_str()} {self.currency}"

    # --- arithmetic -----------------------------------------------------------------------
    def _same(self, other: Any) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} vs {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.minor + self._same(other).minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.minor - self._same(other).minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError("Money can only be multiplied by an int; use allocate() to split")
        return Money(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.minor < self._same(other).minor

    def __le__(self, other: Money) -> bool:
        return self.minor <= self._same(other).minor

    def __gt__(self, other: Money) -> bool:
        return self.minor > self._same(other).minor

    def __ge__(self, other: Money) -> bool:
        return self.minor >= self._same(other).minor

    def is_zero(self) -> bool:
        return self.minor == 0

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split by largest remainder; the parts always add up to ``self``."""
        return [Money(part, self.currency) for part in allocate(self.minor, weights)]


def money_sum(items: Sequence[Money], currency: str) -> Money:
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total


def parse_money(value: Any, *, field: str = "amount", positive: bool = True) -> Money:
    """``{"amount": "61.20", "currency": "CNY"}`` from a request → Money, or a 422 naming ``field``."""
    if not isinstance(value, dict) or not isinstance(value.get("amount"), str | int) or "currency" not in value:
        raise InvalidInput(
            _('Give the amount as {"amount": "1200", "currency": "JPY"}.'),
            fields={field: [_("An amount and a currency are required.")]},
        )
    currency = check_supported_currency(value["currency"], field=f"{field}.currency")
    try:
        money = Money.from_decimal(str(value["amount"]), currency)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, fields={f"{field}.amount": [str(exc.message)]}) from exc
    if positive and money.minor <= 0:
        raise InvalidInput(_("The amount must be more than zero."), fields={f"{field}.amount": [_("More than zero.")]})
    return money

"""What the engine takes and gives: ``Parcel`` (with its ``ParcelItem`` lines) and ``Assessment``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shiji.core.money import Money, currency_digits
from shiji.customs.goods import is_hs6, kind_from_hs
from shiji.customs.rules import DutiesMode

Converter = Callable[[Money, str], Money]
"""``convert(money, currency) -> Money``: ``money`` in ``currency``, rounded to its minor digits."""

CNY = "CNY"


@dataclass(frozen=True)
class ParcelItem:
    """One line of the parcel. ``value`` is the **whole line** (all ``quantity`` pieces) in the buyer's currency."""

    value: Money
    quantity: int
    hs_code: str
    kind: str = ""  # an ItemKind; empty: worked out from the HS code

    def __post_init__(self) -> None:
        if self.value.minor < 0:
            raise ValueError("an item's value cannot be negative")
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) or self.quantity < 1:
            raise ValueError("an item's quantity must be a whole number of at least 1")
        if not is_hs6(self.hs_code):
            raise ValueError(f"an item needs a 6-digit HS code, not {self.hs_code!r}")

    @property
    def goods_kind(self) -> str:
        return self.kind or kind_from_hs(self.hs_code)

    @property
    def chapter(self) -> str:
        return self.hs_code[:2]


@dataclass(frozen=True)
class Parcel:
    """What the engine needs to know about one consignment.

    ``cbec_used``: what the buyer has already used of the CN cross-border allowance this (Chinese
    calendar) year, in CNY (``selectors.cbec_used``). ``postal``: the carrier service is a postal one
    (US specific-duty option). ``gift``: declared as a gift (US: ≤ $100 free).
    """

    destination: str
    origin: str
    currency: str
    items: Sequence[ParcelItem]
    shipping: Money
    convert: Converter = field(repr=False, compare=False)
    seller_is_business: bool = False
    carrier_ddp: bool = False
    cbec_used: Money = field(default_factory=lambda: Money.zero(CNY))
    postal: bool = False
    gift: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        currency_digits(self.currency)
        for code in (self.destination, self.origin):
            if not (isinstance(code, str) and len(code) == 2 and code.isalpha() and code.isupper()):
                raise ValueError(f"countries are ISO 3166-1 alpha-2 codes, not {code!r}")
        if not self.items:
            raise ValueError("a parcel has at least one item")
        if any(item.value.currency != self.currency for item in self.items) or self.shipping.currency != self.currency:
            raise ValueError("item values and shipping must be in the buyer's currency")
        if self.shipping.minor < 0:
            raise ValueError("shipping cannot be negative")
        if self.cbec_used.currency != CNY or self.cbec_used.minor < 0:
            raise ValueError("cbec_used is a CNY amount of at least zero")

    @property
    def items_value(self) -> Money:
        total = Money.zero(self.currency)
        for item in self.items:
            total = total + item.value
        return total

    @property
    def single_indivisible(self) -> bool:
        return len(self.items) == 1 and self.items[0].quantity == 1


@dataclass(frozen=True)
class Assessment:
    """Duties and import taxes for one parcel, in the buyer's currency.

    ``customs_value`` is the value the regime's thresholds were compared with, in the regime's
    currency. ``cbec_amount`` (CN cross-border only) is what the order counts toward the buyer's
    yearly allowance: pass it to ``services.cbec_record`` when the order is placed.
    """

    duties: Money
    taxes: Money
    duties_mode: DutiesMode
    regime: str
    rule_ids: tuple[str, ...]
    customs_value: Money | None = None
    cbec_amount: Money | None = None

    @property
    def total(self) -> Money:
        return self.duties + self.taxes

    def as_dict(self) -> dict[str, Any]:
        return {
            "regime": self.regime,
            "rule_ids": list(self.rule_ids),
            "duties_mode": str(self.duties_mode),
            "duties": self.duties.as_dict(),
            "taxes": self.taxes.as_dict(),
            "customs_value": self.customs_value.as_dict() if self.customs_value else None,
            "cbec_amount": self.cbec_amount.as_dict() if self.cbec_amount else None,
        }

"""Shared by the customs tests: the seeded rules as engine values, a fixed-rate converter, parcel builders."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal
from functools import lru_cache

from shiji.core.money import Money
from shiji.customs.engine import Assessment, Parcel, ParcelItem, assess
from shiji.customs.rules import Rule
from shiji.fx.selectors import fx_convert_at

SEED = importlib.import_module("shiji.customs.migrations.0002_seed_rules")

# 1 unit = this many USD. Chosen so the cross rates are exact: 1 EUR = 10 CNY, 1 JPY = 0.05 CNY,
# 1 USD = 8 CNY = 160 JPY = 1,250 KRW.
USD_PER = {
    "USD": Decimal(1),
    "CNY": Decimal("0.125"),
    "EUR": Decimal("1.25"),
    "GBP": Decimal("1.25"),
    "JPY": Decimal("0.00625"),
    "KRW": Decimal("0.0008"),
    "SGD": Decimal("0.8"),
    "THB": Decimal("0.03125"),
}


def convert(money: Money, currency: str) -> Money:
    return fx_convert_at(money, USD_PER[money.currency] / USD_PER[currency], currency)


@lru_cache(maxsize=1)
def seed_rules() -> tuple[Rule, ...]:
    return tuple(
        Rule(
            id=row["id"],
            destination=row["destination"],
            regime=row["regime"],
            kind=row["kind"],
            parameters=row["parameters"],
            prepaid_allowed=row["prepaid_allowed"],
            valid_from=date.fromisoformat(row["valid_from"]),
            valid_to=date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
            source=row["source"],
        )
        for row in SEED.RULES
    )


def m(amount: str | int, currency: str) -> Money:
    return Money.from_decimal(str(amount), currency)


def item(amount: str | int, currency: str, hs: str = "950300", quantity: int = 1, kind: str = "") -> ParcelItem:
    return ParcelItem(value=m(amount, currency), quantity=quantity, hs_code=hs, kind=kind)


def parcel(
    destination: str,
    currency: str,
    *items: ParcelItem,
    origin: str = "JP",
    shipping: str | int = 0,
    business: bool = True,
    ddp: bool = True,
    cbec_used: str | int = 0,
    postal: bool = False,
    gift: bool = False,
) -> Parcel:
    return Parcel(
        destination=destination,
        origin=origin,
        currency=currency,
        items=items,
        shipping=m(shipping, currency),
        convert=convert,
        seller_is_business=business,
        carrier_ddp=ddp,
        cbec_used=m(cbec_used, "CNY"),
        postal=postal,
        gift=gift,
    )


def run(p: Parcel, on: date) -> Assessment:
    return assess(p, on=on, rules=seed_rules())

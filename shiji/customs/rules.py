"""Customs rules as plain values: what a ``CustomsRule`` row means to the engine, and which rows apply.

A rule row has a ``kind`` (which calculation it feeds, below) and ``parameters`` (a JSON object).
Amounts and rates in parameters are **decimal strings**: amounts in the rule's ``currency``, rates in
percent (``"9.1"`` = 9.1 %). ``check_parameters`` says what each kind needs; the admin and a test of
the seeded rows use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from shiji.core.money import Money, is_iso_currency
from shiji.customs.goods import ItemKind


class RuleKind(StrEnum):
    CN_CBEC = "cn_cbec"  # 跨境电商零售进口: limits, 70 % of VAT + consumption tax
    CN_POSTAL = "cn_postal"  # 行邮税: per-kind rates, ≤ 50 CNY exempt, parcel value limit
    LOW_VALUE = "low_value"  # a value threshold below which no duty is due (VAT maybe: IOSS, UK, SG, JP 2028)
    STANDARD_IMPORT = "standard_import"  # duty by HS code (or by origin) + import VAT on customs value + duty
    FLAT_DUTY_PER_HS6 = "flat_duty_per_hs6"  # EU 2026: a fixed amount per distinct 6-digit subheading
    POSTAL_SPECIFIC_DUTY = "postal_specific_duty"  # US 2025: a fixed amount per postal item by rate tier
    VAT_RATE = "vat_rate"  # a country's standard VAT rate, used by the EU rules


class DutiesMode(StrEnum):
    PREPAID = "prepaid"
    ON_DELIVERY = "on_delivery"


@dataclass(frozen=True)
class Rule:
    """One rule row, detached from the database. ``valid_to`` is exclusive: the first day it no longer applies."""

    id: str
    destination: str
    regime: str
    kind: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    prepaid_allowed: bool = False
    valid_from: date = date(2000, 1, 1)
    valid_to: date | None = None
    active: bool = True
    source: str = ""

    def applies_on(self, on: date) -> bool:
        return self.active and self.valid_from <= on and (self.valid_to is None or on < self.valid_to)

    # --- reading parameters ---------------------------------------------------------------
    @property
    def currency(self) -> str:
        return str(self.parameters["currency"])

    def has(self, key: str) -> bool:
        return self.parameters.get(key) not in (None, "")

    def decimal(self, key: str, default: str | None = None) -> Decimal:
        raw = self.parameters.get(key, default)
        if raw is None:
            raise KeyError(f"customs rule {self.id}: parameter {key!r} is missing")
        return Decimal(str(raw))

    def rate(self, key: str, default: str | None = None) -> Decimal:
        """A percent parameter as a fraction: ``"13"`` → ``Decimal("0.13")``."""
        return self.decimal(key, default) / 100

    def money(self, key: str) -> Money:
        return Money.from_decimal(self.decimal(key), self.currency)

    def flag(self, key: str) -> bool:
        return bool(self.parameters.get(key, False))

    def table(self, key: str) -> Mapping[str, Any]:
        value = self.parameters.get(key) or {}
        return value if isinstance(value, Mapping) else {}

    def codes(self, key: str) -> frozenset[str]:
        return frozenset(str(v) for v in self.parameters.get(key) or ())


class RuleBook:
    """The rules valid on one date. When two rows of one kind for one place overlap, the one that
    started later wins (a newer row supersedes without editing the old one); ties go to the id."""

    def __init__(self, rules: Iterable[Rule], *, on: date) -> None:
        self.on = on
        valid = [rule for rule in rules if rule.applies_on(on)]
        self.rules = sorted(valid, key=lambda r: (r.valid_from, r.id), reverse=True)

    def find(self, kind: RuleKind, places: Sequence[str]) -> Rule | None:
        """The newest rule of ``kind`` for the first of ``places`` that has one (country before "EU")."""
        for place in places:
            for rule in self.rules:
                if rule.kind == kind and rule.destination == place:
                    return rule
        return None

    def find_all(self, kind: RuleKind, places: Sequence[str]) -> list[Rule]:
        return [rule for rule in self.rules if rule.kind == kind and rule.destination in places]


# --- checking parameters (admin form, seed test) ----------------------------------------------
_REQUIRED: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.CN_CBEC: ("currency", "per_transaction_limit", "annual_limit", "vat_rate", "reduction_percent"),
    RuleKind.CN_POSTAL: ("currency", "parcel_limit", "exempt_tax_up_to", "default_rate"),
    RuleKind.LOW_VALUE: ("currency", "threshold"),
    RuleKind.STANDARD_IMPORT: ("currency", "duty_rate"),
    RuleKind.FLAT_DUTY_PER_HS6: ("currency", "amount"),
    RuleKind.POSTAL_SPECIFIC_DUTY: ("currency", "tiers"),
    RuleKind.VAT_RATE: ("rate",),
}
_AMOUNTS = {
    "per_transaction_limit",
    "annual_limit",
    "parcel_limit",
    "exempt_tax_up_to",
    "threshold",
    "capped_threshold",
    "amount",
    "gift_exempt_up_to",
}
_RATES = {
    "vat_rate",
    "reduction_percent",
    "tariff_rate",
    "consumption_tax_rate",
    "general_duty_rate",
    "default_rate",
    "duty_rate",
    "rate",
}
_AMOUNT_TABLES = {"threshold_by_origin", "parcel_limit_by_origin"}
_RATE_TABLES = {
    "consumption_tax_by_kind",
    "general_duty_by_chapter",
    "rates_by_kind",
    "duty_by_chapter",
    "duty_by_hs6",
    "duty_by_origin",
}
_KIND_LISTS = {"capped_kinds"}
_KNOWN_FLAGS = {
    "threshold_includes_shipping",
    "deemed_supplier",
    "import_relief_when_not_collected",
    "customs_value_includes_shipping",
    "tax_base_includes_shipping",
}
_KNOWN = {"currency", "tiers", "excluded_origins", "note"} | _AMOUNTS | _RATES | _AMOUNT_TABLES | _RATE_TABLES
_KNOWN |= _KIND_LISTS | _KNOWN_FLAGS


def _is_decimal(raw: object, *, percent: bool) -> bool:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return False
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return False
    return value.is_finite() and value >= 0 and (not percent or value < 100)


def check_parameters(kind: str, parameters: object) -> list[str]:
    """Problems with a rule's parameters (empty when fine), in plain English for staff."""
    try:
        rule_kind = RuleKind(kind)
    except ValueError:
        return [f"unknown kind {kind!r}"]
    if not isinstance(parameters, Mapping):
        return ["parameters must be a JSON object"]
    problems = [f"{key} is required" for key in _REQUIRED[rule_kind] if key not in parameters]
    problems += [f"{key} is not a parameter any rule reads" for key in parameters if key not in _KNOWN]
    if "currency" in parameters and not is_iso_currency(parameters["currency"]):
        problems.append("currency must be an ISO 4217 code such as EUR")
    for key, value in parameters.items():
        if key in _AMOUNTS | _RATES and not _is_decimal(value, percent=key in _RATES):
            problems.append(f"{key} must be a decimal string" + (" below 100 (percent)" if key in _RATES else ""))
        elif key in _AMOUNT_TABLES | _RATE_TABLES:
            if not isinstance(value, Mapping) or not all(
                _is_decimal(v, percent=key in _RATE_TABLES) for v in value.values()
            ):
                problems.append(f"{key} must map codes to decimal strings")
        elif key in _KIND_LISTS:
            kinds = {k.value for k in ItemKind}
            if not isinstance(value, list) or not all(v in kinds for v in value):
                problems.append(f"{key} must list item kinds ({', '.join(sorted(kinds))})")
        elif key == "excluded_origins" and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            problems.append("excluded_origins must list country codes")
        elif key == "tiers":
            problems += _check_tiers(value)
        elif key in _KNOWN_FLAGS and not isinstance(value, bool):
            problems.append(f"{key} must be true or false")
    return problems


def _check_tiers(tiers: object) -> list[str]:
    message = 'tiers must be a list like [{"rate_below": "16", "amount": "80"}, …, {"amount": "200"}]'
    if not isinstance(tiers, list) or not tiers:
        return [message]
    for tier in tiers:
        if not isinstance(tier, Mapping) or not _is_decimal(tier.get("amount"), percent=False):
            return [message]
        bounds = [k for k in tier if k != "amount"]
        if any(k not in ("rate_below", "rate_up_to") for k in bounds) or len(bounds) > 1:
            return [message]
        if bounds and not _is_decimal(tier[bounds[0]], percent=True):
            return [message]
    if any(k != "amount" for k in tiers[-1]):
        return ["the last tier must have no bound (it catches every higher rate)"]
    return []

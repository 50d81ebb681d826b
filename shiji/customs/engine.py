"""The duties-and-taxes engine: ``assess(parcel, on=…, rules=…) -> Assessment``. Pure: no database, no clock.

The rules come in as values (``shiji.customs.rules.Rule``; ``selectors.customs_assess`` loads them
from the database), and FX comes in as ``Parcel.convert``. How a regime is picked and every formula
are in ``docs/domains/customs.md``.

Conventions:
- Amounts are computed exactly (``Decimal``) in the **buyer's currency** and rounded once per total,
  half-even to the currency's minor digits. Thresholds and limits are compared in the **rule's
  currency** after converting with ``Parcel.convert``; fixed amounts (€3, US$80) are converted into
  the buyer's currency the same way.
- Shipping is spread over the items in proportion to their value (largest remainder) wherever a
  per-item rate meets a customs value that includes freight.
- ``duties_mode`` is ``prepaid`` when the rule lets the platform collect (``prepaid_allowed``), the
  carrier service is DDP, and — for "deemed supplier" rules — the seller is a business; else
  ``on_delivery``. When nothing at all is due it is ``prepaid`` (there is nothing to pay on
  delivery), except for unassessed destinations.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from shiji.core.money import Money, currency_digits
from shiji.customs.errors import CustomsLimitExceeded, CustomsUnavailable, Limit
from shiji.customs.goods import EU_MEMBER_STATES
from shiji.customs.parcels import Assessment, Converter, Parcel, ParcelItem
from shiji.customs.rules import DutiesMode, Rule, RuleBook, RuleKind

UNASSESSED = "none"

__all__ = ["Assessment", "Converter", "Parcel", "ParcelItem", "assess"]


# --- the entry point ----------------------------------------------------------------------------
def assess(parcel: Parcel, *, on: date, rules: Sequence[Rule]) -> Assessment:
    """Duties and taxes for ``parcel`` under the ``rules`` valid ``on`` that day.

    Raises ``CustomsLimitExceeded`` (422 ``customs_limit``) when the parcel cannot be imported as
    ordered, and ``CustomsUnavailable`` (422 ``customs_unavailable``) when a destination's rules are
    incomplete on that date. A destination with no rules at all is not assessed (regime ``"none"``).
    """
    book = RuleBook(rules, on=on)
    country = parcel.destination
    places = (country, "EU") if country in EU_MEMBER_STATES else (country,)
    cbec = book.find(RuleKind.CN_CBEC, places)
    postal = book.find(RuleKind.CN_POSTAL, places)
    if cbec is not None and parcel.carrier_ddp:
        return _cn_cbec(parcel, cbec)
    if postal is not None:
        return _cn_postal(parcel, postal)
    if cbec is not None:
        raise CustomsUnavailable(country, RuleKind.CN_POSTAL)
    low = book.find(RuleKind.LOW_VALUE, places)
    standard = book.find(RuleKind.STANDARD_IMPORT, places)
    if low is not None:
        value, within = _within_low_value(parcel, low)
        if within:
            return _low_value(parcel, book, low, places, value)
    if standard is not None:
        return _standard(parcel, book, standard, places)
    if low is not None:
        raise CustomsUnavailable(country, RuleKind.STANDARD_IMPORT)
    return Assessment(
        duties=Money.zero(parcel.currency),
        taxes=Money.zero(parcel.currency),
        duties_mode=DutiesMode.ON_DELIVERY,
        regime=UNASSESSED,
        rule_ids=(),
    )


# --- helpers ------------------------------------------------------------------------------------
def _round(amount: Decimal, currency: str) -> Money:
    minor = amount.scaleb(currency_digits(currency)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    return Money(int(minor), currency)


def _into(parcel: Parcel, money: Money, currency: str) -> Money:
    if money.currency == currency:
        return money
    converted = parcel.convert(money, currency)
    if not isinstance(converted, Money) or converted.currency != currency:
        raise ValueError(f"the converter returned {converted!r}, not an amount in {currency}")
    return converted


def _bases(parcel: Parcel, *, with_shipping: bool) -> list[Money]:
    """Each item's customs value in the buyer's currency: its value plus (optionally) its share of shipping."""
    values = [item.value for item in parcel.items]
    if not with_shipping or parcel.shipping.is_zero():
        return values
    weights = [value.minor for value in values]
    if not any(weights):
        weights = [1] * len(values)
    shares = parcel.shipping.allocate(weights)
    return [value + share for value, share in zip(values, shares, strict=True)]


def _collects(rule: Rule, parcel: Parcel) -> bool:
    """Whether the platform may collect at checkout under ``rule`` for this parcel."""
    return (
        rule.prepaid_allowed and parcel.carrier_ddp and (parcel.seller_is_business or not rule.flag("deemed_supplier"))
    )


def _mode(collects: bool, due: Money) -> DutiesMode:
    return DutiesMode.PREPAID if collects or due.is_zero() else DutiesMode.ON_DELIVERY


def _percent_for(table: Any, key: str, default: Decimal) -> Decimal:
    raw = table.get(key) if table else None
    return Decimal(str(raw)) / 100 if raw not in (None, "") else default


def _origin_rate(rule: Rule, origin: str) -> Decimal:
    table = rule.table("duty_by_origin")
    default = rule.rate("duty_rate")
    if origin in table:
        return _percent_for(table, origin, default)
    if origin in EU_MEMBER_STATES:
        return _percent_for(table, "EU", default)
    return default


def _duty_rate(rule: Rule, parcel: Parcel, hs_code: str) -> Decimal:
    """By 6-digit code, else chapter, else origin, else the rule's ``duty_rate``."""
    by_hs6 = rule.table("duty_by_hs6")
    if hs_code in by_hs6:
        return _percent_for(by_hs6, hs_code, Decimal(0))
    by_chapter = rule.table("duty_by_chapter")
    if hs_code[:2] in by_chapter:
        return _percent_for(by_chapter, hs_code[:2], Decimal(0))
    return _origin_rate(rule, parcel.origin)


def _vat(book: RuleBook, rule: Rule, places: Sequence[str], country: str) -> tuple[Decimal, Rule | None]:
    """The rule's own ``vat_rate``, else the destination's VAT rate row."""
    if rule.has("vat_rate"):
        return rule.rate("vat_rate"), None
    row = book.find(RuleKind.VAT_RATE, places)
    if row is None:
        raise CustomsUnavailable(country, RuleKind.VAT_RATE)
    return row.rate("rate"), row


def _ids(*rules: Rule | None) -> tuple[str, ...]:
    return tuple(rule.id for rule in rules if rule is not None)


# --- CN: cross-border e-commerce retail import (跨境电商零售进口) -----------------------------------
def _cn_cbec(parcel: Parcel, rule: Rule) -> Assessment:
    cur = parcel.currency
    bases = _bases(parcel, with_shipping=True)  # 完税价格: goods + freight + insurance
    value_buyer = sum((b for b in bases), Money.zero(cur))
    value = _into(parcel, value_buyer, rule.currency)
    per_transaction = rule.money("per_transaction_limit")
    annual = rule.money("annual_limit")
    over_transaction = value > per_transaction
    if over_transaction and not parcel.single_indivisible:
        raise CustomsLimitExceeded(Limit.CN_CBEC_TRANSACTION, value=value, maximum=per_transaction)
    if parcel.cbec_used + value > annual:
        remaining = annual - parcel.cbec_used if parcel.cbec_used < annual else Money.zero(rule.currency)
        raise CustomsLimitExceeded(Limit.CN_CBEC_ANNUAL, value=value, maximum=annual, remaining=remaining)
    vat = rule.rate("vat_rate")
    ct_default = rule.rate("consumption_tax_rate", "0")
    ct_by_kind = rule.table("consumption_tax_by_kind")
    if over_transaction:
        # A single indivisible item over the per-order limit: full general rates, no 70 % reduction.
        reduction = Decimal(1)
        general = rule.table("general_duty_by_chapter")
        duty_rates = [_percent_for(general, item.chapter, rule.rate("general_duty_rate", "0")) for item in parcel.items]
    else:
        reduction = rule.rate("reduction_percent")
        duty_rates = [rule.rate("tariff_rate", "0")] * len(parcel.items)
    duties = Decimal(0)
    taxes = Decimal(0)
    for base, item, duty_rate in zip(bases, parcel.items, duty_rates, strict=True):
        ct = _percent_for(ct_by_kind, item.goods_kind, ct_default)
        duty = base.amount * duty_rate
        duties += duty
        # consumption tax + VAT = (value + duty) × (CT + VAT) / (1 − CT), × 70 % within the limits
        taxes += (base.amount + duty) * (ct + vat) / (1 - ct) * reduction
    return Assessment(
        duties=_round(duties, cur),
        taxes=_round(taxes, cur),
        duties_mode=DutiesMode.PREPAID,  # the platform declares and collects; only chosen with a DDP carrier
        regime=rule.regime,
        rule_ids=_ids(rule),
        customs_value=value,
        cbec_amount=value,
    )


# --- CN: personal postal articles (行邮税) ---------------------------------------------------------
def _cn_postal(parcel: Parcel, rule: Rule) -> Assessment:
    cur = parcel.currency
    value = _into(parcel, parcel.items_value, rule.currency)
    limit_table = rule.table("parcel_limit_by_origin")
    limit = Money.from_decimal(
        Decimal(str(limit_table.get(parcel.origin, rule.parameters["parcel_limit"]))), rule.currency
    )
    if value > limit and not parcel.single_indivisible:
        raise CustomsLimitExceeded(Limit.CN_POSTAL_PARCEL, value=value, maximum=limit)
    rates_by_kind = rule.table("rates_by_kind")
    default = rule.rate("default_rate")
    rated = [(item, _percent_for(rates_by_kind, item.goods_kind, default)) for item in parcel.items]
    # The exemption is decided on the tax in CNY, as customs computes it; the buyer sees the tax in
    # the buyer's currency, computed on the values the buyer paid.
    tax_cny = _round(
        sum((_into(parcel, item.value, rule.currency).amount * rate for item, rate in rated), Decimal(0)), rule.currency
    )
    if tax_cny <= rule.money("exempt_tax_up_to"):
        taxes = Money.zero(cur)
    else:
        taxes = _round(sum((item.value.amount * rate for item, rate in rated), Decimal(0)), cur)
    return Assessment(
        duties=Money.zero(cur),
        taxes=taxes,
        duties_mode=_mode(_collects(rule, parcel), taxes),
        regime=rule.regime,
        rule_ids=_ids(rule),
        customs_value=value,
    )


# --- low-value consignments (EU IOSS, UK, SG, JP, KR, US de minimis) ------------------------------
def _within_low_value(parcel: Parcel, rule: Rule) -> tuple[Money, bool]:
    basis = parcel.items_value
    if rule.flag("threshold_includes_shipping"):
        basis = basis + parcel.shipping
    value = _into(parcel, basis, rule.currency)
    if parcel.origin in rule.codes("excluded_origins"):
        return value, False
    by_origin = rule.table("threshold_by_origin")
    threshold = Decimal(str(by_origin.get(parcel.origin, rule.parameters["threshold"])))
    capped = rule.codes("capped_kinds")
    if capped and any(item.goods_kind in capped for item in parcel.items) and rule.has("capped_threshold"):
        threshold = min(threshold, rule.decimal("capped_threshold"))
    return value, value.amount <= threshold


def _low_value(parcel: Parcel, book: RuleBook, rule: Rule, places: Sequence[str], value: Money) -> Assessment:
    cur = parcel.currency
    vat, vat_row = _vat(book, rule, places, parcel.destination)
    base = parcel.items_value
    if rule.parameters.get("tax_base_includes_shipping", True):
        base = base + parcel.shipping
    taxes = _round(base.amount * vat, cur)
    flat = book.find(RuleKind.FLAT_DUTY_PER_HS6, places)
    duties = Money.zero(cur)
    if flat is not None:
        subheadings = len({item.hs_code for item in parcel.items})
        duties = _into(parcel, flat.money("amount") * subheadings, cur)
    collects = _collects(rule, parcel)
    if not collects and rule.flag("import_relief_when_not_collected"):
        taxes = Money.zero(cur)  # e.g. SG: goods ≤ S$400 by air or post not taxed at sale are relieved at import
    return Assessment(
        duties=duties,
        taxes=taxes,
        duties_mode=_mode(collects, duties + taxes),
        regime=rule.regime,
        rule_ids=_ids(rule, vat_row, flat),
        customs_value=value,
    )


# --- ordinary import: duty by HS code (or origin) + import VAT -------------------------------------
def _tier_amount(rule: Rule, rate: Decimal) -> Money:
    percent = rate * 100
    for tier in rule.parameters["tiers"]:
        if "rate_below" in tier and not percent < Decimal(str(tier["rate_below"])):
            continue
        if "rate_up_to" in tier and not percent <= Decimal(str(tier["rate_up_to"])):
            continue
        return Money.from_decimal(Decimal(str(tier["amount"])), rule.currency)
    raise ValueError(f"customs rule {rule.id}: no tier for a {percent} % rate")


def _standard(parcel: Parcel, book: RuleBook, rule: Rule, places: Sequence[str]) -> Assessment:
    cur = parcel.currency
    with_shipping = rule.parameters.get("customs_value_includes_shipping", True)
    bases = _bases(parcel, with_shipping=with_shipping)
    customs_buyer = sum(bases, Money.zero(cur))
    customs_value = _into(parcel, customs_buyer, rule.currency)
    if parcel.gift and rule.has("gift_exempt_up_to"):
        gift_value = _into(parcel, parcel.items_value, rule.currency)
        if gift_value <= rule.money("gift_exempt_up_to"):
            zero = Money.zero(cur)
            return Assessment(zero, zero, DutiesMode.PREPAID, rule.regime, _ids(rule), customs_value)
    specific = book.find(RuleKind.POSTAL_SPECIFIC_DUTY, places) if parcel.postal else None
    if specific is not None:
        duty_exact = _into(parcel, _tier_amount(specific, _origin_rate(rule, parcel.origin)), cur).amount
    else:
        duty_exact = sum(
            (
                base.amount * _duty_rate(rule, parcel, item.hs_code)
                for base, item in zip(bases, parcel.items, strict=True)
            ),
            Decimal(0),
        )
    vat, vat_row = _vat(book, rule, places, parcel.destination)
    duties = _round(duty_exact, cur)
    taxes = _round((customs_buyer.amount + duty_exact) * vat, cur)
    return Assessment(
        duties=duties,
        taxes=taxes,
        duties_mode=_mode(_collects(rule, parcel), duties + taxes),
        regime=rule.regime,
        rule_ids=_ids(rule, vat_row, specific),
        customs_value=customs_value,
    )

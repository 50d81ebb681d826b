"""Reading customs rules and the CN cross-border allowance; assessing a parcel with the rules in force."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Q, Sum
from django.utils import timezone

from shiji.accounts.models import User
from shiji.catalog.models import Listing
from shiji.core.money import Money
from shiji.customs.engine import Assessment, Converter, Parcel, ParcelItem, assess
from shiji.customs.goods import EU_MEMBER_STATES, kind_for_category
from shiji.customs.models import CbecAllowanceUse, CustomsRule
from shiji.customs.rules import Rule, RuleKind
from shiji.fx.selectors import fx_convert_at, fx_rate

CHINA_TIME = ZoneInfo("Asia/Shanghai")


def rule_from_row(row: CustomsRule) -> Rule:
    return Rule(
        id=row.id,
        destination=row.destination,
        regime=row.regime,
        kind=row.kind,
        parameters=row.parameters or {},
        prepaid_allowed=row.prepaid_allowed,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        active=row.active,
        source=row.source,
    )


def customs_rules(*, destination: str, on: date) -> list[Rule]:
    """The active rules for ``destination`` (and "EU" for a member state) valid on ``on``."""
    places = [destination, "EU"] if destination in EU_MEMBER_STATES else [destination]
    rows = CustomsRule.objects.filter(active=True, destination__in=places, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )
    return [rule_from_row(row) for row in rows]


def customs_today() -> date:
    """The date rules are chosen by: today in UTC."""
    return timezone.now().date()


def customs_assess(*, parcel: Parcel, on: date | None = None) -> Assessment:
    """Duties and taxes for ``parcel`` with the rules in the database valid ``on`` (default today, UTC)."""
    day = on or customs_today()
    return assess(parcel, on=day, rules=customs_rules(destination=parcel.destination, on=day))


def customs_parcel(
    *,
    listing: Listing,
    quantity: int,
    item_value: Money,
    shipping: Money,
    destination: str,
    buyer: User,
    carrier_ddp: bool,
    postal: bool = False,
    gift: bool = False,
    at: datetime | None = None,
    convert: Converter | None = None,
) -> Parcel:
    """The parcel of a quote for one listing: ``item_value`` is the whole line (``quantity`` pieces)
    and ``shipping`` the carrier price, both in the buyer's currency. Origin, HS code, kind of goods
    and the business flag come from the listing; the buyer's CN allowance used this year from
    ``cbec_used``; FX from ``convert`` (default: ``fx_converter()``, mid rates)."""
    category = listing.category
    slugs = [category.slug]
    if category.parent_id is not None:
        slugs.append(category.parent.slug)  # type: ignore[union-attr]
    moment = at or timezone.now()
    return Parcel(
        destination=destination,
        origin=listing.ships_from,
        currency=item_value.currency,
        items=[
            ParcelItem(
                value=item_value,
                quantity=quantity,
                hs_code=listing.effective_hs_code,
                kind=kind_for_category(slugs),
            )
        ],
        shipping=shipping,
        convert=convert or fx_converter(),
        seller_is_business=listing.is_business,
        carrier_ddp=carrier_ddp,
        cbec_used=cbec_used(buyer=buyer, year=cbec_year(moment)) if destination == "CN" else Money.zero("CNY"),
        postal=postal,
        gift=gift,
    )


def fx_converter() -> Converter:
    """Converts at the mid rates in force (``fx_rate``), half-even: customs values use no margin."""

    def convert(money: Money, currency: str) -> Money:
        if money.currency == currency:
            return money
        return fx_convert_at(money, fx_rate(base=money.currency, quote=currency).rate, currency)

    return convert


def cbec_year(at: datetime) -> int:
    """The allowance year of a moment: the calendar year in China."""
    return at.astimezone(CHINA_TIME).year


def cbec_used(*, buyer: User, year: int) -> Money:
    """How much of the CN cross-border allowance ``buyer`` has used in ``year`` (released uses excluded)."""
    total = CbecAllowanceUse.objects.filter(buyer=buyer, year=year, released_at__isnull=True).aggregate(
        total=Sum("amount_minor")
    )["total"]
    return Money(int(total or 0), "CNY")


def cbec_annual_limit(*, on: date) -> Money | None:
    """The yearly allowance of the CN cross-border rule valid ``on``, if there is one."""
    for rule in customs_rules(destination="CN", on=on):
        if rule.kind == RuleKind.CN_CBEC:
            return rule.money("annual_limit")
    return None

"""Shared set-ups of the risk tests: orders placed from an IP address, failed payments, staff."""

from __future__ import annotations

from typing import Any, cast

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.tests.factories import demo_rates
from shiji.fx.models import FxRate
from shiji.orders import services as orders
from shiji.orders.models import Order
from shiji.orders.tests.factories import SHIP_TO_CN, listing_jp, pay
from shiji.risk.models import RiskDecision


def order_from(
    buyer: User | None = None, *, ip: str | None = None, ship_to: dict[str, str] | None = None, **listing: Any
) -> Order:
    """An order placed through the real service, from ``ip``."""
    if not FxRate.objects.exists():
        demo_rates()
    buyer = buyer or chinese_buyer()
    item = listing_jp(quantity=20, **listing)
    quote = orders.quote_create(buyer=buyer, listing_id=item.pk, quantity=1, ship_to=ship_to or SHIP_TO_CN)
    return orders.order_create(buyer=buyer, quote_id=quote.pk, ip=ip)


def failed_payment(buyer: User, *, ip: str | None = None) -> Order:
    return pay(order_from(buyer, ip=ip), outcome="failed")


def staff(role: str) -> User:
    return cast(User, UserFactory(roles=[role]))


def decisions(rule: str) -> list[RiskDecision]:
    return [d for d in RiskDecision.objects.order_by("created_at") if rule in d.rules]

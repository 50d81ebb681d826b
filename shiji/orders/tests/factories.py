"""Orders made through the real services and the real sandbox provider."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.models import Listing
from shiji.catalog.tests.factories import demo_rates, published
from shiji.core.states import transition
from shiji.orders import services
from shiji.orders.models import Order, OrderEvent
from shiji.orders.states import TRANSITIONS, OrderStatus
from shiji.payments.models import Payment
from shiji.payments.providers.sandbox import sandbox_customer_pays

SHIP_TO_CN = {
    "name": "王小明",
    "line1": "浦东新区世纪大道100号",
    "city": "上海",
    "postal_code": "200120",
    "country": "CN",
    "phone": "+86 138 0000 0000",
}


def seller_jp(**kwargs: Any) -> User:
    return UserFactory(**{"verification_level": 1, **kwargs})


def listing_jp(seller: User | None = None, **overrides: Any) -> Listing:
    return published(seller or seller_jp(), **overrides)


def order_placed(*, buyer: User | None = None, listing: Listing | None = None, quantity: int = 1) -> Order:
    """A pending-payment order from a fresh quote (rates set when none are)."""
    from shiji.fx.models import FxRate

    if not FxRate.objects.exists():
        demo_rates()
    buyer = buyer or chinese_buyer()
    listing = listing or listing_jp()
    quote = services.quote_create(buyer=buyer, listing_id=listing.pk, quantity=quantity, ship_to=SHIP_TO_CN)
    return services.order_create(buyer=buyer, quote_id=quote.pk)


def pay(order: Order, outcome: str = "succeeded") -> Order:
    """The buyer pays in the sandbox; its signed callback is applied (queue runs on commit)."""
    from django.test import TestCase

    payment = Payment.objects.get(order=order)
    with TestCase.captureOnCommitCallbacks(execute=True):
        sandbox_customer_pays(payment_id=payment.pk, outcome=outcome)
    order.refresh_from_db()
    return order


def mark_shipped(order: Order) -> Order:
    """Until shipping lands (orders issue), move a paid order to shipped directly."""
    transition(
        order, to=OrderStatus.SHIPPED, table=TRANSITIONS, event_model=OrderEvent, updates={"shipped_at": timezone.now()}
    )
    return order

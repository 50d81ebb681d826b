"""Orders made through the real services, the real sandbox provider and the real sandbox carrier."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, cast

from django.utils import timezone

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.models import Listing
from shiji.catalog.tests.factories import demo_rates, published
from shiji.core.money import Money, currency_digits
from shiji.core.states import transition
from shiji.orders import services
from shiji.orders.models import Order, OrderEvent
from shiji.orders.states import TRANSITIONS, OrderStatus
from shiji.payments.models import Payment
from shiji.payments.providers.sandbox import sandbox_customer_pays
from shiji.shipping.models import RateBracket, Shipment
from shiji.shipping.tests.factories import SHIP_TO_CN

SHIP_TO_KR = {
    "name": "Kim Minji",
    "line1": "Sejong-daero 110",
    "city": "Seoul",
    "postal_code": "04524",
    "country": "KR",
    "phone": "+82 10 0000 0000",
}

# The default listing (catalog factories): ¥6,800, 800 g, 30 × 25 × 8 cm = 6,000 cm³.
# Cheapest JP → CN service: the postal small packet (divisor 6,000 → 1,000 g volumetric beats
# 800 g actual; 100 g step), ¥700 first 100 g + 9 × ¥120 = ¥1,780 (seeded rate table).
SMALL_PACKET = "jp-post-small-packet"
EXPRESS_DDP = "jp-express-ddp"


def seller_jp(**kwargs: Any) -> User:
    return cast(User, UserFactory(**{"verification_level": 1, **kwargs}))


def listing_jp(seller: User | None = None, **overrides: Any) -> Listing:
    return published(seller or seller_jp(), **overrides)


def order_placed(
    *,
    buyer: User | None = None,
    listing: Listing | None = None,
    quantity: int = 1,
    ship_to: dict[str, str] | None = None,
    carrier_service: str | None = None,
) -> Order:
    """A pending-payment order from a fresh quote (rates set when none are)."""
    from shiji.fx.models import FxRate

    if not FxRate.objects.exists():
        demo_rates()
    buyer = buyer or chinese_buyer()
    listing = listing or listing_jp()
    quote = services.quote_create(
        buyer=buyer,
        listing_id=listing.pk,
        quantity=quantity,
        ship_to=ship_to or SHIP_TO_CN,
        carrier_service=carrier_service,
    )
    return services.order_create(buyer=buyer, quote_id=quote.pk)


def pay(order: Order, outcome: str = "succeeded") -> Order:
    """The buyer pays in the sandbox; its signed callback is applied (queue runs on commit)."""
    from django.test import TestCase

    payment = Payment.objects.get(order=order)
    with TestCase.captureOnCommitCallbacks(execute=True):
        sandbox_customer_pays(payment_id=payment.pk, outcome=outcome)
    order.refresh_from_db()
    return order


def ship(order: Order, carrier_service: str | None = None) -> Shipment:
    """The seller ships a paid order for real: label, customs declaration, postage (and prepaid
    duties) handed over from escrow, the buyer told. The order is refreshed."""
    from django.test import TestCase

    from shiji.orders.shipping import order_ship

    with TestCase.captureOnCommitCallbacks(execute=True):
        shipment = order_ship(seller=order.seller, order_id=order.pk, carrier_service=carrier_service)
    order.refresh_from_db()
    return shipment


def carrier_scan(shipment: Shipment, status: str, location: str = "", at: datetime | None = None) -> dict[str, Any]:
    """The sandbox carrier scans the parcel; its signed callback is delivered on commit."""
    from django.test import TestCase

    from shiji.shipping.carriers.sandbox import sandbox_carrier_advance

    with TestCase.captureOnCommitCallbacks(execute=True):
        return sandbox_carrier_advance(shipment.tracking_number, status, location, at=at)


def mark_shipped(order: Order) -> Order:
    """A shortcut for tests that are not about shipping: paid → shipped with no label and no
    hand-over of postage (the postage then leaves escrow at release). Use ``ship`` to ship."""
    transition(
        order, to=OrderStatus.SHIPPED, table=TRANSITIONS, event_model=OrderEvent, updates={"shipped_at": timezone.now()}
    )
    return order


# --- expected figures, computed independently of the pricing code ------------------------------

DEMO_USD = {"USD": Decimal(1), "JPY": Decimal(150), "CNY": Decimal("7.2"), "EUR": Decimal("0.9"), "KRW": Decimal(1400)}


def at_mid(amount: Decimal, base: str, quote: str) -> Decimal:
    """``amount`` of ``base`` in ``quote`` at the demo mid rate (through USD), half-even."""
    exact = amount * DEMO_USD[quote] / DEMO_USD[base]
    return exact.quantize(Decimal(1).scaleb(-currency_digits(quote)), rounding=ROUND_HALF_EVEN)


def seeded_postage(service: str, origin: str, destination: str, chargeable_weight_g: int) -> Money:
    """What the seeded rate table of ``service`` charges for ``chargeable_weight_g`` on the route."""
    bracket = (
        RateBracket.objects.filter(
            zone__service__code=service,
            zone__origin_country=origin,
            zone__countries__country=destination,
            max_weight_g__gte=chargeable_weight_g,
        )
        .select_related("zone__service")
        .order_by("max_weight_g")
        .first()
    )
    assert bracket is not None, (service, origin, destination, chargeable_weight_g)
    return Money(bracket.price_minor, bracket.zone.service.currency)

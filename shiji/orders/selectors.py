from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.accounts.roles import Role, require_role, user_has_role
from shiji.core.audit import audit_record
from shiji.core.errors import NotFound
from shiji.customs.goods import EU_MEMBER_STATES
from shiji.identity.gates import YearlySales
from shiji.orders.models import Order, Quote
from shiji.orders.states import OrderStatus


def escrow_expected_by_order() -> dict[str, tuple[str, int]]:
    """Each order that should hold money in escrow: (currency, amount)."""
    rows = (
        Order.objects.annotate(
            held=F("captured_minor") - F("refunded_minor") - F("remitted_minor") - F("released_minor")
        )
        .exclude(held=0)
        .values_list("id", "currency", "held")
    )
    return {order_id: (currency, int(held)) for order_id, currency, held in rows}


def access_order(*, user: User, order_id: str) -> Order:
    """The buyer, the seller, or staff who handle orders; anyone else gets 'not found'."""
    order = Order.objects.select_related("buyer", "seller", "listing").filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("No such order."))
    if user.pk in (order.buyer_id, order.seller_id) or user_has_role(user, Role.ARBITRATOR, Role.FINANCE):
        return order
    raise NotFound(_("No such order."))


def access_quote(*, user: User, quote_id: str) -> Quote:
    quote = Quote.objects.filter(pk=quote_id, buyer=user).first()
    if quote is None:
        raise NotFound(_("No such quote."))
    return quote


def user_orders(*, user: User, role: str) -> QuerySet[Order]:
    if role == "seller":
        return Order.objects.filter(seller=user)
    return Order.objects.filter(buyer=user)


def order_ship_by(order: Order) -> datetime | None:
    """The date a paid order should ship by: payment plus the listing's handling days (None
    once it is no longer waiting to ship)."""
    if order.status != OrderStatus.PAID or order.paid_at is None:
        return None
    return order.paid_at + timedelta(days=order.listing.handling_days)


def orders_expired_ids(limit: int = 500) -> list[str]:
    return list(
        Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, expires_at__lte=timezone.now())
        .order_by("expires_at")
        .values_list("id", flat=True)[:limit]
    )


def seller_yearly_sales(seller: User) -> YearlySales:
    """Completed sales this calendar year into the EU and the US (for the tax-details gate)."""
    from shiji.core.money import Money
    from shiji.fx.errors import RateUnavailable
    from shiji.fx.selectors import fx_convert_at, fx_rate

    start = timezone.now().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    done = Order.objects.filter(seller=seller, status=OrderStatus.COMPLETED, completed_at__gte=start)
    totals: dict[str, dict[str, int]] = {"EU": {}, "US": {}}
    counts = {"EU": 0, "US": 0}
    for region, queryset in (
        ("EU", done.filter(ship_to_country__in=EU_MEMBER_STATES)),
        ("US", done.filter(ship_to_country="US")),
    ):
        counts[region] = queryset.count()
        for row in queryset.values("seller_currency").annotate(total=Sum("item_seller_minor")):
            totals[region][row["seller_currency"]] = int(row["total"])

    def into(region: str, target: str) -> int:
        total = 0
        for currency, minor in totals[region].items():
            try:
                total += fx_convert_at(Money(minor, currency), fx_rate(base=currency, quote=target).rate, target).minor
            except RateUnavailable:
                continue
        return total

    return YearlySales(
        eu_count=counts["EU"], eu_eur_cents=into("EU", "EUR"), us_count=counts["US"], us_usd_cents=into("US", "USD")
    )


# The seller sees where to ship only once the buyer has paid (PRODUCT.md inv. 4).
SHIP_TO_VISIBLE_TO_SELLER = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.DISPUTED)


def order_ship_to_for(order: Order, *, viewer: User) -> dict[str, str] | None:
    """The buyer sees their whole address; the seller (and order staff) only once paid and only
    what the parcel needs — never the phone number (the platform's label carries it)."""
    if viewer.pk == order.buyer_id:
        return dict(order.ship_to)
    if order.status not in SHIP_TO_VISIBLE_TO_SELLER:
        return None
    return {name: value for name, value in order.ship_to.items() if name != "phone"}


def orders_staff_viewed(*, staff: User, orders: list[Order], request: HttpRequest | None = None) -> None:
    """Staff reading buyers' addresses is a view of personal data: each one leaves a trace."""
    for order in orders:
        if staff.pk not in (order.buyer_id, order.seller_id) and order.status in SHIP_TO_VISIBLE_TO_SELLER:
            audit_record(action="order.viewed_by_staff", actor=staff, target=order, request=request)


def order_for_viewer(*, user: User, order_id: str, request: HttpRequest | None = None) -> Order:
    """``access_order`` for showing the order: staff views of the address are audited."""
    order = access_order(user=user, order_id=order_id)
    orders_staff_viewed(staff=user, orders=[order], request=request)
    return order


def orders_for_review(*, staff: User) -> QuerySet[Order]:
    """Shipped parcels whose tracking went quiet (arbitrators and finance)."""
    require_role(staff, Role.ARBITRATOR, Role.FINANCE)
    return Order.objects.filter(status=OrderStatus.SHIPPED, review_requested_at__isnull=False)

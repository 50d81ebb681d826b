from __future__ import annotations

from django.db.models import F, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.accounts.roles import Role, user_has_role
from shiji.core.errors import NotFound
from shiji.identity.gates import YearlySales
from shiji.orders.models import Order, Quote
from shiji.orders.states import OrderStatus

EU = frozenset(
    (
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    )
)


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
    for region, queryset in (("EU", done.filter(ship_to_country__in=EU)), ("US", done.filter(ship_to_country="US"))):
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

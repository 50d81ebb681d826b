"""Order pages: checkout (quote → order), the order page (pay, cancel, ship, label, tracking,
confirm) and the buyer's and seller's order lists. Each view parses input, calls one service
and renders; what a viewer may see of an order comes from ``order_out`` — the API's rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shiji.accounts.models import User
from shiji.accounts.selectors import page_user
from shiji.catalog.models import Listing
from shiji.catalog.selectors import listing_display_price, listing_get_visible, listing_price
from shiji.catalog.states import ListingStatus
from shiji.core.audit import client_ip
from shiji.core.errors import InvalidState, NotFound, ShijiError
from shiji.core.money import Money
from shiji.orders import flow, selectors, services
from shiji.orders.api import order_out
from shiji.orders.errors import QuoteUsed
from shiji.orders.forms import (
    CancelForm,
    CheckoutForm,
    PlaceOrderForm,
    SandboxPayForm,
    ShipForm,
    checkout_initial,
    country_choices,
    transit_text,
)
from shiji.orders.models import Order, Quote
from shiji.orders.services import MAX_QUANTITY
from shiji.orders.shipping import order_ship
from shiji.orders.states import CANCELLABLE_STATUSES, OrderStatus
from shiji.payments.models import PaymentStatus
from shiji.payments.providers.sandbox import sandbox_customer_pays
from shiji.payments.selectors import sandbox_payment_for_buyer
from shiji.shipping.rates import shipping_options
from shiji.shipping.selectors import services_active

LIST_LIMIT = 100
STATUS_BADGES: dict[str, str] = {
    OrderStatus.PENDING_PAYMENT: "badge-warn",
    OrderStatus.PAID: "badge-warn",
    OrderStatus.SHIPPED: "",
    OrderStatus.DELIVERED: "badge-ok",
    OrderStatus.COMPLETED: "badge-ok",
    OrderStatus.CANCELLED: "badge-bad",
    OrderStatus.REFUNDED: "badge-bad",
    OrderStatus.DISPUTED: "badge-bad",
}


def _status_labels() -> dict[str, str]:
    return {str(value): str(label) for value, label in OrderStatus.choices}


def _service_names() -> dict[str, str]:
    language = translation.get_language() or "en"
    return {service.code: service.name_for(language) for service in services_active()}


def _money(value: dict[str, str] | None) -> Money | None:
    return Money.from_decimal(value["amount"], value["currency"]) if value else None


def _when(value: str | None) -> datetime | None:
    """An ISO time of the API's shapes back to an aware datetime (shown in the viewer's zone)."""
    return datetime.fromisoformat(value) if value else None


def _country_name(code: str) -> str:
    return dict(country_choices()).get(code, code)


# --- checkout --------------------------------------------------------------------------------


def _checkout_listing(user: User, listing_id: str) -> Listing:
    try:
        return listing_get_visible(viewer=user, listing_id=listing_id)
    except NotFound as exc:
        raise Http404 from exc


def _own_quote(user: User, quote_id: str | None, listing: Listing) -> Quote | None:
    if not quote_id:
        return None
    try:
        quote = selectors.access_quote(user=user, quote_id=quote_id)
    except NotFound:
        return None
    return quote if quote.listing_id == listing.pk else None


def _checkout_url(listing_id: str, quote_id: str | None = None) -> str:
    url = reverse("orders:checkout", args=[listing_id])
    return f"{url}?{urlencode({'quote': quote_id})}" if quote_id else url


def _breakdown(quote: Quote, names: dict[str, str]) -> dict[str, Any]:
    c = quote.currency
    option = next((o for o in quote.options if o["carrier_service"] == quote.carrier_service), None)
    return {
        "item": Money(quote.item_minor, c),
        "item_seller": Money(quote.item_seller_minor, quote.seller_currency),
        "shipping": Money(quote.shipping_minor, c),
        "duties": Money(quote.duties_minor, c),
        "taxes": Money(quote.taxes_minor, c),
        "duties_and_taxes": Money(quote.duties_minor + quote.taxes_minor, c),
        "buyer_fee": Money(quote.buyer_fee_minor, c),
        "total": Money(quote.total_minor, c),
        "prepaid": quote.duties_mode == "prepaid",
        "expired": quote.expires_at <= timezone.now(),
        "service_name": names.get(quote.carrier_service) or (option or {}).get("name", quote.carrier_service),
        "transit": transit_text(option["transit_days"]) if option else "",
        "country": _country_name(quote.ship_to.get("country", "")),
    }


def _route_options(listing: Listing, country: str, quantity: Any) -> list[dict[str, Any]]:
    """The carrier services that take this parcel to ``country`` (no prices: those come with a
    quote in the buyer's currency), so the buyer can choose one before the first price."""
    try:
        count = int(quantity)
        options = shipping_options(
            listing.ships_from,
            country,
            listing.weight_g,
            (listing.length_cm, listing.width_cm, listing.height_cm),
            max(1, min(count, MAX_QUANTITY)),
        )
    except (ShijiError, TypeError, ValueError):
        return []
    language = translation.get_language() or "en"
    return [
        {
            "carrier_service": option.service,
            "name": option.name_for(language),
            "transit_days": {"min": option.transit_days_min, "max": option.transit_days_max},
            "ddp": option.ddp,
            "tracked": option.tracked,
        }
        for option in options
    ]


@login_required
def checkout_view(request: HttpRequest, listing_id: str) -> HttpResponse:
    user = page_user(request)
    listing = _checkout_listing(user, listing_id)
    if request.method == "POST" and request.POST.get("action") == "place":
        return _place_order(request, user, listing)
    names = _service_names()
    quote = None
    if request.method == "POST":
        route = _route_options(listing, request.POST.get("country", ""), request.POST.get("quantity", 1))
        form = CheckoutForm(request.POST, options=route, service_names=names)
        if form.is_valid():
            data = form.cleaned_data
            # A choice made for another address or quantity falls back to the cheapest service.
            chosen = (
                data["carrier_service"] if data["carrier_service"] in {o["carrier_service"] for o in route} else None
            )
            try:
                with transaction.atomic(durable=True):
                    created = services.quote_create(
                        buyer=user,
                        listing_id=listing.pk,
                        quantity=data["quantity"],
                        ship_to=form.ship_to(),
                        carrier_service=chosen,
                    )
            except NotFound as exc:
                raise Http404 from exc
            except ShijiError as exc:
                form.add_service_error(exc)
            else:
                return redirect(_checkout_url(listing.pk, created.pk))
    else:
        quote = _own_quote(user, request.GET.get("quote"), listing)
        form = CheckoutForm(
            initial=checkout_initial(quote=quote, country=user.country),
            options=quote.options if quote else _route_options(listing, user.country, 1),
            service_names=names,
        )
    display = listing_display_price(listing, user.currency)
    return render(
        request,
        "orders/pages/checkout.html",
        {
            "listing": listing,
            "price": listing_price(listing),
            "display": display.money if display else None,
            "can_buy": listing.seller_id != user.pk and listing.status == ListingStatus.ACTIVE,
            "is_owner": listing.seller_id == user.pk,
            "form": form,
            "quote": quote,
            "breakdown": _breakdown(quote, names) if quote else None,
            "place_form": PlaceOrderForm(initial={"quote": quote.pk}, auto_id="place_%s") if quote else None,
        },
    )


def _place_order(request: HttpRequest, user: User, listing: Listing) -> HttpResponse:
    form = PlaceOrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Get a price first."))
        return redirect(_checkout_url(listing.pk))
    quote_id = form.cleaned_data["quote"]
    try:
        with transaction.atomic(durable=True):
            order = services.order_create(buyer=user, quote_id=quote_id, ip=client_ip(request))
    except QuoteUsed as exc:
        # Pressed twice: the first press placed the order.
        placed = selectors.user_orders(user=user, role="buyer").filter(quote_id=quote_id).first()
        if placed is not None:
            return redirect("orders:detail", order_id=placed.pk)
        messages.error(request, str(exc.message))
    except NotFound as exc:
        messages.error(request, str(exc.message))
        return redirect(_checkout_url(listing.pk))
    except ShijiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your order is placed. Pay now to keep the item for you."))
        return redirect("orders:detail", order_id=order.pk)
    return redirect(_checkout_url(listing.pk, quote_id))


# --- the order page --------------------------------------------------------------------------


def _access(user: User, order_id: str) -> Order:
    try:
        return selectors.access_order(user=user, order_id=order_id)
    except NotFound as exc:
        raise Http404 from exc


def _actor_label(order: Order, actor_id: str | None) -> str:
    if actor_id is None:
        return _("Shiji")
    if actor_id == order.buyer_id:
        return _("Buyer")
    if actor_id == order.seller_id:
        return _("Seller")
    return _("Staff")


def _order_page(
    request: HttpRequest,
    user: User,
    order: Order,
    *,
    ship_form: ShipForm | None = None,
    status: int = 200,
) -> HttpResponse:
    data = order_out(order, viewer=user)
    is_buyer, is_seller = user.pk == order.buyer_id, user.pk == order.seller_id
    selectors.orders_staff_viewed(staff=user, orders=[order], request=request)  # as the API does
    labels = _status_labels()
    names = _service_names()
    payment = data["payment"]
    shipment = data["shipment"]
    if ship_form is None and is_seller and order.status == OrderStatus.PAID:
        ship_form = ShipForm(
            initial={"carrier_service": order.carrier_service},
            options=order.quote.options,
            service_names=names,
            quoted=order.carrier_service,
        )
    c = order.currency
    return render(
        request,
        "orders/pages/order.html",
        {
            "order": order,
            "status_label": labels.get(order.status, order.status),
            "status_badge": STATUS_BADGES.get(order.status, ""),
            "is_buyer": is_buyer,
            "is_seller": is_seller,
            "lines": {
                "item": Money(order.item_minor, c),
                "item_seller": Money(order.item_seller_minor, order.seller_currency),
                "shipping": Money(order.shipping_minor, c),
                "duties": Money(order.duties_minor, c),
                "taxes": Money(order.taxes_minor, c),
                "duties_and_taxes": Money(order.duties_minor + order.taxes_minor, c),
                "buyer_fee": Money(order.buyer_fee_minor, c),
                "total": Money(order.total_minor, c),
                "refunded": Money(order.refunded_minor, c),
                "prepaid": order.duties_mode == "prepaid",
                "commission": _money(data["commission"]),
                "seller_proceeds": _money(data["seller_proceeds"]),
            },
            "events": [
                {
                    "at": _when(event["at"]),
                    "label": labels.get(event["to"], event["to"]),
                    "who": _actor_label(order, event["actor"]),
                    "note": event["note"],
                }
                for event in data["events"]
            ],
            "timeline": [{**row, "at": _when(row["at"])} for row in data["timeline"]],
            "ship_to": data["ship_to"],
            "ship_to_country": _country_name(order.ship_to_country),
            "shipment": shipment,
            "service_name": names.get(order.carrier_service, order.carrier_service),
            "pay_by": _when(data["expires_at"]),
            "ship_by": selectors.order_ship_by(order),
            "can_pay": (
                is_buyer
                and order.status == OrderStatus.PENDING_PAYMENT
                and payment is not None
                and payment["status"] in (PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.FAILED)
            ),
            "payment_failed": payment is not None and payment["status"] == PaymentStatus.FAILED,
            "sandbox_payment": settings.SHIJI_SANDBOX and payment is not None and payment["provider"] == "sandbox",
            "can_cancel": (is_buyer or is_seller) and order.status in CANCELLABLE_STATUSES,
            "cancel_form": CancelForm(),
            "ship_form": ship_form if is_seller and order.status == OrderStatus.PAID else None,
            "label_url": shipment["label_url"] if shipment and not is_buyer else None,
            "can_confirm": is_buyer and order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED),
        },
        status=status,
    )


def _act(request: HttpRequest, order: Order, action: Callable[[], object], done: str) -> HttpResponse:
    """Run one service in its own transaction, flash ``done`` or the service's error, and go back
    to the order page."""
    try:
        with transaction.atomic(durable=True):
            action()
    except ShijiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("orders:detail", order_id=order.pk)


@login_required
def order_view(request: HttpRequest, order_id: str) -> HttpResponse:
    user = page_user(request)
    return _order_page(request, user, _access(user, order_id))


@login_required
@require_POST
def order_pay_view(request: HttpRequest, order_id: str) -> HttpResponse:
    """The sandbox's checkout, on the order page: the buyer pays (or fails). The provider's
    signed callback runs through the queue after commit and marks the order paid."""
    user = page_user(request)
    order = _access(user, order_id)
    form = SandboxPayForm(request.POST)
    payment = sandbox_payment_for_buyer(buyer=user, order=order)
    if payment is None or not form.is_valid():
        raise Http404
    outcome = form.cleaned_data["outcome"]
    try:
        with transaction.atomic(durable=True):
            sandbox_customer_pays(payment_id=payment.pk, outcome=outcome)
    except ShijiError as exc:
        messages.error(request, str(exc.message))
    else:
        if outcome == "succeeded":
            messages.success(request, _("Payment sent. The order shows as paid once the payment is confirmed."))
        else:
            messages.warning(request, _("The sandbox declined the payment. You can try again."))
    return redirect("orders:detail", order_id=order.pk)


@login_required
@require_POST
def order_cancel_view(request: HttpRequest, order_id: str) -> HttpResponse:
    user = page_user(request)
    order = _access(user, order_id)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        order,
        lambda: flow.order_cancel(user=user, order_id=order.pk, reason=reason),
        _("The order is cancelled."),
    )


@login_required
@require_POST
def order_ship_view(request: HttpRequest, order_id: str) -> HttpResponse:
    user = page_user(request)
    order = _access(user, order_id)
    form = ShipForm(
        request.POST, options=order.quote.options, service_names=_service_names(), quoted=order.carrier_service
    )
    if form.is_valid():
        try:
            with transaction.atomic(durable=True):
                shipment = order_ship(
                    seller=user, order_id=order.pk, carrier_service=form.cleaned_data["carrier_service"]
                )
        except ShijiError as exc:
            if user.pk != order.seller_id or isinstance(exc, InvalidState):
                messages.error(request, str(exc.message))
                return redirect("orders:detail", order_id=order.pk)
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("Shipped. Tracking number %(number)s — download the label and attach it to the parcel.")
                % {"number": shipment.tracking_number},
            )
            return redirect("orders:detail", order_id=order.pk)
    return _order_page(request, user, order, ship_form=form)


@login_required
@require_POST
def order_confirm_view(request: HttpRequest, order_id: str) -> HttpResponse:
    user = page_user(request)
    order = _access(user, order_id)
    return _act(
        request,
        order,
        lambda: flow.order_confirm(user=user, order_id=order.pk),
        _("Thank you. The seller is paid now."),
    )


# --- my orders -------------------------------------------------------------------------------


def _row(order: Order, labels: dict[str, str], *, seller: bool) -> dict[str, Any]:
    ship_by = selectors.order_ship_by(order)
    return {
        "order": order,
        "status_label": labels.get(order.status, order.status),
        "status_badge": STATUS_BADGES.get(order.status, ""),
        "amount": (
            Money(order.item_seller_minor, order.seller_currency)
            if seller
            else Money(order.total_minor, order.currency)
        ),
        "ship_by": ship_by,
        "overdue": ship_by is not None and ship_by < timezone.now(),
    }


@login_required
def my_orders_view(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    tab = "sales" if request.GET.get("tab") == "sales" else "purchases"
    sales = selectors.user_orders(user=user, role="seller").select_related("listing")
    to_ship_count = sales.filter(status=OrderStatus.PAID).count()
    context: dict[str, Any] = {"tab": tab, "to_ship_count": to_ship_count}
    labels = _status_labels()
    if tab == "sales":
        to_ship = sales.filter(status=OrderStatus.PAID).order_by("paid_at", "id")[:LIST_LIMIT]
        others = sales.exclude(status=OrderStatus.PAID).order_by("-created_at", "-id")[:LIST_LIMIT]
        context["to_ship"] = [_row(order, labels, seller=True) for order in to_ship]
        context["other_sales"] = [_row(order, labels, seller=True) for order in others]
    else:
        purchases = (
            selectors.user_orders(user=user, role="buyer")
            .select_related("listing")
            .order_by("-created_at", "-id")[:LIST_LIMIT]
        )
        context["purchases"] = [_row(order, labels, seller=False) for order in purchases]
    return render(request, "orders/pages/mine.html", context)

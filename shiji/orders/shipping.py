"""Shipping an order and following its parcel: the label, the customs declaration, the escrow
hand-over of postage and duties, delivery from carrier events, completion after delivery, and
staff review of parcels whose tracking went quiet."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.core.audit import audit_record
from shiji.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from shiji.core.money import Money
from shiji.orders.flow import _lock, _move, order_complete
from shiji.orders.models import Order
from shiji.orders.notifications import order_notify
from shiji.orders.selectors import access_order
from shiji.orders.signals import order_shipped
from shiji.orders.states import OrderStatus
from shiji.payments.escrow import escrow_remit
from shiji.shipping.declarations import customs_declaration
from shiji.shipping.models import Shipment
from shiji.shipping.rates import shipping_option
from shiji.shipping.selectors import shipment_for_order, shipments_stale
from shiji.shipping.services import shipment_create


def _declaration(order: Order) -> dict[str, Any]:
    """The customs declaration: contents in English (the English title when it is one the
    declaration accepts, else the category's English name), the HS code, and the unit value the
    buyer actually paid for (not the listing's price today)."""
    listing = order.listing
    unit_value = Money(order.item_seller_minor, order.seller_currency).allocate([1] * order.quantity)[0]
    english = ((listing.title or {}).get("en") or "").strip()[:100]
    for contents in filter(None, (english, listing.category.name_en[:100])):
        try:
            return customs_declaration(
                contents, listing.effective_hs_code, order.quantity, unit_value, listing.ships_from
            )
        except InvalidInput:
            continue
    return customs_declaration(
        "Second-hand goods", listing.effective_hs_code, order.quantity, unit_value, listing.ships_from
    )


def order_ship(*, seller: User, order_id: str, carrier_service: str | None = None) -> Shipment:
    """The seller ships a paid order: a label and customs declaration from the carrier, postage
    and prepaid duties leave escrow, the buyer is told."""
    with transaction.atomic():
        order = _lock(order_id)
        if seller.pk != order.seller_id:
            raise Forbidden(_("Only the seller ships an order."))
        if order.status != OrderStatus.PAID:
            raise InvalidState(_("Only a paid order can be shipped."))
        listing = order.listing
        service = carrier_service or order.carrier_service
        dims = (listing.length_cm, listing.width_cm, listing.height_cm)
        option = shipping_option(
            service, listing.ships_from, order.ship_to_country, listing.weight_g, dims, order.quantity
        )
        if option is None:
            raise InvalidInput(
                _("That carrier service does not take this parcel on this route."),
                fields={"carrier_service": [_("Not available for this parcel.")]},
            )
        if order.duties_mode == "prepaid" and not option.ddp and order.duties_minor + order.taxes_minor > 0:
            raise InvalidInput(
                _("The buyer paid duties in advance: ship with a service that delivers duty paid (DDP)."),
                fields={"carrier_service": [_("Needs a DDP service.")]},
            )
        if order.escrow_expected_minor < order.shipping_minor + (
            order.duties_minor + order.taxes_minor if order.duties_mode == "prepaid" else 0
        ):
            raise InvalidState(_("So much has been refunded that the postage is no longer covered."))
        declaration = _declaration(order)
        shipment = shipment_create(
            order_id=order.pk,
            service_code=option.service,
            ship_from={"name": order.seller.display_name, "country": listing.ships_from},
            ship_to=order.ship_to,
            declaration=declaration,
            weight_g=listing.weight_g,
            dims_cm=dims,
            quantity=order.quantity,
        )
        escrow_remit(order=order)
        _move(
            order,
            OrderStatus.SHIPPED,
            actor=seller,
            notify={"tracking": shipment.tracking_number},
            shipped_at=timezone.now(),
            carrier_service=option.service,
        )
        order_shipped.send(sender=Order, order=order)
    return shipment


def order_label_for(*, user: User, order_id: str, request: HttpRequest | None = None) -> Shipment:
    """The shipment whose label ``user`` may download: the seller's, or order staff's (audited).
    The buyer and everyone else get 'not found'."""
    order = access_order(user=user, order_id=order_id)
    shipment = shipment_for_order(order.pk)
    if user.pk == order.buyer_id or shipment is None or not shipment.label:
        raise NotFound(_("No label for this order."))
    if user.pk != order.seller_id:
        audit_record(action="order.label_viewed_by_staff", actor=user, target=order, request=request)
    return shipment


def order_delivered(*, order_id: str, at: datetime) -> bool:
    """The carrier confirmed delivery (a signal from shipping): shipped → delivered. Quiet for
    orders that moved on (disputed, refunded): the event is kept on the shipment anyway."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None or order.status != OrderStatus.SHIPPED:
            return False
        _move(order, OrderStatus.DELIVERED, delivered_at=at)
    return True


def orders_auto_complete(*, now: datetime | None = None) -> int:
    """Delivered orders whose buyer neither confirmed nor disputed within the window complete."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SHIJI_AUTO_COMPLETE_DAYS)
    done = 0
    # The window runs from when the platform learned of the delivery (the event row), not from
    # the carrier's own time: a late "delivered" callback still leaves the buyer the whole window.
    due = (
        Order.objects.filter(
            status=OrderStatus.DELIVERED,
            delivered_at__lte=cutoff,
            events__to_state=OrderStatus.DELIVERED,
            events__at__lte=cutoff,
        )
        .values_list("id", flat=True)
        .distinct()
    )
    for order_id in due[:500]:
        try:
            order_complete(
                order_id=order_id,
                note=_("Completed automatically %(days)s days after delivery.")
                % {"days": settings.SHIJI_AUTO_COMPLETE_DAYS},
            )
        except InvalidState:  # confirmed or disputed meanwhile
            continue
        done += 1
    return done


def orders_flag_stale_tracking(*, now: datetime | None = None) -> int:
    """Shipped parcels with no tracking update for SHIJI_TRACKING_STALE_DAYS go to staff review."""
    flagged = 0
    open_unflagged = Order.objects.filter(status=OrderStatus.SHIPPED, review_requested_at__isnull=True).values("pk")
    stale = (
        shipments_stale(days=settings.SHIJI_TRACKING_STALE_DAYS, now=now)
        .filter(order_id__in=open_unflagged)
        .values_list("order_id", flat=True)
    )
    for order_id in list(stale[:500]):
        with transaction.atomic():
            order = (
                Order.objects.select_for_update()
                .filter(pk=order_id, status=OrderStatus.SHIPPED, review_requested_at__isnull=True)
                .first()
            )
            if order is None:
                continue
            Order.objects.filter(pk=order.pk).update(review_requested_at=now or timezone.now())
            audit_record(action="order.tracking_stale", target=order, data={"days": settings.SHIJI_TRACKING_STALE_DAYS})
            order_notify(order, "review_needed")
        flagged += 1
    return flagged

"""Quotes and orders (API.md "Orders, payments, shipping")."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Query, Router, Schema, Status
from pydantic import Field

from shiji.accounts.models import User
from shiji.api.auth import api_user
from shiji.api.openapi import errors
from shiji.api.pagination import paginate_by_id
from shiji.core.audit import client_ip
from shiji.core.downloads import file_response
from shiji.core.idempotency import idempotency_key_from, idempotent
from shiji.core.money import Money, parse_money
from shiji.core.notes import note_text
from shiji.core.time import iso_utc
from shiji.orders import flow, selectors, services
from shiji.orders.models import Order, Quote
from shiji.orders.schemas import (
    CancelIn,
    OrderIn,
    OrderOut,
    OrderPage,
    QuoteIn,
    QuoteOut,
    RefundIn,
    RefundOut,
    ShipmentOut,
)
from shiji.orders.shipping import order_label_for, order_ship
from shiji.orders.states import OrderStatus
from shiji.payments.models import Payment, Refund
from shiji.shipping.api import shipment_out, timeline_out
from shiji.shipping.selectors import shipment_for_order, shipment_timeline

router = Router()
staff_router = Router()


def _money(minor: int, currency: str) -> dict[str, str]:
    return Money(minor, currency).as_dict()


def _lines(source: Quote | Order) -> dict[str, Any]:
    c = source.currency
    return {
        "item": _money(source.item_minor, c),
        "shipping": _money(source.shipping_minor, c),
        "duties": _money(source.duties_minor, c),
        "taxes": _money(source.taxes_minor, c),
        "buyer_fee": _money(source.buyer_fee_minor, c),
    }


def quote_out(quote: Quote) -> dict[str, Any]:
    return {
        "id": quote.pk,
        "listing": quote.listing_id,
        "quantity": quote.quantity,
        "expires_at": iso_utc(quote.expires_at),
        "currency": quote.currency,
        "fx_rate": quote.fx_rate,
        "fx_mid_rate": quote.fx_mid_rate,
        "fx_source": quote.fx_source,
        "fx_as_of": iso_utc(quote.fx_as_of),
        "item_seller": _money(quote.item_seller_minor, quote.seller_currency),
        "lines": _lines(quote),
        "total": _money(quote.total_minor, quote.currency),
        "duties_mode": quote.duties_mode,
        "regime": quote.regime or None,
        "carrier_service": quote.carrier_service or None,
        "chargeable_weight_g": quote.chargeable_weight_g,
        "options": quote.options,
        "rule_ids": quote.rule_ids,
        "customs": quote.customs or None,
    }


def refund_out(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.pk,
        "order": refund.order_id,
        "amount": _money(refund.amount_minor, refund.currency),
        "status": refund.status,
        "reason": refund.reason,
        "created_at": iso_utc(refund.created_at),
    }


def _shipment_for(order: Order) -> dict[str, Any] | None:
    shipment = shipment_for_order(order.pk)
    return shipment_out(shipment) if shipment else None


def order_out(order: Order, *, viewer: User) -> dict[str, Any]:
    payment = Payment.objects.filter(order=order).order_by("-created_at").first()
    is_buyer = viewer.pk == order.buyer_id
    return {
        "id": order.pk,
        "status": order.status,
        "listing": order.listing_id,
        "quantity": order.quantity,
        "buyer": order.buyer_id,
        "seller": order.seller_id,
        "currency": order.currency,
        "lines": _lines(order),
        "total": _money(order.total_minor, order.currency),
        "item_seller": _money(order.item_seller_minor, order.seller_currency),
        "fx_rate": order.fx_rate,
        "duties_mode": order.duties_mode,
        "refunded": _money(order.refunded_minor, order.currency),
        "payment": (
            {
                "id": payment.pk,
                "provider": payment.provider,
                "status": payment.status,
                # Only the buyer pays; nobody else needs the secret.
                "client_secret": payment.client_secret if is_buyer else None,
                "amount": _money(payment.amount_minor, payment.currency),
            }
            if payment
            else None
        ),
        "refunds": [refund_out(r) for r in order.refunds.order_by("created_at")],
        "events": [
            {
                "at": iso_utc(event.at),
                "actor": event.actor_id,
                "from": event.from_state,
                "to": event.to_state,
                "note": note_text(event.note),
            }
            for event in order.events.order_by("at", "id")
        ],
        "ship_to": selectors.order_ship_to_for(order, viewer=viewer),
        "shipment": _shipment_for(order),
        "customs": order.customs or None,
        "timeline": timeline_out(shipment_timeline(order.pk)),
        "carrier_service": order.carrier_service or None,
        "review_requested_at": iso_utc(order.review_requested_at) if order.review_requested_at else None,
        "seller_proceeds": (
            _money(order.seller_proceeds_minor, order.seller_currency)
            if order.seller_proceeds_minor is not None and viewer.pk != order.buyer_id
            else None
        ),
        "commission": (
            _money(order.commission_minor, order.seller_currency)
            if order.commission_minor is not None and viewer.pk != order.buyer_id
            else None
        ),
        "created_at": iso_utc(order.created_at),
        "expires_at": iso_utc(order.expires_at) if order.status == OrderStatus.PENDING_PAYMENT else None,
    }


@router.post("/quotes", response={201: QuoteOut, **errors(404, 409)})
def quote_create(request: HttpRequest, payload: QuoteIn) -> Status[Any]:
    user = api_user(request)
    quote = services.quote_create(
        buyer=user,
        listing_id=payload.listing,
        quantity=payload.quantity,
        ship_to=payload.ship_to.model_dump(exclude_none=True),
        currency=payload.currency,
        carrier_service=payload.carrier_service,
    )
    return Status(201, quote_out(quote))


@router.get("/quotes/{quote_id}", response={200: QuoteOut, **errors(404)})
def quote_get(request: HttpRequest, quote_id: str) -> dict[str, Any]:
    return quote_out(selectors.access_quote(user=api_user(request), quote_id=quote_id))


@router.post("/orders", response={201: OrderOut, 200: OrderOut, **errors(403, 404, 409)}, by_alias=True)
def order_create(request: HttpRequest, payload: OrderIn) -> Status[Any]:
    user = api_user(request)

    def run() -> tuple[int, dict[str, Any]]:
        order = services.order_create(buyer=user, quote_id=payload.quote, ip=client_ip(request))
        return 201, order_out(order, viewer=user)

    status, body = idempotent(
        user=user,
        key=idempotency_key_from(request),
        scope="POST /orders",
        payload=payload.model_dump(),
        run=run,
    )
    return Status(status, body)


@router.get("/orders", response=OrderPage, by_alias=True)
def order_list(
    request: HttpRequest,
    role: Literal["buyer", "seller"] = "buyer",
    cursor: str | None = None,
    limit: int | None = Query(None),
) -> dict[str, Any]:
    user = api_user(request)
    page = paginate_by_id(selectors.user_orders(user=user, role=role), cursor=cursor, limit=limit)
    return {"items": [order_out(o, viewer=user) for o in page.items], "next_cursor": page.next_cursor}


@router.get("/orders/{order_id}", response={200: OrderOut, **errors(404)}, by_alias=True)
def order_get(request: HttpRequest, order_id: str) -> dict[str, Any]:
    user = api_user(request)
    return order_out(selectors.order_for_viewer(user=user, order_id=order_id, request=request), viewer=user)


@router.post("/orders/{order_id}/cancel", response={200: OrderOut, **errors(403, 404, 409)}, by_alias=True)
def order_cancel(request: HttpRequest, order_id: str, payload: CancelIn | None = None) -> dict[str, Any]:
    user = api_user(request)
    selectors.access_order(user=user, order_id=order_id)
    order = flow.order_cancel(user=user, order_id=order_id, reason=payload.reason if payload else "")
    return order_out(selectors.access_order(user=user, order_id=order.pk), viewer=user)


@router.post("/orders/{order_id}/confirm", response={200: OrderOut, **errors(403, 404, 409)}, by_alias=True)
def order_confirm(request: HttpRequest, order_id: str) -> dict[str, Any]:
    user = api_user(request)
    selectors.access_order(user=user, order_id=order_id)
    flow.order_confirm(user=user, order_id=order_id)
    return order_out(selectors.access_order(user=user, order_id=order_id), viewer=user)


@router.post("/orders/{order_id}/refunds", response={201: RefundOut, 200: RefundOut, **errors(403, 404, 409)})
def order_refund(request: HttpRequest, order_id: str, payload: RefundIn) -> Status[Any]:
    user = api_user(request)
    selectors.access_order(user=user, order_id=order_id)
    amount = parse_money(payload.amount.model_dump())

    def run() -> tuple[int, dict[str, Any]]:
        refund = flow.order_refund(user=user, order_id=order_id, amount=amount, reason=payload.reason)
        return 201, refund_out(refund)

    status, body = idempotent(
        user=user,
        key=idempotency_key_from(request),
        scope=f"POST /orders/{order_id}/refunds",
        payload=payload.model_dump(),
        run=run,
    )
    return Status(status, body)


class RefundHeldIn(Schema):
    reason: str = Field(max_length=500)


@staff_router.post("/orders/{order_id}/refund-held", response={201: RefundOut, **errors(403, 404, 409)})
def order_refund_held(request: HttpRequest, order_id: str, payload: RefundHeldIn) -> Status[Any]:
    """Finance: refund what a closed order still holds (after the provider rejected a refund)."""
    refund = flow.order_refund_held(staff=api_user(request), order_id=order_id, reason=payload.reason)
    return Status(201, refund_out(refund))


class ShipIn(Schema):
    carrier_service: str | None = Field(default=None, max_length=40)


@router.post("/orders/{order_id}/ship", response={200: ShipmentOut, **errors(403, 404, 409)})
def order_ship_post(request: HttpRequest, order_id: str, payload: ShipIn | None = None) -> dict[str, Any]:
    """The seller ships: label, tracking number and customs declaration."""
    user = api_user(request)
    selectors.access_order(user=user, order_id=order_id)
    shipment = order_ship(seller=user, order_id=order_id, carrier_service=payload.carrier_service if payload else None)
    return shipment_out(shipment)


@router.get(
    "/orders/{order_id}/label",
    response={200: None, **errors(404)},
    openapi_extra={"responses": {200: {"description": "The label file"}}},
)
def order_label(request: HttpRequest, order_id: str) -> HttpResponseBase:
    """The shipping label (it carries the buyer's address): for the seller and order staff only."""
    shipment = order_label_for(user=api_user(request), order_id=order_id, request=request)
    return file_response(
        shipment.label.open("rb"),
        content_type=shipment.label_content_type or "image/png",
        filename=f"label-{shipment.tracking_number}{_extension(shipment.label.name or '')}",
        download=True,  # for printing
    )


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:] if dot >= 0 else ""


@staff_router.get("/orders/review", response={200: OrderPage, **errors(403)}, by_alias=True)
def orders_review(request: HttpRequest, cursor: str | None = None, limit: int | None = Query(None)) -> dict[str, Any]:
    """Arbitrators and finance: shipped parcels whose tracking went quiet, oldest first."""
    user = api_user(request)
    page = paginate_by_id(selectors.orders_for_review(staff=user), cursor=cursor, limit=limit, newest_first=False)
    selectors.orders_staff_viewed(staff=user, orders=page.items, request=request)
    return {"items": [order_out(o, viewer=user) for o in page.items], "next_cursor": page.next_cursor}

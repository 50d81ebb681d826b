"""Carrier webhooks (API.md "Signed callbacks") and the sandbox carrier's scanner.

``router`` is mounted at the API root by ``shiji.api.main``. ``shipment_out`` and
``timeline_out`` give the shapes the orders API embeds in an order and its ship response.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router

from shiji.accounts.roles import user_roles
from shiji.api.auth import api_user
from shiji.api.openapi import errors
from shiji.core.errors import Forbidden, NotFound
from shiji.core.money import Money
from shiji.core.time import iso_utc
from shiji.shipping.callbacks import carrier_callback_receive
from shiji.shipping.carriers.sandbox import sandbox_carrier_advance
from shiji.shipping.models import Shipment, TrackingEvent
from shiji.shipping.schemas import CarrierCallbackOut, SandboxAdvanceIn, SandboxAdvanceOut

router = Router()


def shipment_out(shipment: Shipment, *, language: str | None = None) -> dict[str, Any]:
    service = shipment.service
    return {
        "id": shipment.pk,
        "carrier": service.carrier.code,
        "service": service.code,
        "service_name": service.name_for(language or translation.get_language() or "en"),
        "tracking_number": shipment.tracking_number,
        "status": shipment.status,
        "label_url": f"/api/v1/orders/{shipment.order_id}/label" if shipment.label else None,
        "postage": Money(shipment.price_minor, shipment.currency).as_dict(),
        "chargeable_weight_g": shipment.chargeable_weight_g,
        "customs_declaration": shipment.declaration,
        "created_at": iso_utc(shipment.created_at),
        "delivered_at": iso_utc(shipment.delivered_at),
    }


def timeline_out(events: Iterable[TrackingEvent]) -> list[dict[str, Any]]:
    """Statuses labelled in the active language (the buyer's, on their order page)."""
    return [
        {"at": iso_utc(e.at), "status": e.status, "status_label": str(e.get_status_display()), "location": e.location}
        for e in events
    ]


@router.post("/webhooks/carriers/{carrier}", auth=None, response={200: CarrierCallbackOut, **errors(400, 404)})
def carrier_webhook(request: HttpRequest, carrier: str) -> dict[str, Any]:
    """A carrier's signed tracking event; repeats and late events are answered 200."""
    result = carrier_callback_receive(carrier=carrier, body=request.body, headers=request.headers)
    return {"received": True, "result": result}


@router.post("/shipping/sandbox/{tracking_number}/advance", response={200: SandboxAdvanceOut, **errors(403, 404)})
def sandbox_advance(request: HttpRequest, tracking_number: str, payload: SandboxAdvanceIn) -> dict[str, Any]:
    """Sandbox only, for staff: the sandbox carrier scans the parcel and calls the webhook."""
    user = api_user(request)
    if not settings.SHIJI_SANDBOX:
        raise NotFound(_("The sandbox is switched off."))
    if not (user.is_staff or user_roles(user)):
        raise Forbidden(_("Only staff can move sandbox parcels."))
    return sandbox_carrier_advance(tracking_number, payload.status, payload.location, at=payload.at)

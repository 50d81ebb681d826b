"""Reads of the shipping domain: a shipment and its timeline for the order page, the services
for checkout and the admin, and the staff queue of parcels that stopped moving."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from shiji.shipping.models import CarrierService, Shipment, TrackingEvent
from shiji.shipping.states import ShipmentStatus


def shipment_for_order(order_id: str) -> Shipment | None:
    return Shipment.objects.select_related("service__carrier").filter(order_id=order_id).first()


def shipment_timeline(order_id: str) -> list[TrackingEvent]:
    """Every event of the order's shipment, oldest first by the carrier's time — including those
    that arrived late or did not move the status, and the label's creation. Empty when the order
    has not shipped. ``event.get_status_display()`` is in the active language."""
    return list(TrackingEvent.objects.filter(shipment__order_id=order_id).order_by("at", "received_at", "id"))


def shipments_stale(days: int = 30, *, now: datetime | None = None) -> QuerySet[Shipment]:
    """Shipments not delivered whose latest tracking event (or label, when there is none since)
    is more than ``days`` days old — the staff review queue (PRODUCT.md §5). Oldest first."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return (
        Shipment.objects.exclude(status=ShipmentStatus.DELIVERED)
        .filter(last_event_at__lt=cutoff)
        .select_related("service__carrier")
        .order_by("last_event_at", "id")
    )


def services_active() -> QuerySet[CarrierService]:
    return CarrierService.objects.filter(active=True, carrier__active=True).select_related("carrier")

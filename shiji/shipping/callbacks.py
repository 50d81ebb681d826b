"""Receiving carrier tracking callbacks (API.md "Signed callbacks").

A callback is verified (400 ``bad_signature``, nothing changes), parsed (400 ``bad_callback``),
matched to a shipment by tracking number, recorded once by its event id (a repeat answers 200
and does nothing) and applied. Disorder is expected, so the status only ever moves forward:

- ranked statuses (label_created < in_transit < customs < out_for_delivery < delivered) move the
  shipment only to a higher rank than it has reached; a late ``in_transit`` never overrides
  ``customs`` or ``delivered``;
- ``exception`` applies unless the shipment is delivered or a later event already set its status;
  a ranked event later than the exception (same or higher rank) resumes the journey;
- ``delivered`` is final: nothing changes the status after it.

Every event is kept for the timeline, whether or not it moved the status. The first move to
``delivered`` sends ``signals.shipment_delivered`` inside the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.shipping.carriers.registry import carrier_adapter
from shiji.shipping.errors import BadCarrierCallback
from shiji.shipping.models import Shipment, TrackingEvent
from shiji.shipping.signals import shipment_delivered
from shiji.shipping.states import CALLBACK_STATUSES, RANK, ShipmentStatus

MAX_BODY = 16 * 1024
FUTURE_TOLERANCE = timedelta(days=1)

APPLIED = "applied"  # the event moved the shipment's status
RECORDED = "recorded"  # kept for the timeline; the status stays
DUPLICATE = "duplicate"  # this event id was received before: nothing happened


@dataclass(frozen=True)
class CarrierEvent:
    event_id: str
    tracking_number: str
    status: str
    at: datetime
    location: str


def _text(payload: dict[str, Any], key: str, max_length: int, *, required: bool = True) -> str:
    value = payload.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > max_length or (required and not value.strip()):
        raise BadCarrierCallback(_("The callback field “%(field)s” is missing or not valid.") % {"field": key})
    return value.strip()


def _parse(body: bytes) -> CarrierEvent:
    if len(body) > MAX_BODY:
        raise BadCarrierCallback(_("The callback body is too large."))
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCarrierCallback(_("The callback body is not JSON.")) from exc
    if not isinstance(payload, dict):
        raise BadCarrierCallback(_("The callback body must be a JSON object."))
    status = payload.get("status")
    if status not in CALLBACK_STATUSES:
        raise BadCarrierCallback(_("Unknown tracking status."))
    raw_at = _text(payload, "at", 40)
    try:
        at = datetime.fromisoformat(raw_at)
    except ValueError as exc:
        raise BadCarrierCallback(_("The callback time is not ISO 8601.")) from exc
    if timezone.is_naive(at):
        raise BadCarrierCallback(_("The callback time has no time zone."))
    if at > timezone.now() + FUTURE_TOLERANCE:
        raise BadCarrierCallback(_("The callback time is in the future."))
    return CarrierEvent(
        event_id=_text(payload, "id", 120),
        tracking_number=_text(payload, "tracking_number", 40),
        status=status,
        at=at,
        location=_text(payload, "location", 120, required=False),
    )


def carrier_callback_receive(*, carrier: str, body: bytes, headers: Mapping[str, str]) -> str:
    """Verify and apply one carrier callback; returns ``applied``, ``recorded`` or ``duplicate``.

    ``carrier`` names the integration that signed it (the webhook path, e.g. ``sandbox``).
    Unknown carrier → 404; bad signature → 400 ``bad_signature``; bad body or unknown tracking
    number → 400 ``bad_callback``; in each case nothing changes.
    """
    adapter = carrier_adapter(carrier)
    adapter.verify_callback(body=body, headers=headers)
    event = _parse(body)
    with transaction.atomic():
        return _apply(adapter.name, event)


def _lock_shipment(carrier: str, tracking_number: str) -> Shipment:
    # Find it with the join, then lock only the shipment's row (not its service's or carrier's).
    found = list(
        Shipment.objects.filter(tracking_number=tracking_number, service__carrier__adapter=carrier).values_list(
            "pk", flat=True
        )
    )
    if not found:
        raise BadCarrierCallback(_("No shipment has this tracking number."))
    return Shipment.objects.select_for_update().get(pk=found[0])


def _apply(carrier: str, event: CarrierEvent) -> str:
    shipment = _lock_shipment(carrier, event.tracking_number)
    try:
        with transaction.atomic():
            record = TrackingEvent.objects.create(
                shipment=shipment,
                carrier=carrier,
                event_id=event.event_id,
                status=event.status,
                at=event.at,
                location=event.location,
            )
    except IntegrityError:
        return DUPLICATE
    was_delivered = shipment.status == ShipmentStatus.DELIVERED
    applied = shipment_status_advance(shipment, status=event.status, at=event.at)
    shipment.last_event_at = max(shipment.last_event_at, event.at)
    shipment.save(update_fields=["status", "status_at", "progress", "delivered_at", "last_event_at"])
    if applied:
        TrackingEvent.objects.filter(pk=record.pk).update(applied=True)
    if not was_delivered and shipment.status == ShipmentStatus.DELIVERED:
        shipment_delivered.send(sender=Shipment, shipment=shipment, order_id=shipment.order_id, at=event.at)
    return APPLIED if applied else RECORDED


def shipment_status_advance(shipment: Shipment, *, status: str, at: datetime) -> bool:
    """Apply the ordering rules above to ``shipment`` in memory; True when its status moved.
    (``progress`` may move even when the status does not.) The caller saves."""
    if shipment.status == ShipmentStatus.DELIVERED:
        return False
    if status == ShipmentStatus.EXCEPTION:
        if at < shipment.status_at:
            return False
        shipment.status, shipment.status_at = status, at
        return True
    rank, reached = RANK[status], RANK[shipment.progress]
    if rank > reached:
        shipment.progress = status
        later_than_problem = shipment.status != ShipmentStatus.EXCEPTION or at >= shipment.status_at
        if status == ShipmentStatus.DELIVERED or later_than_problem:
            _set(shipment, status, at)
            return True
        return False
    if rank == reached and shipment.status == ShipmentStatus.EXCEPTION and at > shipment.status_at:
        _set(shipment, status, at)  # back on its way after the problem
        return True
    return False


def _set(shipment: Shipment, status: str, at: datetime) -> None:
    # ``status_at`` never goes back: an exception older than the newest scan stays history.
    # ``delivered`` is final and wins even over a later-stamped exception, so its own time is
    # the status's time (whatever arrived first: the state must not depend on arrival order).
    shipment.status, shipment.status_at = status, max(shipment.status_at, at)
    if status == ShipmentStatus.DELIVERED:
        shipment.status_at = shipment.delivered_at = at

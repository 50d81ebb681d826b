"""The built-in sandbox carrier: it behaves like a real one.

It keeps its own books (``SandboxParcel``), gives each parcel a UPU S10-style tracking number
(``SB`` + 8 digits + check digit + origin country, e.g. ``SB123456785JP``), draws a PNG label,
and reports tracking events only through HMAC-signed callbacks (``Shiji-Signature``, keyed with
``SHIJI_SANDBOX_CARRIER_SECRET``) that the job queue delivers after commit to
``/api/v1/webhooks/carriers/sandbox``. It moves a parcel only when told to, through
``sandbox_carrier_advance`` (tests, and ``POST /shipping/sandbox/{tracking_number}/advance``
for staff), so tests control the timing — and can make events arrive late, twice or out of
order, as a real carrier's do.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.core.errors import InvalidInput, NotFound
from shiji.core.ids import new_id
from shiji.core.jobs import enqueue_on_commit
from shiji.core.signatures import SIGNATURE_HEADER, verify
from shiji.core.time import iso_utc
from shiji.shipping.callbacks import FUTURE_TOLERANCE
from shiji.shipping.carriers.base import Address, CarrierAdapter, Label
from shiji.shipping.labels import CONTENT_TYPE, render_label
from shiji.shipping.models import SandboxParcel, Shipment
from shiji.shipping.states import CALLBACK_STATUSES

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
LOCATION_MAX = 120


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of an 8-digit serial number."""
    remainder = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(remainder, remainder)


def _new_tracking_number(origin: str) -> str:
    while True:
        serial = f"{secrets.randbelow(10**8):08d}"
        number = f"SB{serial}{s10_check_digit(serial)}{origin}"
        if not SandboxParcel.objects.filter(pk=number).exists():
            return number


def _send(event: dict[str, Any]) -> None:
    from shiji.shipping.tasks import sandbox_carrier_callback_deliver

    enqueue_on_commit(sandbox_carrier_callback_deliver, event)


class SandboxCarrier(CarrierAdapter):
    name = "sandbox"

    def create_label(
        self, shipment: Shipment, ship_from: Address, ship_to: Address, declaration: Mapping[str, Any]
    ) -> Label:
        with transaction.atomic():
            parcel = SandboxParcel.objects.filter(shipment_id=shipment.pk).first()
            if parcel is None:
                parcel = SandboxParcel.objects.create(
                    tracking_number=_new_tracking_number(shipment.origin_country),
                    shipment_id=shipment.pk,
                    origin_country=shipment.origin_country,
                    destination_country=shipment.destination_country,
                )
        service = shipment.service
        data = render_label(
            tracking_number=parcel.tracking_number,
            carrier_name=service.carrier.name,
            service_name=service.name_en,
            ship_from=ship_from,
            ship_to=ship_to,
            declaration=declaration,
            chargeable_weight_g=shipment.chargeable_weight_g,
            created_at=parcel.created_at,
        )
        return Label(parcel.tracking_number, data, CONTENT_TYPE)

    def verify_callback(self, *, body: bytes, headers: Mapping[str, str]) -> None:
        verify(body, headers.get(SIGNATURE_HEADER), settings.SHIJI_SANDBOX_CARRIER_SECRET)


def sandbox_carrier_advance(
    tracking_number: str, status: str, location: str = "", *, at: datetime | None = None
) -> dict[str, Any]:
    """The sandbox carrier scans the parcel: it records the status in its books and sends the
    signed callback after commit. ``at`` (default now) lets a test report an event that
    happened earlier. Returns the event as sent (``sandbox_carrier_redeliver`` sends it again)."""
    if not settings.SHIJI_SANDBOX:
        raise NotFound(_("The sandbox is switched off."))
    if status not in CALLBACK_STATUSES:
        raise InvalidInput(
            _("Unknown tracking status."), fields={"status": [_("Choose one of: %s") % ", ".join(CALLBACK_STATUSES)]}
        )
    if not isinstance(location, str) or len(location) > LOCATION_MAX:
        raise InvalidInput(_("The location is too long."), fields={"location": [_("At most 120 characters.")]})
    if at is not None and (timezone.is_naive(at) or at > timezone.now() + FUTURE_TOLERANCE):
        raise InvalidInput(
            _("Give the time with its time zone, not in the future."),
            fields={"at": [_("An ISO 8601 time with a zone, not in the future.")]},
        )
    with transaction.atomic():
        parcel = SandboxParcel.objects.select_for_update().filter(pk=tracking_number).first()
        if parcel is None:
            raise NotFound(_("No such parcel."))
        parcel.status = status
        parcel.events_sent += 1
        parcel.save(update_fields=["status", "events_sent"])
        event = {
            "id": new_id("evt"),
            "tracking_number": parcel.tracking_number,
            "status": status,
            "at": iso_utc(at or timezone.now()),
            "location": location.strip(),
        }
        _send(event)
    return event


def sandbox_carrier_redeliver(event: dict[str, Any]) -> None:
    """Send an event again (after commit), as a carrier retrying a callback does."""
    _send(dict(event))

"""Writes of the shipping domain: creating a shipment with its label.

The orders domain calls ``shipment_create`` from its ship service (it owns the order's state);
carrier events arrive through ``callbacks.carrier_callback_receive``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.core.geo import check_country
from shiji.shipping.carriers.base import Address
from shiji.shipping.carriers.registry import carrier_adapter
from shiji.shipping.errors import AlreadyShipped, CarrierError, NoRoute
from shiji.shipping.models import CarrierService, Shipment, TrackingEvent
from shiji.shipping.rates import shipping_option
from shiji.shipping.states import ShipmentStatus

_EXTENSIONS = {"image/png": ".png", "application/pdf": ".pdf"}


def _address_place(address: Address) -> str:
    return ", ".join(str(address.get(k)) for k in ("city", "country") if address.get(k))


def shipment_create(
    *,
    order_id: str,
    service_code: str,
    ship_from: Address,
    ship_to: Address,
    declaration: Mapping[str, Any],
    weight_g: int,
    dims_cm: Sequence[int],
    quantity: int = 1,
) -> Shipment:
    """Book the parcel with the service's carrier and store its label (default storage, under
    ``labels/``). ``weight_g`` and ``dims_cm`` are one item's; ``declaration`` comes from
    ``declarations.customs_declaration``. The shipment starts as ``label_created``.

    Raises ``NoRoute`` (422 ``no_route``) when the service does not carry this parcel from
    ``ship_from["country"]`` to ``ship_to["country"]``, and ``AlreadyShipped`` (409
    ``invalid_state``) when the order already has a shipment. Atomic: on failure nothing is
    stored, the label file included.
    """
    origin = check_country(ship_from.get("country"), field="ship_from.country")
    destination = check_country(ship_to.get("country"), field="ship_to.country")
    service = CarrierService.objects.select_related("carrier").filter(code=service_code).first()
    option = shipping_option(service_code, origin, destination, weight_g, dims_cm, quantity) if service else None
    if service is None or option is None:
        raise NoRoute(
            _("This carrier service does not take this parcel from %(origin)s to %(destination)s.")
            % {"origin": origin, "destination": destination}
        )
    adapter = carrier_adapter(service.carrier.adapter)
    with transaction.atomic():
        if Shipment.objects.filter(order_id=order_id).exists():
            raise AlreadyShipped(_("This order has already been shipped."))
        now = timezone.now()
        shipment = Shipment(
            order_id=order_id,
            service=service,
            origin_country=origin,
            destination_country=destination,
            chargeable_weight_g=option.chargeable_weight_g,
            price_minor=option.price.minor,
            currency=option.price.currency,
            declaration=dict(declaration),
            created_at=now,
            status_at=now,
            last_event_at=now,
        )
        label = adapter.create_label(shipment, ship_from, ship_to, declaration)
        extension = _EXTENSIONS.get(label.content_type)
        if extension is None or not label.tracking_number:
            raise CarrierError(_("The carrier returned an unusable label."))
        shipment.tracking_number = label.tracking_number
        shipment.label_content_type = label.content_type
        shipment.label.save(f"{shipment.pk}{extension}", ContentFile(label.data), save=False)
        try:
            with transaction.atomic():
                shipment.save(force_insert=True)
                TrackingEvent.objects.create(
                    shipment=shipment,
                    carrier=adapter.name,
                    event_id=f"{shipment.pk}.label_created",
                    status=ShipmentStatus.LABEL_CREATED,
                    at=now,
                    location=_address_place(ship_from),
                    received_at=now,
                    applied=True,
                )
        except IntegrityError as exc:
            shipment.label.delete(save=False)
            if Shipment.objects.filter(order_id=order_id).exists():  # lost a race with another ship
                raise AlreadyShipped(_("This order has already been shipped.")) from exc
            raise
        except BaseException:
            shipment.label.delete(save=False)
            raise
    return shipment

"""Orders react to carriers: a delivered parcel moves its order to delivered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.dispatch import receiver

from shiji.shipping.signals import shipment_delivered


@receiver(shipment_delivered)
def on_shipment_delivered(sender: Any, order_id: str, at: datetime, **kwargs: Any) -> None:
    from shiji.orders.shipping import order_delivered

    order_delivered(order_id=order_id, at=at)

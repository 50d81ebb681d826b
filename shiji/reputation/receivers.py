"""Reputation listens to orders (``shiji.orders.signals``, sent inside the order's transaction,
so a score change commits or rolls back with the shipment or cancellation that caused it)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from shiji.orders.models import Order
from shiji.orders.signals import order_cancelled, order_shipped


@receiver(order_shipped)
def on_order_shipped(sender: Any, order: Order, **kwargs: Any) -> None:
    from shiji.reputation.services import service_score_order_shipped

    service_score_order_shipped(order=order)


@receiver(order_cancelled)
def on_order_cancelled(sender: Any, order: Order, by: str, **kwargs: Any) -> None:
    from shiji.reputation.services import service_score_order_cancelled

    service_score_order_cancelled(order=order, by=by)

"""Timed jobs of orders."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shiji.orders import flow, selectors, shipping


@db_periodic_task(crontab(minute="*"))
def orders_expire() -> int:
    """Every minute: cancel unpaid orders past their 30-minute window and release their stock."""
    return sum(1 for order_id in selectors.orders_expired_ids() if flow.order_expire(order_id=order_id))


@db_periodic_task(crontab(minute="7"))
def orders_auto_complete() -> int:
    """Hourly: delivered orders nobody confirmed or disputed within the window complete."""
    return shipping.orders_auto_complete()


@db_periodic_task(crontab(minute="37", hour="3"))
def orders_flag_stale_tracking() -> int:
    """Daily: shipped parcels whose tracking went quiet go to the staff review queue."""
    return shipping.orders_flag_stale_tracking()

"""Timed jobs of orders."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shiji.orders import flow, selectors


@db_periodic_task(crontab(minute="*"))
def orders_expire() -> int:
    """Every minute: cancel unpaid orders past their 30-minute window and release their stock."""
    return sum(1 for order_id in selectors.orders_expired_ids() if flow.order_expire(order_id=order_id))

"""Orders for reputation tests, made through the real order services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import TestCase
from django.utils import timezone

from shiji.accounts.models import User
from shiji.accounts.tests.factories import chinese_buyer
from shiji.orders.flow import order_complete
from shiji.orders.models import Order
from shiji.orders.tests.factories import listing_jp, mark_shipped, order_placed, pay, seller_jp


def completed_order(*, seller: User | None = None, buyer: User | None = None, days_ago: float = 0) -> Order:
    """A completed order (shipped without a score change), completed ``days_ago`` days ago."""
    order = pay(order_placed(buyer=buyer or chinese_buyer(language="en"), listing=listing_jp(seller or seller_jp())))
    mark_shipped(order)
    with TestCase.captureOnCommitCallbacks(execute=True):
        order_complete(order_id=order.pk)
    if days_ago:
        Order.objects.filter(pk=order.pk).update(completed_at=timezone.now() - timedelta(days=days_ago))
    order.refresh_from_db()
    return order


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json()

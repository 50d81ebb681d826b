"""Who hears about each order transition (in-app, push and e-mail, after commit)."""

from __future__ import annotations

from typing import Any

from shiji.accounts.models import User
from shiji.notifications.services import notify
from shiji.orders.models import Order
from shiji.orders.states import OrderStatus

# to_state → who is told
RECIPIENTS: dict[str, tuple[str, ...]] = {
    OrderStatus.PENDING_PAYMENT: ("seller",),
    OrderStatus.PAID: ("buyer", "seller"),
    OrderStatus.SHIPPED: ("buyer",),
    OrderStatus.DELIVERED: ("buyer", "seller"),
    OrderStatus.COMPLETED: ("buyer", "seller"),
    OrderStatus.CANCELLED: ("buyer", "seller"),
    OrderStatus.REFUNDED: ("buyer", "seller"),
    "review_needed": ("seller",),
}
KIND_STATE: dict[str, str] = {OrderStatus.PENDING_PAYMENT: "placed"}


def _item_title(order: Order, user: User) -> str:
    titles: dict[str, str] = order.listing.title or {}
    return titles.get(user.language) or titles.get(order.listing.original_language) or next(iter(titles.values()), "")


def order_notify(order: Order, to_state: str, **extra: Any) -> None:
    for role in RECIPIENTS.get(to_state, ()):
        user = order.buyer if role == "buyer" else order.seller
        notify(
            user_id=user.pk,
            kind=f"order.{KIND_STATE.get(to_state, to_state)}.{role}",
            subject_type="order",
            subject_id=order.pk,
            data={
                "item": _item_title(order, user)[:120],
                "buyer": order.buyer.display_name,
                "days": order.listing.handling_days,
                **extra,
            },
        )

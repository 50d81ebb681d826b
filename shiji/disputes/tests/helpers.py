"""A shipped order to dispute, and the exact figures its money splits into."""

from __future__ import annotations

from typing import cast

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.ledger.selectors import balance
from shiji.ledger.services import escrow_account
from shiji.orders.models import Order
from shiji.orders.tests.factories import listing_jp, order_placed, pay, seller_jp, ship

# ¥6,800 to Shanghai at 1 USD = 150 JPY = 7.2 CNY, 1 % FX margin, 3 % buyer fee, the postal small
# packet: item 329.66 (326.40 at the mid rate) + postage 85.44 + buyer fee 9.89 CNY = 424.99.
# Shipping hands the postage to the carriers payable, so a shipped order holds 339.55 CNY.
ITEM_MINOR, ITEM_MID_MINOR, POSTAGE_MINOR, FEE_MINOR = 32966, 32640, 8544, 989
TOTAL_MINOR = ITEM_MINOR + POSTAGE_MINOR + FEE_MINOR
HELD_MINOR = ITEM_MINOR + FEE_MINOR  # 33955
MARGIN_MINOR = ITEM_MINOR - ITEM_MID_MINOR  # 326
# 8 % commission on ¥6,800.
COMMISSION_JPY, SELLER_NET_JPY = 544, 6256


def shipped_order(*, buyer: User | None = None, seller: User | None = None) -> Order:
    """Placed, paid and shipped for real (label, postage handed over)."""
    listing = listing_jp(seller or seller_jp())
    order = pay(order_placed(buyer=buyer or chinese_buyer(), listing=listing))
    ship(order)
    order.refresh_from_db()
    assert order.status == "shipped"
    assert escrow(order.pk) == HELD_MINOR
    return order


def escrow(order_id: str) -> int:
    return balance(escrow_account(order_id), "CNY").minor


def arbitrator() -> User:
    return cast(User, UserFactory(roles=["arbitrator"]))


def cny(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "CNY"}

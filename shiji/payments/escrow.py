"""The journal entries of an order's money (docs/domains/ledger.md has worked examples).

Each function posts exactly one journal entry keyed by its business event, and moves the
order's shadow columns in the same transaction, so calling it twice changes nothing:

- ``escrow_hold``: the provider captured the buyer's payment → the order's escrow.
- ``escrow_refund``: part or all of the escrow goes back to the buyer through the provider.
- ``escrow_refund_undo``: the provider could not refund → the money returns to escrow.
- ``escrow_release``: on completion the escrow is split: the buyer-protection fee and the FX
  margin become platform revenue; duties and postage still held go to their payable accounts;
  the item price is converted into the seller's currency (through the platform's FX position)
  and credited to the seller minus commission (commission is revenue).

Refunds come off every line still in escrow pro rata (item, postage, duties, buyer fee): a full
refund returns the buyer-protection fee in full, a partial refund returns the same share of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from shiji.core.money import Money
from shiji.ledger.models import JournalEntry, Purpose
from shiji.ledger.services import (
    Leg,
    Posted,
    clearing_account,
    escrow_account,
    platform_account,
    post_entry,
    user_account,
)
from shiji.orders.models import Order
from shiji.payments.models import Payment, Refund


def _order_entry(
    order: Order, *, key: str, kind: str, legs: list[Leg], memo: str, column: str, delta: int, actor_id: str = ""
) -> Posted:
    """Post one entry of ``order`` and move its shadow ``column`` by ``delta`` in the same
    transaction — only when the entry is new, so a repeat changes neither."""
    with transaction.atomic():
        posted = post_entry(key=key, kind=kind, order_id=order.pk, legs=legs, memo=memo, actor_id=actor_id)
        if posted.created:
            Order.objects.filter(pk=order.pk).update(**{column: F(column) + delta})
            setattr(order, column, getattr(order, column) + delta)
    return posted


def escrow_hold(*, order: Order, payment: Payment) -> Posted:
    amount = Money(payment.amount_minor, payment.currency)
    return _order_entry(
        order,
        key=f"capture:{payment.pk}",
        kind="payment.capture",
        legs=[(clearing_account(payment.provider), -amount), (escrow_account(order.pk), amount)],
        memo=f"payment {payment.pk} captured by {payment.provider}",
        column="captured_minor",
        delta=amount.minor,
    )


def escrow_refund(*, order: Order, refund: Refund, provider: str) -> Posted:
    amount = Money(refund.amount_minor, refund.currency)
    return _order_entry(
        order,
        key=f"refund:{refund.pk}",
        kind="refund",
        legs=[(escrow_account(order.pk), -amount), (clearing_account(provider), amount)],
        memo=f"refund {refund.pk}",
        column="refunded_minor",
        delta=amount.minor,
        actor_id=refund.requested_by_id or "",
    )


def escrow_refund_undo(*, order: Order, refund: Refund, provider: str) -> Posted:
    amount = Money(refund.amount_minor, refund.currency)
    return _order_entry(
        order,
        key=f"refund-failed:{refund.pk}",
        kind="refund.failed",
        legs=[(clearing_account(provider), -amount), (escrow_account(order.pk), amount)],
        memo=f"refund {refund.pk} failed at the provider; back in escrow",
        column="refunded_minor",
        delta=-amount.minor,
    )


@dataclass(frozen=True)
class ReleaseSplit:
    """Where the escrow of a completed order goes. Buyer-currency parts sum to ``remaining``."""

    remaining: Money
    item: Money
    shipping: Money
    duties: Money
    buyer_fee: Money
    fx_margin: Money
    item_mid: Money
    seller_gross: Money  # seller currency
    commission: Money  # seller currency
    seller_net: Money  # seller currency


def release_split(
    *,
    remaining: Money,
    item: Money,
    item_mid: Money,
    item_seller: Money,
    shipping: Money,
    duties: Money,
    buyer_fee: Money,
    commission_for: Callable[[Money], Money],
) -> ReleaseSplit:
    """Split what is left in escrow over the lines still held (largest remainder), then convert
    the item's share into the seller's currency in proportion. Pure: property-tested."""
    weights = [item.minor, shipping.minor, duties.minor, buyer_fee.minor]
    if sum(weights) <= 0:
        raise ValueError("an order with nothing in escrow has nothing to release")
    item_part, shipping_part, duties_part, fee_part = remaining.allocate(weights)
    margin_weight = max(item.minor - item_mid.minor, 0)
    if margin_weight and item_part.minor:
        mid_part, margin_part = item_part.allocate([item_mid.minor, margin_weight])
    else:
        mid_part, margin_part = item_part, Money.zero(item.currency)
    if item_part == item:
        gross = item_seller
    elif item.minor == 0:
        gross = Money.zero(item_seller.currency)
    else:
        gross = item_seller.allocate([item_part.minor, item.minor - item_part.minor])[0]
    fee = commission_for(gross)
    return ReleaseSplit(
        remaining=remaining,
        item=item_part,
        shipping=shipping_part,
        duties=duties_part,
        buyer_fee=fee_part,
        fx_margin=margin_part,
        item_mid=mid_part,
        seller_gross=gross,
        commission=fee,
        seller_net=gross - fee,
    )


def release_legs(*, order_id: str, seller_id: str, split: ReleaseSplit, seller_purpose: str) -> list[Leg]:
    legs: list[Leg] = [
        (escrow_account(order_id), -split.remaining),
        (platform_account(Purpose.REVENUE), split.buyer_fee + split.fx_margin),
        (platform_account(Purpose.DUTIES), split.duties),
        (platform_account(Purpose.CARRIERS), split.shipping),
        (user_account(seller_id, seller_purpose), split.seller_net),
        (platform_account(Purpose.REVENUE), split.commission),
    ]
    if split.item_mid.currency == split.seller_gross.currency:
        # Same currency: the item's share is exactly the seller's gross; no conversion.
        if split.item_mid != split.seller_gross:
            raise ValueError("same-currency release must pass the item through unchanged")
    else:
        legs += [(platform_account(Purpose.FX), split.item_mid), (platform_account(Purpose.FX), -split.seller_gross)]
    return legs


def escrow_release(
    *, order: Order, commission_for: Callable[[Money], Money], seller_held: bool
) -> tuple[Posted, ReleaseSplit | None]:
    """Release what the order still holds to the seller (to ``pending`` when their payouts are
    held, e.g. before identity verification)."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        done = JournalEntry.objects.filter(key=f"release:{order.pk}").first()
        if done is not None:
            return Posted(done, created=False), None
        remaining = Money(locked.escrow_expected_minor, locked.currency)
        currency = locked.currency
        if remaining.minor <= 0:
            raise ValueError(f"order {order.pk} holds nothing to release")
        unremitted_shipping = locked.shipping_minor if locked.remitted_minor == 0 else 0
        unremitted_duties = (
            locked.duties_minor + locked.taxes_minor
            if locked.remitted_minor == 0 and locked.duties_mode == "prepaid"
            else 0
        )
        split = release_split(
            remaining=remaining,
            item=Money(locked.item_minor, currency),
            item_mid=Money(locked.item_mid_minor, currency),
            item_seller=Money(locked.item_seller_minor, locked.seller_currency),
            shipping=Money(unremitted_shipping, currency),
            duties=Money(unremitted_duties, currency),
            buyer_fee=Money(locked.buyer_fee_minor, currency),
            commission_for=commission_for,
        )
        posted = post_entry(
            key=f"release:{order.pk}",
            kind="escrow.release",
            order_id=order.pk,
            legs=release_legs(
                order_id=order.pk,
                seller_id=locked.seller_id,
                split=split,
                seller_purpose=Purpose.PENDING if seller_held else Purpose.AVAILABLE,
            ),
            memo=f"order {order.pk} completed",
        )
        if not posted.created:
            return posted, None
        Order.objects.filter(pk=order.pk).update(
            released_minor=F("released_minor") + remaining.minor,
            commission_minor=split.commission.minor,
            seller_proceeds_minor=split.seller_net.minor,
        )
        order.released_minor = locked.released_minor + remaining.minor
        order.commission_minor = split.commission.minor
        order.seller_proceeds_minor = split.seller_net.minor
    return posted, split


def escrow_remit(*, order: Order) -> Posted | None:
    """On shipping: the postage goes to the carriers payable and duties collected in advance to
    the duties account (the platform pays both on the buyer's behalf)."""
    currency = order.currency
    postage = Money(order.shipping_minor, currency)
    duties = (
        Money(order.duties_minor + order.taxes_minor, currency)
        if order.duties_mode == "prepaid"
        else Money.zero(currency)
    )
    amount = postage + duties
    if amount.is_zero():
        return None
    return _order_entry(
        order,
        key=f"remit:{order.pk}",
        kind="escrow.remit",
        legs=[
            (escrow_account(order.pk), -amount),
            (platform_account(Purpose.CARRIERS), postage),
            (platform_account(Purpose.DUTIES), duties),
        ],
        memo=f"order {order.pk} shipped: postage and duties handed over",
        column="remitted_minor",
        delta=amount.minor,
    )

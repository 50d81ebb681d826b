"""What happens to an order after it is placed: payment, cancellation, refunds, completion and
expiry. Every state change is a conditional transition with an event row; every money change
is one journal entry through ``shiji.payments.escrow``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shiji.accounts.models import User
from shiji.core import crashpoints
from shiji.core.audit import audit_record
from shiji.core.crashpoints import crashpoint, crashpoint_after_commit
from shiji.core.errors import Forbidden, InvalidInput, InvalidState
from shiji.core.money import Money
from shiji.core.notes import system_note
from shiji.core.states import check_transition, transition
from shiji.customs.services import cbec_release
from shiji.identity.states import Level
from shiji.orders.models import Order, OrderEvent
from shiji.orders.notifications import order_notify
from shiji.orders.services import stock_restore
from shiji.orders.signals import order_cancelled, order_completed
from shiji.orders.states import (
    CANCELLABLE_STATUSES,
    DISPUTABLE_STATUSES,
    REFUNDABLE_STATUSES,
    TRANSITIONS,
    OrderStatus,
)
from shiji.payments import escrow
from shiji.payments.fees import commission, seller_is_reliable
from shiji.payments.models import PAYMENT_TRANSITIONS, Payment, PaymentEvent, PaymentStatus, Refund
from shiji.payments.providers.registry import provider_get
from shiji.payments.refunds import refund_create


def _lock(order_id: str) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def _move(
    order: Order, to: str, *, actor: Any = None, note: str = "", notify: dict[str, Any] | None = None, **updates: Any
) -> None:
    transition(order, to=to, table=TRANSITIONS, event_model=OrderEvent, actor=actor, note=note, updates=updates)
    extra: dict[str, Any] = dict(notify or {})
    if to == OrderStatus.REFUNDED:
        extra["amount"] = str(Money(order.refunded_minor, order.currency))
    order_notify(order, to, **extra)


# --- payment ---------------------------------------------------------------------------------


def order_payment_succeeded(*, payment: Payment) -> None:
    """The provider captured the buyer's money: hold it in escrow and mark the order paid. A
    capture for an order that was cancelled or expired meanwhile is held and refunded at once."""
    with transaction.atomic():
        order = _lock(payment.order_id)
        if payment.status != PaymentStatus.SUCCEEDED:
            transition(
                payment,
                to=PaymentStatus.SUCCEEDED,
                table=PAYMENT_TRANSITIONS,
                event_model=PaymentEvent,
                updates={"succeeded_at": timezone.now(), "failure_reason": ""},
            )
        held = escrow.escrow_hold(order=order, payment=payment)
        if not held.created:
            return
        if order.status == OrderStatus.PENDING_PAYMENT:
            _move(order, OrderStatus.PAID, paid_at=timezone.now())
        else:
            refund_create(
                order=order,
                amount=Money(order.escrow_expected_minor, order.currency),
                reason=_("The payment arrived after the order was cancelled."),
            )


def order_payment_failed(*, payment: Payment, reason: str) -> None:
    with transaction.atomic():
        if payment.status == PaymentStatus.REQUIRES_PAYMENT:
            transition(
                payment,
                to=PaymentStatus.FAILED,
                table=PAYMENT_TRANSITIONS,
                event_model=PaymentEvent,
                note=reason,
                updates={"failure_reason": reason},
            )
        elif payment.status == PaymentStatus.FAILED:
            PaymentEvent.objects.create(subject=payment, from_state="failed", to_state="failed", note=reason)
            Payment.objects.filter(pk=payment.pk).update(failure_reason=reason)


# --- cancellation and refunds ----------------------------------------------------------------


def _party(order: Order, user: User) -> str:
    if user.pk == order.buyer_id:
        return "buyer"
    if user.pk == order.seller_id:
        return "seller"
    raise Forbidden(_("Only the buyer or the seller can do this."))


def _cancel(order: Order, *, actor: Any, note: str, by: str) -> None:
    """Cancel a locked order before shipping: stop or refund the payment, give the stock back."""
    check_transition(TRANSITIONS, order.status, OrderStatus.CANCELLED)
    was_paid = order.status == OrderStatus.PAID
    _move(order, OrderStatus.CANCELLED, actor=actor, note=note, cancelled_at=timezone.now())
    stock_restore(order.listing_id, order.quantity)
    cbec_release(order_id=order.pk)
    order_cancelled.send(sender=Order, order=order, by=by)
    if was_paid and order.escrow_expected_minor > 0:
        refund_create(order=order, amount=Money(order.escrow_expected_minor, order.currency), reason=note, actor=actor)
        return
    for payment in Payment.objects.select_for_update().filter(
        order=order, status__in=[PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.FAILED]
    ):
        # If the provider already captured it, its callback books and refunds it when it comes.
        provider_get(payment.provider).cancel_payment(payment)
        transition(payment, to=PaymentStatus.CANCELLED, table=PAYMENT_TRANSITIONS, event_model=PaymentEvent)


def order_cancel(*, user: User, order_id: str, reason: str = "") -> Order:
    """Buyer or seller cancels before shipping; a paid order is refunded in full."""
    with transaction.atomic():
        order = _lock(order_id)
        party = _party(order, user)
        if order.status not in CANCELLABLE_STATUSES:
            raise InvalidState(_("Only an order that has not shipped can be cancelled."))
        note = reason.strip()[:500] or (
            _("Cancelled by the buyer.") if party == "buyer" else _("Cancelled by the seller.")
        )
        _cancel(order, actor=user, note=note, by=party)
    return order


def order_cancel_by_staff(*, staff: User, order_id: str, reason: str) -> bool:
    """Staff cancel an order that has not shipped (after a risk check found fraud); a paid order
    is refunded in full. Returns False when the order had moved on (shipped, closed) meanwhile.
    The caller has checked the staff member's role."""
    with transaction.atomic():
        order = _lock(order_id)
        if order.status not in CANCELLABLE_STATUSES:
            return False
        _cancel(
            order,
            actor=staff,
            note=reason.strip()[:500] or system_note(gettext_noop("Cancelled by our staff.")),
            by="system",
        )
    return True


def order_expire(*, order_id: str) -> bool:
    """An unpaid order past its payment window is cancelled and its stock released."""
    with transaction.atomic():
        order = _lock(order_id)
        if order.status != OrderStatus.PENDING_PAYMENT or order.expires_at > timezone.now():
            return False
        _cancel(order, actor=None, note=system_note(gettext_noop("Not paid in time.")), by="system")
    return True


def order_refund(*, user: User, order_id: str, amount: Money, reason: str) -> Refund:
    """The seller gives part (or all) of the money back while it is still in escrow."""
    with transaction.atomic():
        order = _lock(order_id)
        if _party(order, user) != "seller":
            raise Forbidden(_("Only the seller can offer a refund here."))
        if order.status == OrderStatus.DISPUTED:
            raise InvalidState(_("While a dispute is open, refunds go through the dispute: make an offer there."))
        if order.status not in REFUNDABLE_STATUSES:
            raise InvalidState(_("This order no longer holds money to refund."))
        refund = refund_create(order=order, amount=amount, reason=reason.strip(), actor=user)
        if order.escrow_expected_minor > 0:
            order_notify(order, OrderStatus.REFUNDED, amount=str(amount))  # partial: the order stays open
        else:
            _move(order, OrderStatus.REFUNDED, actor=user, note=reason.strip()[:500])
            if order.status == OrderStatus.REFUNDED and order.shipped_at is None:
                stock_restore(order.listing_id, order.quantity)
                cbec_release(order_id=order.pk)
                # Refunding everything before shipping is the seller calling the sale off.
                order_cancelled.send(sender=Order, order=order, by="seller")
    return refund


# --- completion ------------------------------------------------------------------------------


def order_complete(*, order_id: str, actor: Any = None, note: str = "") -> Order:
    """Complete the order and release the escrow to the seller minus commission."""
    with transaction.atomic():
        order = _lock(order_id)
        check_transition(TRANSITIONS, order.status, OrderStatus.COMPLETED)
        seller = User.objects.select_for_update().get(pk=order.seller_id)
        reliable = seller_is_reliable(seller.service_score)
        category_id = order.listing.category_id
        _move(order, OrderStatus.COMPLETED, actor=actor, note=note, completed_at=timezone.now())
        if order.escrow_expected_minor > 0:
            escrow.escrow_release(
                order=order,
                commission_for=lambda gross: commission(gross, category_id=category_id, reliable=reliable),
                seller_held=seller.verification_level < Level.IDENTITY,
            )
        User.objects.filter(pk=seller.pk).update(completed_sales=F("completed_sales") + 1)
        order_completed.send(sender=Order, order=order)
        crashpoint(crashpoints.RELEASE_BEFORE_COMMIT)
        crashpoint_after_commit(crashpoints.RELEASE_AFTER_COMMIT)
    return order


def order_confirm(*, user: User, order_id: str) -> Order:
    """The buyer confirms receipt."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or _party(order, user) != "buyer":
        raise Forbidden(_("Only the buyer can confirm receipt."))
    if order.status == OrderStatus.DISPUTED:
        raise InvalidState(_("This order is in dispute: withdraw the dispute to confirm receipt."))
    if order.status not in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        raise InvalidState(_("You can confirm receipt once the parcel has shipped."))
    return order_complete(
        order_id=order_id, actor=user, note=system_note(gettext_noop("Receipt confirmed by the buyer."))
    )


# --- disputes (shiji.disputes decides; the money moves here) -----------------------------------


def order_dispute_open(
    *, order_id: str, actor: Any, note: str = "", check: Callable[[Order], None] | None = None
) -> Order:
    """The buyer opens a dispute: shipped or delivered → disputed, which stops confirmation and
    auto-completion. ``check`` runs on the locked order first (the dispute's own window rules);
    the caller creates the dispute in the same transaction."""
    with transaction.atomic():
        order = _lock(order_id)
        if order.status not in DISPUTABLE_STATUSES:
            raise InvalidState(_("A dispute can be opened once the parcel has shipped, until the order is closed."))
        if check is not None:
            check(order)
        _move(order, OrderStatus.DISPUTED, actor=actor, note=note[:500])
    return order


def order_dispute_settle(*, order_id: str, refund: Money | None, actor: Any = None, note: str = "") -> Order:
    """Close a disputed order with the money outcome the dispute reached, holding the order's
    row lock: ``refund`` None releases everything to the seller (completion, minus commission);
    a refund of everything still held refunds the order; a smaller one refunds that amount and
    completes the order, which releases the rest. A second call finds the order closed → 409."""
    with transaction.atomic():
        order = _lock(order_id)
        if order.status != OrderStatus.DISPUTED:
            raise InvalidState(_("This order is not in dispute any more."))
        note = note.strip()[:500]
        if refund is not None:
            refund_create(order=order, amount=refund, reason=note, actor=actor)
            if order.escrow_expected_minor == 0:
                _move(order, OrderStatus.REFUNDED, actor=actor, note=note)
                return order
            order_notify(order, OrderStatus.REFUNDED, amount=str(refund))  # partial: the rest is released
        return order_complete(order_id=order.pk, actor=actor, note=note)


def order_refund_held(*, staff: User, order_id: str, reason: str) -> Refund:
    """Finance staff refund money an order still holds although it is closed (a refund the
    provider rejected after a cancellation, or after a dispute's partial refund, leaves the money
    in escrow; this sends it again)."""
    from shiji.accounts.roles import Role, require_role

    require_role(staff, Role.FINANCE)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why the money is refunded."), fields={"reason": [_("Required.")]})
    with transaction.atomic():
        order = _lock(order_id)
        # Closed orders: cancelled or refunded, or completed after a dispute's partial refund the
        # provider then rejected (the rest was released; the refund's money came back to escrow).
        closed = (OrderStatus.CANCELLED, OrderStatus.REFUNDED, OrderStatus.COMPLETED)
        if order.status not in closed or order.escrow_expected_minor <= 0:
            raise InvalidState(_("Only a closed order that still holds money can be refunded this way."))
        refund = refund_create(
            order=order, amount=Money(order.escrow_expected_minor, order.currency), reason=reason, actor=staff
        )
        audit_record(
            action="order.refund_held", actor=staff, target=order, data={"refund": refund.pk, "reason": reason}
        )
    return refund

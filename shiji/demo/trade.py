"""Demo trade: the orders of ``scenarios.ORDERS`` taken to their states through the domain
services — the sandbox provider's signed payment callback, the seller's label, the sandbox
carrier's signed tracking callbacks, the dispute flow, double-blind reviews — plus a listing
inquiry, an open report and a payout held for finance.

Each scenario is found by its (buyer, listing) pair and moved forward one service call at a
time, each step only from the state it starts from. A second run finds every order where it
should be and changes nothing; a run that stopped half-way carries on; an order someone moved on
by hand (shipped, confirmed, cancelled) is left as it is. Only the order awaiting payment comes
back: once it has expired or been cancelled unpaid, the next run places a new one.

Must run outside any transaction: each service commits, and the jobs its commit schedules
(callbacks, refunds) run inline (``shiji.demo.inline.inline_jobs``) before the next step.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from django.db import transaction
from django.utils import translation

from shiji.accounts.models import User
from shiji.core.errors import ShijiError
from shiji.core.money import Money
from shiji.demo.market import demo_listing
from shiji.demo.photos import frayed_cuff
from shiji.demo.scenarios import (
    ADDRESSES,
    INQUIRY,
    ORDERS,
    PAYOUT_ACCOUNT,
    PAYOUT_AMOUNT,
    PAYOUT_SELLER,
    REPORT,
    DemoDispute,
    DemoOrder,
    Goal,
    Say,
)
from shiji.disputes import services as disputes
from shiji.disputes.models import Dispute, DisputeMessage, Evidence
from shiji.disputes.states import DisputeStatus
from shiji.messaging import services as messaging
from shiji.messaging.models import Message
from shiji.messaging.selectors import inquiry_id
from shiji.moderation.models import Report
from shiji.moderation.services import report_create
from shiji.orders import flow
from shiji.orders.models import Order
from shiji.orders.services import order_create, quote_create
from shiji.orders.shipping import order_ship
from shiji.orders.states import OrderStatus
from shiji.payments import payouts
from shiji.payments.models import Payment, PaymentStatus, Payout, PayoutAccount
from shiji.payments.providers.sandbox import sandbox_customer_pays
from shiji.reputation.models import Review
from shiji.reputation.services import review_create
from shiji.shipping.carriers.sandbox import sandbox_carrier_advance
from shiji.shipping.models import TrackingEvent

S = OrderStatus


class DemoError(Exception):
    """A scenario did not reach the state it should have (a refused callback, a failed job)."""


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _as(user: User) -> AbstractContextManager[None]:
    """In ``user``'s language, as their own request would be: notes the services store (event
    notes, default reasons) read as that person wrote them."""
    return translation.override(user.language)


def _expect(order: Order, *statuses: str, step: str) -> None:
    order.refresh_from_db()
    if order.status not in statuses:
        raise DemoError(f"{order.pk}: after {step} the order is {order.status}, not {' or '.join(statuses)}")


# --- one order -------------------------------------------------------------------------------


def _order(spec: DemoOrder, buyer: User) -> Order:
    """The scenario's order, placed when there is none (or, for the order awaiting payment, when
    the last one went unpaid)."""
    listing = demo_listing(seller_email=spec.seller, title=spec.listing)
    order = Order.objects.filter(buyer=buyer, listing=listing).order_by("-created_at").first()
    unpaid_and_gone = order is not None and order.status == S.CANCELLED and order.paid_at is None
    if order is not None and not (spec.goal == Goal.AWAITING_PAYMENT and unpaid_and_gone):
        return order
    with _as(buyer):
        quote = quote_create(
            buyer=buyer,
            listing_id=listing.pk,
            quantity=1,
            ship_to=ADDRESSES[buyer.email],
            carrier_service=spec.carrier_service,
        )
        return order_create(buyer=buyer, quote_id=quote.pk)


def _pay(order: Order) -> None:
    """The buyer pays at the sandbox's checkout; its signed ``payment.succeeded`` callback (a job)
    captures the money into escrow."""
    payment = Payment.objects.get(order=order, status=PaymentStatus.REQUIRES_PAYMENT)
    sandbox_customer_pays(payment_id=payment.pk, outcome="succeeded")
    _expect(order, S.PAID, step="payment")


def _chat(order: Order, lines: tuple[Say, ...], buyer: User, seller: User) -> None:
    sent = Message.objects.filter(conversation__order=order).count()
    for line in lines[sent:]:
        author = buyer if line.by == "buyer" else seller
        with _as(author):
            messaging.order_message_send(sender=author, order_id=order.pk, text=line.text)


def _scan(order: Order, scans: tuple[tuple[str, str], ...]) -> None:
    """The sandbox carrier reports each scan not reported yet (its signed callback is a job)."""
    events = TrackingEvent.objects.filter(shipment__order_id=order.pk)
    seen = set(events.values_list("status", flat=True))
    tracking = events.values_list("shipment__tracking_number", flat=True).first()
    for status, place in scans:
        if status not in seen and tracking:
            sandbox_carrier_advance(tracking, status, place)
    if any(status == "delivered" for status, _place in scans):
        _expect(order, S.DELIVERED, S.DISPUTED, S.COMPLETED, S.REFUNDED, step="delivery")


def _dispute(order: Order, plan: DemoDispute, buyer: User, seller: User) -> None:
    dispute = Dispute.objects.filter(order=order).first()
    if dispute is None:
        if order.status not in (S.SHIPPED, S.DELIVERED):
            return
        with _as(buyer):
            dispute = disputes.dispute_open(
                buyer=buyer, order_id=order.pk, reason=plan.reason, description=plan.description
            )
    written = DisputeMessage.objects.filter(dispute=dispute).count()
    for index, line in enumerate(plan.thread[written:], start=written):
        author = buyer if line.by == "buyer" else seller
        attachments: list[str] = []
        if index == 0 and plan.photo:
            draft = Evidence.objects.filter(dispute=dispute, uploaded_by=author, message__isnull=True).first()
            draft = draft or disputes.evidence_upload(user=author, dispute_id=dispute.pk, upload=frayed_cuff())
            attachments.append(draft.pk)
        with _as(author):
            disputes.dispute_message(user=author, dispute_id=dispute.pk, text=line.text, attachments=attachments)
    dispute.refresh_from_db()
    if plan.offer_percent and dispute.status == DisputeStatus.OPEN:
        held = disputes.held(dispute)
        refund = held.allocate([plan.offer_percent, 100 - plan.offer_percent])[0]
        with _as(seller):
            disputes.dispute_offer(user=seller, dispute_id=dispute.pk, refund=refund, return_required=False)
        dispute.refresh_from_db()
    if plan.escalate and dispute.status in (DisputeStatus.OPEN, DisputeStatus.OFFERED):
        with _as(buyer):
            disputes.dispute_escalate(user=buyer, dispute_id=dispute.pk, note=plan.escalate)


def _reviews(order: Order, reviews: tuple[tuple[int, str], tuple[int, str]], buyer: User, seller: User) -> None:
    for author, (rating, text) in zip((buyer, seller), reviews, strict=True):
        if not Review.objects.filter(order=order, author=author).exists():
            with _as(author):
                review_create(author=author, order_id=order.pk, rating=rating, text=text)


def demo_order_advance(spec: DemoOrder) -> Order:
    """Take the scenario's order forward until it reaches ``spec.goal``."""
    buyer, seller = _user(spec.buyer), _user(spec.seller)
    order = _order(spec, buyer)
    if spec.goal == Goal.AWAITING_PAYMENT:
        return order
    if order.status == S.PENDING_PAYMENT:
        with _as(buyer):
            _pay(order)
    if spec.goal == Goal.CANCELLED:
        if order.status == S.PAID:
            with _as(buyer):
                flow.order_cancel(user=buyer, order_id=order.pk, reason=spec.cancel_reason)
            _expect(order, S.CANCELLED, step="cancellation")
        return order
    _chat(order, spec.chat, buyer, seller)
    if spec.goal == Goal.PAID:
        return order
    if order.status == S.PAID:
        with _as(seller):
            order_ship(seller=seller, order_id=order.pk, carrier_service=spec.carrier_service)
        _expect(order, S.SHIPPED, step="shipping")
    if order.status in (S.SHIPPED, S.DELIVERED):
        _scan(order, spec.scans)
    if spec.dispute is not None:
        _dispute(order, spec.dispute, buyer, seller)
        return order
    if spec.goal == Goal.COMPLETED:
        if order.status in (S.SHIPPED, S.DELIVERED):
            with _as(buyer):
                flow.order_confirm(user=buyer, order_id=order.pk)
            _expect(order, S.COMPLETED, step="confirmation")
        if order.status == S.COMPLETED and spec.reviews:
            _reviews(order, spec.reviews, buyer, seller)
    return order


# --- around the orders -----------------------------------------------------------------------


def seed_inquiry() -> None:
    buyer, seller = _user(INQUIRY.buyer), _user(INQUIRY.seller)
    listing = demo_listing(seller_email=INQUIRY.seller, title=INQUIRY.listing)
    conversation_id = inquiry_id(buyer=buyer, listing_id=listing.pk)
    sent = Message.objects.filter(conversation_id=conversation_id).count() if conversation_id else 0
    for line in INQUIRY.thread[sent:]:
        author = buyer if line.by == "buyer" else seller
        with _as(author):
            if conversation_id is None:
                sent_first = messaging.inquiry_start(buyer=buyer, listing_id=listing.pk, text=line.text)
                conversation_id = sent_first.conversation.pk
            else:
                messaging.message_send(sender=author, conversation_id=conversation_id, text=line.text)


def seed_report() -> None:
    """An open report on a listing, for the moderators' queue (once: not again after it is handled)."""
    reporter = _user(REPORT.reporter)
    listing = demo_listing(seller_email=REPORT.seller, title=REPORT.listing)
    if not Report.objects.filter(reporter=reporter, target_id=listing.pk).exists():
        with _as(reporter):
            report_create(
                reporter=reporter,
                target_type="listing",
                target_id=listing.pk,
                reason=REPORT.reason,
                details=REPORT.details,
            )


def seed_held_payout() -> None:
    """The seller adds a payout account and asks for a payout at once: the risk rule
    'payout after an account change' holds it for finance."""
    seller = _user(PAYOUT_SELLER)
    if Payout.objects.filter(user=seller).exists():
        return
    with _as(seller):
        if not PayoutAccount.objects.filter(user=seller).exists():
            method, holder, number = PAYOUT_ACCOUNT
            payouts.payout_account_set(user=seller, method=method, holder_name=holder, account_number=number)
        payouts.payout_request_by_seller(user=seller, amount=Money.from_decimal(*PAYOUT_AMOUNT))


STEPS: tuple[tuple[str, Callable[[], object]], ...] = (
    *((f"order {spec.buyer} / {spec.listing}", lambda spec=spec: demo_order_advance(spec)) for spec in ORDERS),
    ("inquiry", seed_inquiry),
    ("report", seed_report),
    ("held payout", seed_held_payout),
)


def seed_trade() -> None:
    if transaction.get_connection().in_atomic_block:
        raise DemoError("seed_trade needs each service to commit: call it outside a transaction.")
    for name, step in STEPS:
        try:
            step()
        except ShijiError as exc:
            raise DemoError(f"{name}: {exc.code}: {exc}") from exc

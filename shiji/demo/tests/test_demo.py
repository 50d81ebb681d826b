"""``shiji demo``: a living market, seeded through the services (so each service commits and its
jobs run: these tests use real transactions), idempotent, with balanced books."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Model

from shiji.accounts.models import User
from shiji.demo.scenarios import KENJI, LIWEI
from shiji.disputes.models import Dispute, DisputeMessage, Evidence
from shiji.identity.models import VerificationRequest
from shiji.ledger.check import ledger_check
from shiji.ledger.models import JournalEntry
from shiji.messaging.models import Conversation, Message
from shiji.moderation.models import Report
from shiji.notifications.models import Notification
from shiji.orders import flow
from shiji.orders.models import Order
from shiji.payments.models import Payout, Refund
from shiji.reputation.models import Review
from shiji.risk.models import RiskDecision
from shiji.shipping.models import TrackingEvent

pytestmark = pytest.mark.django_db(transaction=True)

COUNTED: tuple[type[Model], ...] = (
    User,
    VerificationRequest,
    Order,
    TrackingEvent,
    Refund,
    JournalEntry,
    Dispute,
    DisputeMessage,
    Evidence,
    Review,
    Conversation,
    Message,
    Notification,
    Report,
    Payout,
    RiskDecision,
)


def _demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _statuses(**filters: str) -> Counter[str]:
    return Counter(Order.objects.filter(**filters).values_list("status", flat=True))


def test_demo_seeds_a_living_market_once(settings):
    settings.DEBUG = True
    # `make run` loads the demo before the server starts: callbacks must not wait for it.
    settings.SHIJI_SANDBOX_CALLBACK_URL = "http://127.0.0.1:1"
    output = _demo()
    counts = _counts()
    assert _demo() == output
    assert _counts() == counts

    # people and staff
    assert set(User.objects.filter(is_staff=False).values_list("country", flat=True)) == {"JP", "CN"}
    roles = set(User.objects.filter(is_staff=True).values_list("groups__name", flat=True))
    assert roles == {"moderator", "identity_reviewer", "arbitrator", "finance", "admin"}
    assert VerificationRequest.objects.filter(status="pending").count() == 1

    # orders in every state, both ways across the sea
    jp_to_cn = _statuses(seller__country="JP", buyer__country="CN")
    cn_to_jp = _statuses(seller__country="CN", buyer__country="JP")
    assert jp_to_cn == {"completed": 1, "delivered": 1, "paid": 1, "disputed": 1}
    assert cn_to_jp == {"completed": 1, "shipped": 1, "pending_payment": 1, "cancelled": 1, "disputed": 1}
    shipped = Order.objects.get(status="shipped")
    assert {"label_created", "in_transit", "customs"} <= set(
        TrackingEvent.objects.filter(shipment__order_id=shipped.pk).values_list("status", flat=True)
    )
    cancelled = Order.objects.get(status="cancelled")
    assert cancelled.captured_minor > 0
    assert cancelled.refunded_minor == cancelled.captured_minor

    # reviews revealed on both sides of each completed order
    for order in Order.objects.filter(status="completed"):
        reviews = Review.objects.filter(order=order)
        assert {review.author_id for review in reviews} == {order.buyer_id, order.seller_id}
        assert all(review.revealed_at is not None for review in reviews)

    # one dispute with messages, a photo and an offer; one with an arbitrator
    offered = Dispute.objects.get(status="offered")
    assert offered.offer_refund_minor and offered.offer_refund_minor > 0
    assert DisputeMessage.objects.filter(dispute=offered).values("role").distinct().count() == 2
    assert Evidence.objects.filter(dispute=offered, message__isnull=False).exists()
    escalated = Dispute.objects.get(status="escalated")
    assert escalated.deadline_at is not None

    # a listing inquiry with a contact detail taken out, notifications for every person
    inquiry = Conversation.objects.get(kind="inquiry")
    assert Message.objects.filter(conversation=inquiry).count() == 3
    assert Message.objects.filter(conversation=inquiry).exclude(redacted_kinds=[]).exists()
    people = User.objects.filter(is_staff=False)
    assert all(Notification.objects.filter(user=person).exists() for person in people)

    # the staff queues: an open report, a held payout waiting for finance
    assert Report.objects.filter(status="open").count() == 1
    held = Payout.objects.get(status="held")
    assert RiskDecision.objects.filter(point="payout_request", review_status="open", subject_id=held.pk).exists()

    report = ledger_check()
    assert (report.balanced, report.escrow_matches_orders, report.payouts_match) == (True, True, True)
    assert "Ledger check: balanced" in output
    assert all(email in output for email in User.objects.values_list("email", flat=True))

    # The order awaiting payment expires after 30 minutes (or its buyer cancels it): the next run
    # places a new one, and only that.
    kenji = User.objects.get(email=KENJI)
    waiting = Order.objects.get(status="pending_payment", buyer=kenji, seller__email=LIWEI)
    flow.order_cancel(user=kenji, order_id=waiting.pk)
    _demo()
    assert Order.objects.filter(status="pending_payment", buyer=kenji).exclude(pk=waiting.pk).count() == 1
    assert Order.objects.count() == counts["Order"] + 1


def test_demo_refuses_to_run_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="SHIJI_DEBUG=0"):
        call_command("demo")
    assert not User.objects.exists()

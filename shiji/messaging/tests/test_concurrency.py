"""First messages racing: one thread per order and per (buyer, listing), every message kept."""

from __future__ import annotations

from typing import Any

import pytest

from shiji.accounts.tests.factories import chinese_buyer
from shiji.catalog.tests.factories import demo_rates
from shiji.core.tests.concurrency import race
from shiji.messaging import services
from shiji.messaging.models import Conversation, Message
from shiji.orders.tests.factories import listing_jp, order_placed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _no_limits(settings: Any) -> None:
    settings.SHIJI_RATE_LIMITS = False


def test_buyer_and_seller_writing_first_at_once_share_one_order_thread() -> None:
    demo_rates()
    order = order_placed()
    senders = [order.buyer, order.seller] * 4
    race([lambda s=s: services.order_message_send(sender=s, order_id=order.pk, text="hi") for s in senders])
    assert Conversation.objects.filter(order=order).count() == 1
    assert Message.objects.filter(conversation__order=order).count() == len(senders)


def test_a_double_submitted_first_question_opens_one_inquiry() -> None:
    buyer, listing = chinese_buyer(), listing_jp()
    race([lambda: services.inquiry_start(buyer=buyer, listing_id=listing.pk, text="在吗") for _ in range(6)])
    assert Conversation.objects.filter(listing=listing, buyer=buyer).count() == 1
    assert Message.objects.count() == 6

"""Disputes under real concurrency (threads with their own connections and transactions; run
on PostgreSQL in CI): racing decisions → exactly one wins and the money moves once; the seller's
late offer racing the silence job → one of them, never both."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import ApiClient
from shiji.accounts.services import token_create
from shiji.core.tests.concurrency import race, report
from shiji.disputes import services
from shiji.disputes.models import Dispute, DisputeEvent
from shiji.disputes.tests.helpers import HELD_MINOR, arbitrator, cny, escrow, shipped_order
from shiji.ledger.models import JournalEntry
from shiji.payments.models import Refund
from shiji.payments.tests.provider import assert_ledger_sound

pytestmark = [pytest.mark.django_db(transaction=True)]

DECISIONS = [
    {"outcome": "refund_full", "reason": "full"},
    {"outcome": "release", "reason": "release"},
    {"outcome": "refund_partial", "refund": cny("100.00"), "reason": "partial"},
]


def test_racing_decisions_one_wins_and_money_moves_once(server_errors):
    order = shipped_order()
    dispute = services.dispute_open(buyer=order.buyer, order_id=order.pk, reason="damaged", description="x")
    services.dispute_escalate(user=order.buyer, dispute_id=dispute.pk)
    judges = [ApiClient(token_create(user=arbitrator())) for _ in range(6)]
    bodies = [DECISIONS[n % len(DECISIONS)] for n in range(len(judges))]

    def decide(client: ApiClient, body: dict[str, Any]) -> Any:
        return lambda: client.post(f"/staff/disputes/{dispute.pk}/decision", body)

    responses = race([decide(c, b) for c, b in zip(judges, bodies, strict=True)])

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: len(judges) - 1}, report(statuses, errors=server_errors)
    winner = bodies[[r.status_code for r in responses].index(200)]
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.status, stored.outcome, stored.resolution_reason) == ("decided", winner["outcome"], winner["reason"])
    assert DisputeEvent.objects.filter(subject=stored, to_state="decided").count() == 1
    assert escrow(order.pk) == 0
    refunds = list(Refund.objects.filter(order=order).values_list("amount_minor", flat=True))
    assert refunds == {"refund_full": [HELD_MINOR], "release": [], "refund_partial": [10000]}[winner["outcome"]]
    assert JournalEntry.objects.filter(order_id=order.pk, kind="escrow.release").count() == (
        0 if winner["outcome"] == "refund_full" else 1
    )
    assert_ledger_sound()
    assert server_errors == [], report(errors=server_errors)


def test_a_late_offer_racing_the_silence_job_never_both(server_errors):
    order = shipped_order()
    dispute = services.dispute_open(buyer=order.buyer, order_id=order.pk, reason="damaged", description="x")
    Dispute.objects.filter(pk=dispute.pk).update(
        answer_due_at=timezone.now() - timedelta(minutes=1), deadline_at=timezone.now() - timedelta(minutes=1)
    )
    seller = ApiClient(token_create(user=order.seller))

    def offer() -> Any:
        return seller.post(f"/disputes/{dispute.pk}/offer", {"refund": cny("50.00"), "return_required": False})

    offered, silenced = race([offer, lambda: services.disputes_run_deadlines()])

    stored = Dispute.objects.get(pk=dispute.pk)
    if offered.status_code == 200:
        assert (silenced, stored.status, escrow(order.pk)) == (0, "offered", HELD_MINOR)
    else:
        assert offered.status_code == 409, report(offered.content, errors=server_errors)
        assert (silenced, stored.status, stored.outcome, escrow(order.pk)) == (1, "decided", "refund_full", 0)
    assert_ledger_sound()
    assert server_errors == [], report(errors=server_errors)

"""Every way a dispute ends, with the exact ledger outcome (docs/domains/disputes.md): an
arbitrator's full refund, partial refund and release, the seller's silence, an accepted offer
with and without a return, a withdrawal — and that a decided dispute never moves money again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shiji.accounts.tests.factories import UserFactory
from shiji.core.errors import InvalidState
from shiji.core.models import AuditEvent
from shiji.core.money import Money
from shiji.disputes import services
from shiji.disputes.models import Dispute, DisputeEvent
from shiji.disputes.selectors import disputes_lost_by_seller
from shiji.disputes.tasks import disputes_deadlines
from shiji.disputes.tests.helpers import (
    COMMISSION_JPY,
    FEE_MINOR,
    HELD_MINOR,
    ITEM_MINOR,
    MARGIN_MINOR,
    POSTAGE_MINOR,
    SELLER_NET_JPY,
    TOTAL_MINOR,
    arbitrator,
    cny,
    escrow,
    shipped_order,
)
from shiji.ledger.check import ledger_check
from shiji.ledger.models import JournalEntry, Purpose
from shiji.ledger.selectors import balance
from shiji.ledger.services import clearing_account, platform_account, user_account
from shiji.orders.flow import order_refund_held
from shiji.orders.models import Order
from shiji.payments.models import Refund, SandboxOperation
from shiji.payments.tests.provider import provider_rejects_refund

pytestmark = pytest.mark.django_db


def _open(api_as: Any, order: Order, reason: str = "not_as_described") -> dict[str, Any]:
    response = api_as(order.buyer).post(
        f"/orders/{order.pk}/disputes", {"reason": reason, "description": "The sleeve is torn, not 'like new'."}
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def _escalated(api_as: Any) -> tuple[Order, dict[str, Any]]:
    order = shipped_order()
    dispute = _open(api_as, order)
    response = api_as(order.buyer).post(f"/disputes/{dispute['id']}/escalate")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "escalated"
    return order, dispute


def _books(order: Order) -> dict[str, int]:
    return {
        "escrow": escrow(order.pk),
        "refunded_to_buyer": balance(clearing_account("sandbox"), "CNY").minor + TOTAL_MINOR,
        "revenue_cny": balance(platform_account(Purpose.REVENUE), "CNY").minor,
        "revenue_jpy": balance(platform_account(Purpose.REVENUE), "JPY").minor,
        "fx_cny": balance(platform_account(Purpose.FX), "CNY").minor,
        "fx_jpy": balance(platform_account(Purpose.FX), "JPY").minor,
        "carriers_cny": balance(platform_account(Purpose.CARRIERS), "CNY").minor,
        "seller_jpy": balance(user_account(order.seller_id, Purpose.AVAILABLE), "JPY").minor,
    }


def _sound() -> None:
    report = ledger_check()
    assert report.balanced and report.escrow_matches_orders, report.problems


NOTHING_RELEASED = {"revenue_cny": 0, "revenue_jpy": 0, "fx_cny": 0, "fx_jpy": 0, "seller_jpy": 0}
# Everything still held goes back; the postage was already paid to the carrier.
REFUNDED_IN_FULL = {"escrow": 0, "refunded_to_buyer": HELD_MINOR, "carriers_cny": POSTAGE_MINOR, **NOTHING_RELEASED}


# --- the arbitrator decides ------------------------------------------------------------------


def test_refund_full_gives_back_everything_held_and_refunds_the_order(api_as):
    order, dispute = _escalated(api_as)
    judge = arbitrator()

    response = api_as(judge).post(
        f"/staff/disputes/{dispute['id']}/decision", {"outcome": "refund_full", "reason": "Photos show a torn sleeve."}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "decided"
    assert body["resolution"]["outcome"] == "refund_full"
    assert body["resolution"]["refund"] == cny("339.55")
    order.refresh_from_db()
    assert order.status == "refunded"
    assert _books(order) == REFUNDED_IN_FULL
    assert list(Refund.objects.filter(order=order).values_list("amount_minor", flat=True)) == [HELD_MINOR]
    assert (order.refunded_minor, order.released_minor) == (HELD_MINOR, 0)
    # Both sides read the reason.
    for party in (order.buyer, order.seller):
        seen = api_as(party).get(f"/disputes/{dispute['id']}").json()["resolution"]
        assert seen["reason"] == "Photos show a torn sleeve." and seen["decided_by"] is None
    audit = AuditEvent.objects.get(action="dispute.decided")
    assert (audit.actor_id, audit.target_id, audit.data["outcome"]) == (judge.pk, dispute["id"], "refund_full")
    assert disputes_lost_by_seller(order.seller_id) == 1
    _sound()


def test_refund_partial_splits_between_buyer_and_seller_with_commission_on_the_rest(api_as):
    order, dispute = _escalated(api_as)

    response = api_as(arbitrator()).post(
        f"/staff/disputes/{dispute['id']}/decision",
        {"outcome": "refund_partial", "refund": cny("100.00"), "reason": "Minor wear, not described."},
    )

    assert response.status_code == 200, response.content
    assert response.json()["resolution"]["refund"] == cny("100.00")
    order.refresh_from_db()
    assert order.status == "completed"
    # 339.55 held: 100.00 back to the buyer; the 239.55 left is split over the lines still held
    # (item 329.66 : fee 9.89, largest remainder) → item 232.57, fee 6.98; the item's share is
    # 230.27 at the mid rate + 2.30 FX margin, and ¥6,800 × 23257/32966 = ¥4,797 for the seller,
    # minus 8 % commission (¥383.76 → ¥384) = ¥4,413.
    assert _books(order) == {
        "escrow": 0,
        "refunded_to_buyer": 10000,
        "revenue_cny": 698 + 230,
        "revenue_jpy": 384,
        "fx_cny": 23027,
        "fx_jpy": -4797,
        "carriers_cny": POSTAGE_MINOR,
        "seller_jpy": 4413,
    }
    assert (order.refunded_minor, order.released_minor) == (10000, HELD_MINOR - 10000)
    assert (order.commission_minor, order.seller_proceeds_minor) == (384, 4413)
    assert disputes_lost_by_seller(order.seller_id) == 1
    _sound()


def test_a_partial_refund_the_bank_rejects_can_be_sent_again_by_finance(api_as, monkeypatch):
    """The order completed (the rest was released) when the provider rejects the partial refund:
    the 100.00 comes back to the order's escrow, and finance can send it again, once."""
    order, dispute = _escalated(api_as)
    # Hold the sandbox's own refund confirmation back: the provider rejects this one instead.
    monkeypatch.setattr("shiji.payments.providers.sandbox._send", lambda event: None)
    api_as(arbitrator()).post(
        f"/staff/disputes/{dispute['id']}/decision",
        {"outcome": "refund_partial", "refund": cny("100.00"), "reason": "Minor wear, not described."},
    )
    rejected = Refund.objects.get(order=order)
    SandboxOperation.objects.filter(target_id=rejected.pk).update(status="failed")  # the provider's books agree
    assert provider_rejects_refund(rejected) == "applied"
    monkeypatch.undo()
    order.refresh_from_db()
    assert (order.status, order.escrow_expected_minor, escrow(order.pk)) == ("completed", 10000, 10000)

    finance = UserFactory(roles=["finance"])
    again = order_refund_held(staff=finance, order_id=order.pk, reason="The buyer gave a new card.")
    order.refresh_from_db()
    assert (again.amount_minor, order.escrow_expected_minor, escrow(order.pk)) == (10000, 0, 0)
    with pytest.raises(InvalidState):
        order_refund_held(staff=finance, order_id=order.pk, reason="twice")
    _sound()


def test_release_pays_the_seller_as_if_the_buyer_had_confirmed(api_as):
    order, dispute = _escalated(api_as)

    response = api_as(arbitrator()).post(
        f"/staff/disputes/{dispute['id']}/decision", {"outcome": "release", "reason": "The item matches the photos."}
    )

    assert response.status_code == 200, response.content
    assert response.json()["resolution"]["refund"] is None
    order.refresh_from_db()
    assert order.status == "completed"
    assert _books(order) == {
        "escrow": 0,
        "refunded_to_buyer": 0,
        "revenue_cny": FEE_MINOR + MARGIN_MINOR,
        "revenue_jpy": COMMISSION_JPY,
        "fx_cny": ITEM_MINOR - MARGIN_MINOR,
        "fx_jpy": -6800,
        "carriers_cny": POSTAGE_MINOR,
        "seller_jpy": SELLER_NET_JPY,
    }
    assert Refund.objects.filter(order=order).count() == 0
    assert disputes_lost_by_seller(order.seller_id) == 0
    _sound()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"outcome": "refund_full"}, {"outcome": "release"}),
        ({"outcome": "release"}, {"outcome": "refund_full"}),
        ({"outcome": "refund_partial", "refund": cny("50.00")}, {"outcome": "refund_partial", "refund": cny("50.00")}),
    ],
)
def test_a_decided_dispute_cannot_move_money_again(api_as, first, second):
    order, dispute = _escalated(api_as)
    judge = api_as(arbitrator())
    path = f"/staff/disputes/{dispute['id']}/decision"
    assert judge.post(path, {**first, "reason": "first"}).status_code == 200
    entries, books = JournalEntry.objects.count(), _books(order)

    again = judge.post(path, {**second, "reason": "second"})

    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"
    assert (JournalEntry.objects.count(), _books(order)) == (entries, books)
    assert Dispute.objects.get(pk=dispute["id"]).resolution_reason == "first"
    assert AuditEvent.objects.filter(action="dispute.decided").count() == 1


def test_decision_input_is_checked_and_changes_nothing(api_as):
    order, dispute = _escalated(api_as)
    judge = api_as(arbitrator())
    path = f"/staff/disputes/{dispute['id']}/decision"
    bad = [
        ({"outcome": "refund_full", "reason": "  "}, 422),
        ({"outcome": "refund_partial", "reason": "r"}, 422),  # no amount
        ({"outcome": "refund_partial", "refund": cny("339.55"), "reason": "r"}, 422),  # all of it: full
        ({"outcome": "refund_partial", "refund": cny("0.00"), "reason": "r"}, 422),
        ({"outcome": "refund_partial", "refund": {"amount": "100", "currency": "JPY"}, "reason": "r"}, 422),
        ({"outcome": "split", "reason": "r"}, 422),
    ]
    for body, status in bad:
        response = judge.post(path, body)
        assert response.status_code == status, (body, response.content)
    assert Dispute.objects.get(pk=dispute["id"]).status == "escalated"
    assert escrow(order.pk) == HELD_MINOR
    # Not arbitrators: the parties and other staff.
    for user in (order.buyer, order.seller):
        assert api_as(user).post(path, {"outcome": "refund_full", "reason": "me"}).status_code == 403
    assert escrow(order.pk) == HELD_MINOR


def test_an_open_dispute_is_decided_only_after_escalation(api_as):
    order = shipped_order()
    dispute = _open(api_as, order)

    response = api_as(arbitrator()).post(
        f"/staff/disputes/{dispute['id']}/decision", {"outcome": "refund_full", "reason": "too early"}
    )

    assert response.status_code == 409
    assert escrow(order.pk) == HELD_MINOR


# --- the seller's silence --------------------------------------------------------------------


def test_seller_silence_escalates_and_refunds_the_buyer_in_full(api_as):
    order = shipped_order()
    dispute = _open(api_as, order)
    # Not yet: the seller still has time.
    assert disputes_deadlines.call_local() == 0
    assert services.disputes_run_deadlines(now=timezone.now() + timedelta(days=2, hours=23)) == 0

    assert services.disputes_run_deadlines(now=timezone.now() + timedelta(days=3, minutes=1)) == 1

    stored = Dispute.objects.get(pk=dispute["id"])
    assert (stored.status, stored.outcome, stored.escalated_by) == ("decided", "refund_full", "system")
    assert stored.resolution_reason == "The seller did not answer within 3 days."
    # Each side reads the platform's reason in their own language.
    for reader, expected in (
        (order.buyer, "卖家未在3天内回应。"),
        (order.seller, "出品者が3日以内に対応しませんでした。"),
    ):
        reader.language = "zh-hans" if reader == order.buyer else "ja"
        reader.save(update_fields=["language"])
        assert api_as(reader).get(f"/disputes/{dispute['id']}").json()["resolution"]["reason"] == expected
    events = list(DisputeEvent.objects.filter(subject=stored).values_list("from_state", "to_state", "actor_id"))
    assert events == [
        ("", "open", order.buyer_id),
        ("open", "escalated", None),
        ("escalated", "decided", None),
    ]
    order.refresh_from_db()
    assert order.status == "refunded"
    assert _books(order) == REFUNDED_IN_FULL
    assert disputes_lost_by_seller(order.seller_id) == 1
    # Running the job again finds nothing to do.
    assert services.disputes_run_deadlines(now=timezone.now() + timedelta(days=30)) == 0
    _sound()


@pytest.mark.parametrize("answer", ["message", "offer"])
def test_a_seller_who_answers_in_time_is_not_escalated(api_as, answer):
    order = shipped_order()
    dispute = _open(api_as, order)
    seller = api_as(order.seller)
    if answer == "message":
        response = seller.post(f"/disputes/{dispute['id']}/messages", {"text": "It was fine when I sent it."})
    else:
        response = seller.post(f"/disputes/{dispute['id']}/offer", {"refund": cny("50.00"), "return_required": False})
    assert response.status_code in (200, 201), response.content

    assert services.disputes_run_deadlines(now=timezone.now() + timedelta(days=10)) == 0

    assert Dispute.objects.get(pk=dispute["id"]).status in ("open", "offered")
    assert escrow(order.pk) == HELD_MINOR


def test_the_buyers_messages_do_not_stop_the_sellers_clock(api_as):
    order = shipped_order()
    dispute = _open(api_as, order)
    assert api_as(order.buyer).post(f"/disputes/{dispute['id']}/messages", {"text": "Hello?"}).status_code == 201

    assert services.disputes_run_deadlines(now=timezone.now() + timedelta(days=4)) == 1


# --- settling by offer -----------------------------------------------------------------------


def test_accepted_partial_offer_without_return_refunds_it_and_releases_the_rest(api_as):
    order = shipped_order()
    dispute = _open(api_as, order)
    offer = api_as(order.seller).post(
        f"/disputes/{dispute['id']}/offer", {"refund": cny("100.00"), "return_required": False}
    )
    assert offer.status_code == 200 and offer.json()["status"] == "offered", offer.content

    response = api_as(order.buyer).post(f"/disputes/{dispute['id']}/accept")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "settled"
    assert response.json()["resolution"]["outcome"] == "refund_partial"
    order.refresh_from_db()
    assert order.status == "completed"
    # The same split as the arbitrator's partial refund of 100.00 above.
    assert _books(order)["refunded_to_buyer"] == 10000
    assert _books(order)["seller_jpy"] == 4413
    assert _books(order)["escrow"] == 0
    # A settlement is not a dispute the seller lost.
    assert disputes_lost_by_seller(order.seller_id) == 0
    _sound()


def test_accepted_offer_of_everything_refunds_the_order(api_as):
    order = shipped_order()
    dispute = _open(api_as, order)
    api_as(order.seller).post(f"/disputes/{dispute['id']}/offer", {"refund": cny("339.55"), "return_required": False})

    response = api_as(order.buyer).post(f"/disputes/{dispute['id']}/accept")

    assert response.json()["resolution"]["outcome"] == "refund_full"
    order.refresh_from_db()
    assert order.status == "refunded"
    assert _books(order) == REFUNDED_IN_FULL
    _sound()


def test_offer_with_return_refunds_once_the_seller_has_the_item_back(api_as):
    order = shipped_order()
    dispute = _open(api_as, order, reason="counterfeit")
    path = f"/disputes/{dispute['id']}"
    buyer, seller = api_as(order.buyer), api_as(order.seller)
    assert seller.post(f"{path}/offer", {"refund": cny("339.55"), "return_required": True}).status_code == 200
    # Nothing to confirm before the buyer sends it.
    assert seller.post(f"{path}/return/received").status_code == 409

    accepted = buyer.post(f"{path}/accept")
    assert accepted.json()["status"] == "return_pending"
    assert escrow(order.pk) == HELD_MINOR  # no money moves until the item is back
    assert seller.post(f"{path}/return", {"carrier": "EMS", "tracking_number": "X"}).status_code == 403
    shipped = buyer.post(f"{path}/return", {"carrier": "China Post EMS", "tracking_number": "EE123456789CN"})
    assert shipped.status_code == 200, shipped.content
    assert shipped.json()["status"] == "return_shipped"
    assert shipped.json()["return_shipment"]["tracking_number"] == "EE123456789CN"
    assert buyer.post(f"{path}/return/received").status_code == 403

    received = seller.post(f"{path}/return/received")

    assert received.status_code == 200, received.content
    assert received.json()["status"] == "settled"
    assert received.json()["return_shipment"]["received_at"] is not None
    order.refresh_from_db()
    assert order.status == "refunded"
    assert _books(order)["refunded_to_buyer"] == HELD_MINOR
    _sound()


def test_a_return_the_seller_does_not_confirm_is_refunded_after_ten_days(api_as):
    order = shipped_order()
    dispute = _open(api_as, order)
    path = f"/disputes/{dispute['id']}"
    api_as(order.seller).post(f"{path}/offer", {"refund": cny("200.00"), "return_required": True})
    api_as(order.buyer).post(f"{path}/accept")
    api_as(order.buyer).post(f"{path}/return", {"carrier": "SF Express", "tracking_number": "SF100"})

    assert services.disputes_run_deadlines(now=timezone.now() + timedelta(days=9)) == 0
    assert services.disputes_run_deadlines(now=timezone.now() + timedelta(days=10, minutes=1)) == 1

    stored = Dispute.objects.get(pk=dispute["id"])
    assert (stored.status, stored.outcome, stored.refund_minor) == ("settled", "refund_partial", 20000)
    assert DisputeEvent.objects.filter(subject=stored, to_state="settled", actor=None).exists()
    order.refresh_from_db()
    assert order.status == "completed"
    assert _books(order)["refunded_to_buyer"] == 20000
    assert _books(order)["escrow"] == 0
    _sound()


def test_withdrawing_completes_the_order_and_pays_the_seller(api_as):
    order = shipped_order()
    dispute = _open(api_as, order)
    # Confirming receipt is refused while disputed: the buyer withdraws instead.
    confirm = api_as(order.buyer).post(f"/orders/{order.pk}/confirm")
    assert confirm.status_code == 409

    response = api_as(order.buyer).post(f"/disputes/{dispute['id']}/withdraw")

    assert response.status_code == 200 and response.json()["status"] == "withdrawn", response.content
    order.refresh_from_db()
    assert order.status == "completed"
    assert _books(order)["seller_jpy"] == SELLER_NET_JPY
    assert api_as(order.seller).post(f"/disputes/{dispute['id']}/withdraw").status_code == 403
    _sound()


def test_the_seller_cannot_refund_around_the_dispute(api_as):
    order = shipped_order()
    _open(api_as, order)

    response = api_as(order.seller).post(f"/orders/{order.pk}/refunds", {"amount": cny("10.00"), "reason": "sorry"})

    assert response.status_code == 409
    assert escrow(order.pk) == HELD_MINOR


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(refund=st.integers(min_value=1, max_value=HELD_MINOR))
def test_any_refund_plus_what_is_released_is_exactly_what_was_held(refund):
    """Whatever the amount, the escrow empties, the buyer gets exactly the refund and the rest is
    released (or, for all of it, the order is refunded)."""
    order = shipped_order()
    dispute = services.dispute_open(buyer=order.buyer, order_id=order.pk, reason="damaged", description="broken")
    services.dispute_escalate(user=order.buyer, dispute_id=dispute.pk)
    outcome = "refund_full" if refund == HELD_MINOR else "refund_partial"
    services.dispute_decide(
        arbitrator=arbitrator(),
        dispute_id=dispute.pk,
        outcome=outcome,
        refund=Money(refund, "CNY"),
        reason="r",
    )

    order.refresh_from_db()
    assert escrow(order.pk) == 0
    assert order.refunded_minor == refund
    assert order.refunded_minor + order.released_minor == HELD_MINOR
    assert order.status == ("refunded" if refund == HELD_MINOR else "completed")
    _sound()

"""Chaos delivery of payment AND carrier callbacks for one order, end to end (issue 8: "every
payment and carrier event delivered 5× in random order with random delays → the same final state
as one in-order delivery; 20 property-based scenarios per CI run").

The sandbox payment provider and the sandbox carrier emit signed callbacks; here they are
captured (their ``_send`` patched) instead of queued. A journey is: the card is declined, the
buyer pays, the seller ships once the order is paid, then the carrier scans the parcel — in
transit, customs, holds and failed delivery attempts (``exception``), out for delivery,
delivered — or loses it. Time is simulated: ``django.utils.timezone.now`` follows a clock the test
moves (as ``reputation/tests/test_service_score.py`` does), each scan is stamped with the
clock's time, and the deadline jobs take ``now=`` (``orders_auto_complete``,
``orders_flag_stale_tracking``).

The reference delivers each event once, as soon as it is emitted. A chaos run delivers each event
five times, each copy after its own random delay of up to four days (longer than the gaps
between scans, so copies overtake later events); a copy that arrives before the seller's next move is
delivered first, with the clock moved to its arrival. The seller ships only a paid order: if the
capture has not arrived yet, the seller waits for it. The deadline jobs then run a month later,
and the final state — order, payments, shipment, its whole timeline, notifications and the
books — must equal the reference's, carrier times compared relative to the shipping time.

Each run is rolled back (a savepoint), so every run starts from the same empty books.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from shiji.accounts.tests.factories import chinese_buyer
from shiji.core.signatures import SIGNATURE_HEADER, sign
from shiji.ledger.check import ledger_check
from shiji.ledger.models import JournalEntry, LedgerAccount
from shiji.notifications.models import Notification
from shiji.orders.models import Order
from shiji.orders.shipping import order_ship, orders_auto_complete, orders_flag_stale_tracking
from shiji.orders.tests.factories import listing_jp, order_placed, seller_jp
from shiji.payments.callbacks import callback_receive
from shiji.payments.models import Payment
from shiji.payments.providers import sandbox as payment_sandbox
from shiji.payments.providers.sandbox import sandbox_customer_pays
from shiji.shipping.callbacks import carrier_callback_receive
from shiji.shipping.carriers import sandbox as carrier_sandbox
from shiji.shipping.carriers.sandbox import sandbox_carrier_advance
from shiji.shipping.models import Shipment, TrackingEvent

pytestmark = pytest.mark.django_db

COPIES = 5
MAX_DELAY = timedelta(days=4)  # longer than the gaps between scans: copies overtake later events
SHIPS_AFTER = timedelta(hours=2)  # the seller ships this long after the payment, once it is paid
JOBS_AFTER = timedelta(days=31)  # the deadline jobs run this long after the last arrival

# What the carrier reports, as (time after shipping, status, location).
JOURNEYS: dict[str, tuple[tuple[timedelta, str, str], ...]] = {
    "delivered after a hold and a failed attempt": (
        (timedelta(days=1), "in_transit", "Osaka International Post Office"),
        (timedelta(days=2), "customs", "Shanghai Pudong"),
        (timedelta(days=2, hours=6), "exception", "Held for inspection"),
        (timedelta(days=3), "customs", "Released by customs"),
        (timedelta(days=4), "out_for_delivery", "Shanghai Jing'an"),
        (timedelta(days=4, hours=4), "exception", "Nobody at home"),
        (timedelta(days=5), "out_for_delivery", "Shanghai Jing'an"),
        (timedelta(days=5, hours=3), "delivered", "Front desk"),
        (timedelta(days=5, hours=5), "exception", "Signature missing"),  # after delivery: history only
    ),
    "lost after a damaged label": (
        (timedelta(days=1), "in_transit", "Osaka International Post Office"),
        (timedelta(days=2), "customs", "Shanghai Pudong"),
        (timedelta(days=2, hours=4), "exception", "Label damaged"),
    ),
}
EXPECTED = {
    "delivered after a hold and a failed attempt": {"order": "completed", "shipment": "delivered", "review": False},
    "lost after a damaged label": {"order": "shipped", "shipment": "exception", "review": True},
}


@dataclass(order=True)
class Copy:
    """One delivery of an event: when it arrives, then a tie-breaker, then what it is."""

    arrives: datetime
    tie: float
    kind: str = field(compare=False)  # "payment" or "carrier"
    event: dict[str, Any] = field(compare=False)


class Clock:
    """The simulated time: ``start`` is where every run begins."""

    def __init__(self, start: datetime) -> None:
        self.start = self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance_to(self, moment: datetime) -> None:
        self.now = max(self.now, moment)


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """What the provider and the carrier send, captured in order instead of queued."""
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(payment_sandbox, "_send", lambda event: sent.append(("payment", event)))
    monkeypatch.setattr(carrier_sandbox, "_send", lambda event: sent.append(("carrier", event)))
    return sent


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    simulated = Clock(timezone.now())
    monkeypatch.setattr("django.utils.timezone.now", simulated)
    return simulated


def deliver(kind: str, event: dict[str, Any]) -> str:
    """The sender's servers calling our webhook once with ``event``, signed as they sign."""
    if kind == "payment":
        body = json.dumps(event, separators=(",", ":")).encode()
        headers = {SIGNATURE_HEADER: sign(body, settings.SHIJI_SANDBOX_PAYMENT_SECRET)}
        with TestCase.captureOnCommitCallbacks(execute=True):
            return callback_receive(provider_name="sandbox", body=body, headers=headers)
    body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {SIGNATURE_HEADER: sign(body, settings.SHIJI_SANDBOX_CARRIER_SECRET)}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return carrier_callback_receive(carrier="sandbox", body=body, headers=headers)


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


IN_ORDER, SHUFFLED, NEWEST_FIRST = "in order", "shuffled", "newest first"


def play(
    journey: str,
    wire: list[tuple[str, dict[str, Any]]],
    clock: Clock,
    *,
    mode: str = IN_ORDER,
    rnd: random.Random | None = None,
) -> dict[str, Any]:
    """Run ``journey`` from empty books on the simulated clock; its normalised final state.

    ``IN_ORDER``: each event once, as soon as it is emitted (the reference). ``SHUFFLED``: five
    copies of each, each arriving after its own random delay (``rnd``); a copy due before the
    next move is delivered first, the clock moved to its arrival. ``NEWEST_FIRST``: five copies
    held back until the end, then delivered latest first (failures after successes, every
    scan before the one before it) — except that the seller, waiting to ship, is sent the most
    recent pending events until the order is paid.
    """
    with rolled_back():
        cache.clear()
        wire.clear()
        clock.now = clock.start
        in_flight: list[Copy] = []
        sent = 0

        def emitted() -> None:
            nonlocal sent
            while wire:
                kind, event = wire.pop(0)
                for _ in range(1 if mode == IN_ORDER else COPIES):
                    sent += 1
                    if mode == SHUFFLED:
                        assert rnd is not None
                        delay = timedelta(seconds=rnd.uniform(0, MAX_DELAY.total_seconds()))
                        in_flight.append(Copy(clock.now + delay, rnd.random(), kind, event))
                    elif mode == NEWEST_FIRST:
                        in_flight.append(Copy(datetime.max.replace(tzinfo=UTC), -sent, kind, event))
                    else:
                        in_flight.append(Copy(clock.now, sent, kind, event))
                in_flight.sort()

        def deliver_first() -> None:
            copy = in_flight.pop(0)
            if mode != NEWEST_FIRST:
                clock.advance_to(copy.arrives)
            deliver(copy.kind, copy.event)
            emitted()

        def arrivals_until(moment: datetime) -> None:
            while in_flight and in_flight[0].arrives <= moment:
                deliver_first()
            clock.advance_to(moment)

        buyer, seller = chinese_buyer(), seller_jp()
        order = order_placed(buyer=buyer, listing=listing_jp(seller))
        payment = Payment.objects.get(order=order)
        for minutes, outcome in ((5, "failed"), (10, "succeeded")):
            arrivals_until(clock.start + timedelta(minutes=minutes))
            with TestCase.captureOnCommitCallbacks(execute=True):
                sandbox_customer_pays(payment_id=payment.pk, outcome=outcome)
            emitted()

        arrivals_until(clock.start + timedelta(minutes=10) + SHIPS_AFTER)
        while Order.objects.get(pk=order.pk).status != "paid":  # the seller waits for the money
            assert in_flight, "the capture never arrives"
            deliver_first()
        with TestCase.captureOnCommitCallbacks(execute=True):
            shipment = order_ship(seller=seller, order_id=order.pk)
        shipped = clock.now
        for after, status, location in JOURNEYS[journey]:
            arrivals_until(shipped + after)
            with TestCase.captureOnCommitCallbacks(execute=True):
                sandbox_carrier_advance(shipment.tracking_number, status, location, at=clock.now)
            emitted()
        while in_flight:
            deliver_first()

        jobs_at = clock.now + JOBS_AFTER
        clock.advance_to(jobs_at)
        with TestCase.captureOnCommitCallbacks(execute=True):
            orders_auto_complete(now=jobs_at)
            orders_flag_stale_tracking(now=jobs_at)
        return snapshot(order.pk, shipped)


_ID = re.compile(r"\b[a-z]{2,5}_[0-9A-HJKMNP-TV-Z]{26}\b")


def snapshot(order_id: str, shipped: datetime) -> dict[str, Any]:
    """The final state with ids replaced by run-local names and carrier times made relative to
    the shipping time (arrival times and row creation times are left out: they differ by design)."""
    order = Order.objects.get(pk=order_id)
    shipment = Shipment.objects.get(order_id=order_id)
    names = {order.buyer_id: "buyer", order.seller_id: "seller", order.pk: "order", order.listing_id: "listing"}
    for index, pk in enumerate(Payment.objects.order_by("created_at", "pk").values_list("pk", flat=True), 1):
        names[pk] = f"payment{index}"

    def local(text: str) -> str:
        return _ID.sub(lambda match: names.get(match.group(0), "unknown:" + match.group(0)), text)

    def since_shipped(moment: datetime | None) -> float | None:
        return None if moment is None else (moment - shipped).total_seconds()

    report = ledger_check()
    return {
        "order": {
            "status": order.status,
            "money": (
                order.captured_minor,
                order.refunded_minor,
                order.remitted_minor,
                order.released_minor,
                order.commission_minor,
                order.seller_proceeds_minor,
            ),
            "delivered_at": since_shipped(order.delivered_at),
            "review_requested": order.review_requested_at is not None,
        },
        "payments": [p.status for p in Payment.objects.order_by("created_at", "pk")],
        "shipment": {
            "status": shipment.status,
            "progress": shipment.progress,
            "status_at": since_shipped(shipment.status_at),
            "delivered_at": since_shipped(shipment.delivered_at),
            "last_event_at": since_shipped(shipment.last_event_at),
        },
        "timeline": sorted(
            (e.status, since_shipped(e.at), e.location)
            for e in TrackingEvent.objects.filter(shipment=shipment).exclude(status="label_created")
        ),
        "notifications": sorted(
            (names.get(n.user_id, "someone"), n.kind, local(n.subject_id)) for n in Notification.objects.all()
        ),
        "accounts": sorted(
            (a.owner_type, local(a.owner_id), a.purpose, a.currency, a.balance_minor)
            for a in LedgerAccount.objects.all()
        ),
        "entries": sorted((e.kind, local(e.key)) for e in JournalEntry.objects.all()),
        "books_consistent": (report.balanced, report.escrow_matches_orders, report.payouts_match, report.problems),
    }


_references: dict[str, dict[str, Any]] = {}


def reference(journey: str, wire: list[tuple[str, dict[str, Any]]], clock: Clock) -> dict[str, Any]:
    """One in-order delivery of ``journey`` (computed once per test process)."""
    if journey not in _references:
        _references[journey] = play(journey, wire, clock)
    return _references[journey]


@pytest.mark.parametrize("journey", JOURNEYS)
def test_one_in_order_delivery_reaches_the_expected_state(wire, clock, journey):
    state = play(journey, wire, clock)
    expected = EXPECTED[journey]
    assert (state["order"]["status"], state["shipment"]["status"]) == (expected["order"], expected["shipment"])
    assert state["order"]["review_requested"] is expected["review"]
    assert state["payments"] == ["succeeded"]
    assert state["books_consistent"] == (True, True, True, [])
    assert not any("unknown:" in str(row) for row in state["accounts"] + state["entries"] + state["notifications"])
    scans = JOURNEYS[journey]
    assert [row[:2] for row in state["timeline"]] == sorted((s, a.total_seconds()) for a, s, _ in scans)
    if expected["order"] == "completed":
        delivered_after = next(after for after, status, _ in scans if status == "delivered").total_seconds()
        assert state["order"]["delivered_at"] == state["shipment"]["delivered_at"] == delivered_after
        assert ("user", "seller", "available", "JPY", state["order"]["money"][5]) in state["accounts"]


@pytest.mark.parametrize("journey", JOURNEYS)
def test_five_copies_newest_first_match_in_order_delivery(wire, clock, journey):
    """The worst fixed order: every copy of the latest event before any earlier one, after
    every scan has been made."""

    assert play(journey, wire, clock, mode=NEWEST_FIRST) == reference(journey, wire, clock)


@hypothesis_settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(journey=st.sampled_from(sorted(JOURNEYS)), rnd=st.randoms(use_true_random=False))
def test_five_delayed_shuffled_copies_of_every_event_end_as_one_in_order_delivery(wire, clock, journey, rnd):
    expected = reference(journey, wire, clock)
    assert play(journey, wire, clock, mode=SHUFFLED, rnd=rnd) == expected

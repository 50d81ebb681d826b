"""Chaos delivery of provider callbacks (PRODUCT.md invariant 3; the money issue's acceptance:
"every callback delivered 5 times in shuffled order leaves the same final ledger and order
state as one in-order delivery").

The sandbox provider's events are captured instead of delivered (``sandbox._send`` patched).
A scenario is a setup plus steps — things the buyer, the seller or the customer at the
sandbox's checkout do — and each step may make the provider emit events. One run delivers each
event once, in order, right after the step that caused it (the reference). Other runs of an
identical, fresh scenario deliver each event five times, signed, through ``callback_receive``,
in an order drawn by hypothesis, then the final states are compared after mapping ids to
scenario-local names.

What can be shuffled is what the provider emits. Our own refund (and the cancellation's
refund) is asked for only once the capture is booked: the seller cannot refund an order that
is not paid in our books. So before such a step the run keeps delivering random pending
events until the order is paid; everything else (duplicates of the capture, earlier refunds'
confirmations, failures after successes) is delivered in any order, interleaved with the
steps. A refund confirmation ahead of its capture is therefore never produced here (see
test_callbacks for the parking rule). A cancellation *before* the capture's callback is
exercised: the late capture is then booked and refunded at once.

Each run happens inside a savepoint that is rolled back, so every run starts from the same
empty books.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import TestCase
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from shiji.accounts.models import User
from shiji.accounts.tests.factories import chinese_buyer
from shiji.catalog.models import Listing
from shiji.core.money import Money
from shiji.core.signatures import SIGNATURE_HEADER, sign
from shiji.ledger.check import ledger_check
from shiji.ledger.models import JournalEntry, LedgerAccount
from shiji.orders import flow
from shiji.orders.models import Order
from shiji.orders.states import OrderStatus
from shiji.orders.tests.factories import listing_jp, mark_shipped, order_placed, seller_jp
from shiji.payments.callbacks import callback_receive
from shiji.payments.models import Payment, Payout, Refund
from shiji.payments.payouts import payout_request
from shiji.payments.providers import sandbox
from shiji.payments.providers.sandbox import sandbox_customer_pays

pytestmark = pytest.mark.django_db

COPIES = 5
Event = dict[str, Any]


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> list[Event]:
    sent: list[Event] = []
    monkeypatch.setattr(sandbox, "_send", sent.append)
    return sent


def deliver(event: Event) -> str:
    """The provider's servers calling our webhook once with ``event``, signed."""
    body = json.dumps(event, separators=(",", ":")).encode()
    headers = {SIGNATURE_HEADER: sign(body, settings.SHIJI_SANDBOX_PAYMENT_SECRET)}
    with TestCase.captureOnCommitCallbacks(execute=True):  # refunds and jobs the callback queues
        return callback_receive(provider_name="sandbox", body=body, headers=headers)


# --- scenarios -------------------------------------------------------------------------------


@dataclass
class World:
    outbox: list[Event]
    buyer: User | None = None
    seller: User | None = None
    order: Order | None = None
    notes: list[str] = field(default_factory=list)

    def the_order(self) -> Order:
        assert self.order is not None
        return Order.objects.get(pk=self.order.pk)

    def the_seller(self) -> User:
        assert self.seller is not None
        return User.objects.get(pk=self.seller.pk)

    def the_buyer(self) -> User:
        assert self.buyer is not None
        return User.objects.get(pk=self.buyer.pk)

    def drain(self) -> None:
        """Deliver everything the provider has sent, once, in order (for setups)."""
        while self.outbox:
            deliver(self.outbox.pop(0))


@dataclass(frozen=True)
class Step:
    name: str
    act: Callable[[World], None]
    needs: Callable[[World], bool] | None = None


@dataclass(frozen=True)
class Scenario:
    setup: Callable[[World], None]
    steps: tuple[Step, ...]
    expect: dict[str, Any]


def placed(world: World) -> None:
    world.seller = seller_jp()
    world.buyer = chinese_buyer()
    world.order = order_placed(buyer=world.buyer, listing=listing_jp(world.seller))


def seller_with_a_completed_sale(world: World) -> None:
    """A verified seller holding ¥6,256 available (¥6,800 less 8 %), all callbacks delivered."""
    placed(world)
    customer_pays("succeeded")(world)
    world.drain()
    order = world.the_order()
    assert order.status == OrderStatus.PAID
    mark_shipped(order)
    with TestCase.captureOnCommitCallbacks(execute=True):
        flow.order_complete(order_id=order.pk)
    world.drain()


def customer_pays(outcome: str) -> Callable[[World], None]:
    def act(world: World) -> None:
        payment = Payment.objects.get(order=world.the_order())
        with TestCase.captureOnCommitCallbacks(execute=True):
            sandbox_customer_pays(payment_id=payment.pk, outcome=outcome)

    return act


def seller_refunds(minor: int) -> Callable[[World], None]:
    def act(world: World) -> None:
        order = world.the_order()
        with TestCase.captureOnCommitCallbacks(execute=True):
            flow.order_refund(
                user=world.the_seller(), order_id=order.pk, amount=Money(minor, order.currency), reason="scratched"
            )

    return act


def cancels(who: str) -> Callable[[World], None]:
    def act(world: World) -> None:
        user = world.the_buyer() if who == "buyer" else world.the_seller()
        if world.the_order().status == OrderStatus.PENDING_PAYMENT:
            world.notes.append("cancelled before the capture arrived")
        with TestCase.captureOnCommitCallbacks(execute=True):
            flow.order_cancel(user=user, order_id=world.the_order().pk)

    return act


def pays_out(yen: int) -> Callable[[World], None]:
    def act(world: World) -> None:
        with TestCase.captureOnCommitCallbacks(execute=True):  # the payout job runs after commit
            payout_request(user=world.the_seller(), amount=Money(yen, "JPY"))

    return act


def order_paid(world: World) -> bool:
    return world.the_order().status == OrderStatus.PAID


SCENARIOS: dict[str, Scenario] = {
    "pay_succeeded": Scenario(
        setup=placed,
        steps=(Step("customer pays", customer_pays("succeeded")),),
        expect={"order": "paid", "payments": ["succeeded"], "refunds": [], "payouts": []},
    ),
    "pay_failed_then_succeeded": Scenario(
        setup=placed,
        steps=(
            Step("card declined", customer_pays("failed")),
            Step("customer pays", customer_pays("succeeded")),
        ),
        expect={"order": "paid", "payments": ["succeeded"], "refunds": [], "payouts": []},
    ),
    "pay_then_partial_refund_then_cancel": Scenario(
        setup=placed,
        steps=(
            Step("customer pays", customer_pays("succeeded")),
            Step("seller refunds 20.00", seller_refunds(2000), needs=order_paid),
            Step("seller cancels: the rest is refunded", cancels("seller"), needs=order_paid),
        ),
        expect={
            "order": "cancelled",
            "payments": ["succeeded"],
            "refunds": ["succeeded", "succeeded"],
            "payouts": [],
        },
    ),
    "paid_at_the_provider_then_cancelled": Scenario(
        setup=placed,
        steps=(
            Step("customer pays", customer_pays("succeeded")),
            Step("buyer cancels", cancels("buyer")),
        ),
        expect={"order": "cancelled", "payments": ["succeeded"], "refunds": ["succeeded"], "payouts": []},
    ),
    "payout_paid": Scenario(
        setup=seller_with_a_completed_sale,
        steps=(Step("seller withdraws ¥3,000", pays_out(3000)),),
        expect={"order": "completed", "payments": ["succeeded"], "refunds": [], "payouts": ["paid"]},
    ),
    "payout_failed": Scenario(
        setup=seller_with_a_completed_sale,
        steps=(Step("seller withdraws ¥1,013 (the sandbox bank refuses)", pays_out(1013)),),
        expect={"order": "completed", "payments": ["succeeded"], "refunds": [], "payouts": ["failed"]},
    ),
    "two_payouts_one_fails": Scenario(
        setup=seller_with_a_completed_sale,
        steps=(Step("withdraw ¥2,000", pays_out(2000)), Step("withdraw ¥1,013", pays_out(1013))),
        expect={"order": "completed", "payments": ["succeeded"], "refunds": [], "payouts": ["paid", "failed"]},
    ),
}


# --- running a scenario ----------------------------------------------------------------------


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def play(
    scenario: Scenario,
    outbox: list[Event],
    *,
    rnd: random.Random | None = None,
    newest_first: bool = False,
    copies: int = 1,
    eager: bool = True,
) -> tuple[dict[str, Any], list[str]]:
    """Run ``scenario`` from empty books and return its normalised final state.

    ``eager``: deliver every event right after the step that caused it (else they pile up and are
    delivered later). ``rnd``: deliver pending events in random order, and before each step
    either none of them (half the time: the provider is slow) or a random number; without it,
    first in first out, or last in first out with ``newest_first``. ``copies``: how often each
    event is sent (with the same event id, as a provider's redeliveries are).
    """
    with rolled_back():
        cache.clear()
        outbox.clear()
        world = World(outbox)
        scenario.setup(world)
        pool: list[Event] = []

        def collect() -> None:
            while outbox:
                pool.extend([outbox.pop(0)] * copies)

        def deliver_next() -> None:
            index = rnd.randrange(len(pool)) if rnd is not None else (-1 if newest_first else 0)
            deliver(pool.pop(index))
            collect()

        for step in scenario.steps:
            if rnd is not None and pool and rnd.random() < 0.5:
                for _ in range(rnd.randint(1, len(pool))):
                    deliver_next()
            while step.needs is not None and not step.needs(world):
                assert pool, f"{step.name}: its precondition can never be met"
                deliver_next()
            step.act(world)
            collect()
            if eager:
                while pool:
                    deliver_next()
        while pool:
            deliver_next()
        return snapshot(world), world.notes


_ID = re.compile(r"\b[a-z]{2,5}_[0-9A-HJKMNP-TV-Z]{26}\b")


def snapshot(world: World) -> dict[str, Any]:
    """The final state with ids replaced by scenario-local names (order1, refund2, seller…)."""
    assert world.buyer is not None and world.seller is not None
    names = {world.buyer.pk: "buyer", world.seller.pk: "seller"}
    for prefix, model in (
        ("order", Order),
        ("payment", Payment),
        ("refund", Refund),
        ("payout", Payout),
        ("listing", Listing),
    ):
        for index, pk in enumerate(model.objects.order_by("created_at", "pk").values_list("pk", flat=True), 1):
            names[pk] = f"{prefix}{index}"

    def local(text: str) -> str:
        return _ID.sub(lambda match: names.get(match.group(0), "unknown:" + match.group(0)), text)

    report = ledger_check()
    return {
        "orders": [
            (
                names[o.pk],
                o.status,
                o.captured_minor,
                o.refunded_minor,
                o.remitted_minor,
                o.released_minor,
                o.commission_minor,
                o.seller_proceeds_minor,
            )
            for o in Order.objects.order_by("created_at", "pk")
        ],
        "payments": [(names[p.pk], p.status) for p in Payment.objects.order_by("created_at", "pk")],
        "refunds": [
            (names[r.pk], r.status, r.amount_minor, r.currency) for r in Refund.objects.order_by("created_at", "pk")
        ],
        "payouts": [
            (names[p.pk], p.status, p.amount_minor, p.currency, p.failure_reason)
            for p in Payout.objects.order_by("created_at", "pk")
        ],
        "stock": [(names[li.pk], li.status, li.quantity) for li in Listing.objects.order_by("created_at", "pk")],
        "accounts": sorted(
            (a.owner_type, local(a.owner_id), a.purpose, a.currency, a.balance_minor)
            for a in LedgerAccount.objects.all()
        ),
        "entries": sorted((e.kind, local(e.key)) for e in JournalEntry.objects.all()),
        "check": {
            "balanced": report.balanced,
            "escrow_matches_orders": report.escrow_matches_orders,
            "payouts_match": report.payouts_match,
            "problems": report.problems,
        },
    }


def summary(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "order": state["orders"][0][1],
        "payments": [status for _name, status in state["payments"]],
        "refunds": [row[1] for row in state["refunds"]],
        "payouts": [row[1] for row in state["payouts"]],
    }


CONSISTENT = {"balanced": True, "escrow_matches_orders": True, "payouts_match": True, "problems": []}
_references: dict[str, dict[str, Any]] = {}


def reference(name: str, outbox: list[Event]) -> dict[str, Any]:
    """One in-order delivery of ``name`` (computed once per test process)."""
    if name not in _references:
        _references[name], _notes = play(SCENARIOS[name], outbox)
    return _references[name]


# --- tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_one_in_order_delivery_reaches_the_expected_state(outbox, name):
    state, _notes = play(SCENARIOS[name], outbox)
    assert summary(state) == SCENARIOS[name].expect
    assert state["check"] == CONSISTENT
    assert not any("unknown:" in str(row) for row in state["accounts"] + state["entries"])
    order = state["orders"][0]
    if order[1] == "cancelled":
        _name, _status, captured, refunded, remitted, released, *_ = order
        assert captured == refunded and remitted == released == 0
        assert state["stock"] == [("listing1", "active", 1)]  # the reserved item is back on sale


def test_the_reference_money_is_what_the_seller_and_buyer_expect(outbox):
    paid = reference("payout_paid", outbox)
    assert ("user", "seller", "available", "JPY", 6256 - 3000) in paid["accounts"]
    assert ("platform", "platform", "payouts_in_flight", "JPY", 0) in paid["accounts"]
    failed = reference("payout_failed", outbox)
    assert ("user", "seller", "available", "JPY", 6256) in failed["accounts"]
    refunded = reference("pay_then_partial_refund_then_cancel", outbox)
    escrow = [row for row in refunded["accounts"] if row[2] == "escrow"]
    assert escrow == [("order", "order1", "escrow", "CNY", 0)]
    assert [row[2] for row in refunded["refunds"]] == [2000, refunded["orders"][0][2] - 2000]


@pytest.mark.parametrize("name", SCENARIOS)
def test_late_delivery_after_all_steps_matches_in_order_delivery(outbox, name):
    """Each event once, first in first out, but only when a step needs it or at the end: for
    the cancellation scenario this is the buyer cancelling before the capture's callback."""
    state, notes = play(SCENARIOS[name], outbox, eager=False)
    assert state == reference(name, outbox)
    if name == "paid_at_the_provider_then_cancelled":
        assert notes == ["cancelled before the capture arrived"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_five_deliveries_newest_first_match_in_order_delivery(outbox, name):
    """Every event five times, the most recent first: failures after successes, the refunds'
    confirmations before the capture's duplicates, the last payout's result before the first's."""
    state, _notes = play(SCENARIOS[name], outbox, newest_first=True, copies=COPIES, eager=False)
    assert state == reference(name, outbox)


@pytest.mark.parametrize("name", SCENARIOS)
@hypothesis_settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rnd=st.randoms(use_true_random=False))
def test_five_shuffled_deliveries_of_every_event_end_as_one_in_order_delivery(outbox, name, rnd):
    expected = reference(name, outbox)
    state, _notes = play(SCENARIOS[name], outbox, rnd=rnd, copies=COPIES, eager=False)
    assert state == expected

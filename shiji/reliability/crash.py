"""The crash harness (issue 8, docs/reliability.md "Crash safety").

One run = one crash point × one seed. The process that reaches the point (``processes.role_of``)
is started with ``SHIJI_CRASH_AT=<point>@<n>``; a seeded client then trades over HTTP the way
people do — buyers quote and order (each order POST with its own Idempotency-Key), pay or fail
or walk away at the sandbox's checkout, the seller ships, buyers confirm or cancel, the seller
asks for a payout — while the worker delivers the provider's callbacks to the server over HTTP.
Somewhere in that the armed process kills itself with SIGKILL. Then, as in production:

1. the dead process is started again, without the crash point, on the same port;
2. the client retries what failed (the same Idempotency-Key for orders and payouts; a 409 on a
   retry is fine when what was asked for is done) and the provider re-sends its callbacks
   (the job queue retries a delivery our webhook did not answer). A callback lost for good —
   the sandbox's outgoing callback lives in our process between its commit and its queueing —
   leaves a paid order pending until the recovery job books it: the run then runs it, as the
   periodic job would, and the buyer waits for it;
3. the payment window of the orders nobody paid passes (their ``expires_at`` is moved back)
   and the recovery job runs (``run_recovery``: the job's code in the harness's process, or
   ``shiji recover`` as a process of its own);
4. once the queue is empty, the invariants are checked (``check_run``).

A run fails when the armed point is never reached, when a process dies any other way, or when
an invariant does not hold; its problems name the point, the seed and the logs.
"""

from __future__ import annotations

import http.client
import random
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from shiji.catalog.models import Listing
from shiji.catalog.states import ListingStatus
from shiji.core import crashpoints
from shiji.ledger.check import ledger_check
from shiji.ledger.models import JournalEntry
from shiji.ledger.selectors import user_balances
from shiji.orders.models import Order
from shiji.orders.states import OrderStatus
from shiji.payments.fees import payout_minimum
from shiji.payments.models import (
    Payment,
    PaymentStatus,
    Payout,
    PayoutStatus,
    Refund,
    RefundStatus,
    SandboxOperation,
)
from shiji.reliability.processes import (
    Cluster,
    HarnessError,
    queue_for,
    queue_idle,
    request,
    role_of,
    wait_for,
    wait_quiet,
)

SETTLE_TIMEOUT = 60.0
# How long the provider keeps re-sending a callback in the harness: 8 attempts 1 s apart
# (SHIJI_SANDBOX_CALLBACK_RETRY_SECONDS=1), plus a restart of the server.
CALLBACK_WINDOW = 15.0
SHIP_TO = {
    "name": "王小明",
    "line1": "浦东新区世纪大道100号",
    "city": "上海",
    "postal_code": "200120",
    "country": "CN",
    "phone": "+86 138 0000 0000",
}


@dataclass(frozen=True)
class Buyer:
    id: str
    token: str
    ip: str  # the address the buyer's requests come from (a loopback address of their own)


@dataclass(frozen=True)
class World:
    """Who and what one run trades, made fresh for it by the caller: a verified seller with a
    payout account, buyers each on their own address (the risk rules count failed payments per
    address), and listings with their stock at the start."""

    seller_id: str
    seller_token: str
    buyers: list[Buyer]
    listings: dict[str, int]  # listing id → stock at the start


@dataclass
class Plan:
    """What the client will do, drawn from the seed before anything happens."""

    orders: list[tuple[int, str, int]]  # (buyer index, listing id, quantity)
    outcomes: list[str]  # per order: "succeeded", "failed" (declined) or "abandon" (never pays)
    after_paid: list[str]  # per order: "complete", "cancel" or "keep" (left paid)
    payout_share: Decimal
    together: bool  # the buyers order (and later confirm or cancel) at the same moment
    crash_at: str  # "<point>@<n>"

    def expected_status(self, index: int) -> str:
        if self.outcomes[index] != "succeeded":
            return OrderStatus.CANCELLED  # expired once its payment window passed
        return {"complete": OrderStatus.COMPLETED, "cancel": OrderStatus.CANCELLED, "keep": OrderStatus.PAID}[
            self.after_paid[index]
        ]


def plan_for(point: str, seed: int, world: World) -> Plan:
    """Draw the run. The crash count n is drawn among the hits the plan is sure to make."""
    rng = random.Random(f"{point}:{seed}")  # noqa: S311  (a reproducible draw, not a secret)  # nosec B311
    listing_ids = sorted(world.listings)
    orders = [(i, rng.choice(listing_ids), rng.randint(1, 2)) for i in range(len(world.buyers))]
    outcomes = [rng.choices(["succeeded", "failed", "abandon"], weights=[6, 2, 2])[0] for _ in orders]
    after_paid = [rng.choices(["complete", "cancel", "keep"], weights=[6, 2, 2])[0] for _ in orders]
    outcomes[0], after_paid[0] = "succeeded", "complete"  # there is always a sale to release and pay out
    family = point.split(".", 1)[0]
    hits = {
        "checkout": len(orders),
        "callback": sum(1 for outcome in outcomes if outcome != "abandon"),
        "release": sum(1 for o, a in zip(outcomes, after_paid, strict=True) if (o, a) == ("succeeded", "complete")),
        "payout": 1,
    }[family]
    return Plan(
        orders=orders,
        outcomes=outcomes,
        after_paid=after_paid,
        payout_share=Decimal(rng.randint(20, 100)) / 100,
        together=rng.random() < 0.5,
        crash_at=f"{point}@{rng.randint(1, hits)}",
    )


@dataclass
class Journal:
    """What the client saw and did."""

    started: datetime = field(default_factory=timezone.now)
    orders: list[str] = field(default_factory=list)  # index = plan index
    payouts: list[str] = field(default_factory=list)
    retries: int = 0
    recovered_early: dict[str, int] = field(default_factory=dict)  # a recovery run while driving


@dataclass
class RunResult:
    point: str
    seed: int
    crash_at: str
    problems: list[str]
    seconds: float
    retries: int
    recovery: dict[str, int]
    orphan_intents: int
    start_seconds: list[float]
    phases: dict[str, float]


# --- the client --------------------------------------------------------------------------------


class Client:
    """The buyers' and the seller's apps: JSON over HTTP with bearer tokens. A request the dying
    server never answered is sent again once the server is back — with the same
    Idempotency-Key when it has one; a 409 to a retry is taken as "already done" when
    ``done()`` confirms it."""

    def __init__(self, cluster: Cluster, journal: Journal) -> None:
        self.cluster = cluster
        self.journal = journal

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str,
        ip: str | None = None,
        body: Any = None,
        key: str | None = None,
        ok: tuple[int, ...] = (200, 201),
        done: Callable[[], bool] | None = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        retried = False
        for _attempt in range(4):
            self.cluster.check()
            server = self.cluster.processes["server"]
            try:
                status, payload = request(
                    self.cluster.port, method, "/api/v1" + path, body=body, headers=headers, source=ip
                )
            except (OSError, http.client.HTTPException):
                self.cluster.server_died(server)
                self.journal.retries += 1
                retried = True
                continue
            if status in ok:
                return payload
            if retried and status == 409 and done is not None and done():
                return None
            raise HarnessError(f"{method} {path} answered {status}: {payload}")
        raise HarnessError(f"{method} {path} failed four times")


# --- the run -----------------------------------------------------------------------------------


def _order_status(order_id: str) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order_id)


def _payment_of(order_id: str) -> Payment:
    return Payment.objects.get(order_id=order_id)


def _customer_has_paid(payment_id: str) -> bool:
    """The sandbox's checkout took the customer's answer (paid or declined)."""
    return SandboxOperation.objects.filter(target_id=payment_id).exclude(status="created").exists()


def _each(together: bool, indexes: list[int], step: Callable[[int], Any]) -> list[Any]:
    """``step`` for every index: one after the other, or all at once from threads (several
    requests in flight when the server dies)."""
    if not together:
        return [step(index) for index in indexes]

    def in_thread(index: int) -> Any:
        try:
            return step(index)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=max(len(indexes), 1)) as pool:
        return list(pool.map(in_thread, indexes))


def drive(
    client: Client, world: World, plan: Plan, journal: Journal, seed: int, recover: Callable[[], dict[str, int]]
) -> None:
    """Everything the people in the run do, in order. ``recover`` runs the recovery job."""
    tick = client.cluster.check

    def place(index: int) -> str:
        buyer_index, listing_id, quantity = plan.orders[index]
        buyer = world.buyers[buyer_index]
        quote = client.call(
            "POST",
            "/quotes",
            token=buyer.token,
            ip=buyer.ip,
            body={"listing": listing_id, "quantity": quantity, "ship_to": SHIP_TO},
        )
        order = client.call(
            "POST",
            "/orders",
            token=buyer.token,
            ip=buyer.ip,
            body={"quote": quote["id"]},
            key=f"order-{seed}-{index}",
        )
        return str(order["id"])

    journal.orders.extend(_each(plan.together, list(range(len(plan.orders))), place))

    for index, outcome in enumerate(plan.outcomes):
        if outcome == "abandon":
            continue
        order_id = journal.orders[index]
        payment_id = _payment_of(order_id).pk
        buyer = world.buyers[plan.orders[index][0]]
        client.call(
            "POST",
            f"/payments/sandbox/{payment_id}/complete",
            token=buyer.token,
            ip=buyer.ip,
            body={"outcome": outcome},
            done=partial(_customer_has_paid, payment_id),
        )
    paid = [journal.orders[i] for i, outcome in enumerate(plan.outcomes) if outcome == "succeeded"]

    def all_paid() -> bool:
        return all(_order_status(order_id) == OrderStatus.PAID for order_id in paid)

    try:
        wait_for(all_paid, timeout=CALLBACK_WINDOW, what="the payment callbacks", tick=tick)
    except HarnessError:
        # The provider stopped re-sending, or never sent: the sandbox's outgoing callback lives
        # in our process between its commit and its queueing, and dies with it there. The
        # periodic recovery job books such a capture; the buyer waits for it.
        journal.recovered_early = recover()
        wait_for(all_paid, timeout=SETTLE_TIMEOUT, what="the payments booked by recovery", tick=tick)

    def close(index: int) -> None:
        order_id = journal.orders[index]
        buyer = world.buyers[plan.orders[index][0]]
        if plan.after_paid[index] == "cancel":
            client.call(
                "POST",
                f"/orders/{order_id}/cancel",
                token=buyer.token,
                ip=buyer.ip,
                body={"reason": "changed my mind"},
                done=lambda: _order_status(order_id) == OrderStatus.CANCELLED,
            )
            return
        client.call(
            "POST",
            f"/orders/{order_id}/ship",
            token=world.seller_token,
            body={},
            done=lambda: _order_status(order_id) != OrderStatus.PAID,
        )
        client.call(
            "POST",
            f"/orders/{order_id}/confirm",
            token=buyer.token,
            ip=buyer.ip,
            done=lambda: _order_status(order_id) == OrderStatus.COMPLETED,
        )

    closing = [
        index for index, then in enumerate(plan.after_paid) if plan.outcomes[index] == "succeeded" and then != "keep"
    ]
    _each(plan.together, closing, close)

    balances = client.call("GET", "/me/balances", token=world.seller_token)
    currency, available = balances[0]["currency"], Decimal(balances[0]["available"])
    amount = max(payout_minimum(currency).amount, (available * plan.payout_share).to_integral_value())
    if amount > available:
        raise HarnessError(f"the seller has {available} {currency} available, not enough for a payout")
    payout = client.call(
        "POST",
        "/me/payouts",
        token=world.seller_token,
        body={"amount": {"amount": str(amount), "currency": currency}},
        key=f"payout-{seed}",
    )
    journal.payouts.append(payout["id"])


def settled(journal: Journal, world: World) -> bool:
    """Nothing of the run is waiting for a provider, a job or a callback any more."""
    orders = Order.objects.filter(pk__in=journal.orders)
    return not (
        orders.filter(status=OrderStatus.PENDING_PAYMENT).exists()
        or Refund.objects.filter(order__in=orders, status=RefundStatus.PENDING).exists()
        or Payout.objects.filter(
            user_id=world.seller_id, status__in=[PayoutStatus.REQUESTED, PayoutStatus.PROCESSING]
        ).exists()
    )


def run_recovery(cluster: Cluster, *, via: str) -> dict[str, int]:
    """Run the recovery job with no grace. ``via="cli"``: ``shiji recover --grace 0`` as a process
    of its own, as an operator would (a Django start, about a second). ``via="job"``: the job's
    code in this process (faster; what the worker's periodic job runs), with the provider's
    callbacks it causes delivered over HTTP to the server as usual."""
    if via == "job":
        from django.test import override_settings

        from shiji.payments.recovery import recover

        with override_settings(SHIJI_SANDBOX_CALLBACK_URL=f"http://127.0.0.1:{cluster.port}"):
            return recover(grace=timedelta(0)).as_dict()
    env = {k: v for k, v in cluster.env.items() if k != crashpoints.ENV_VAR}
    done = subprocess.run(  # nosec B603  # our own interpreter and command
        [sys.executable, "-m", "shiji.cli", "recover", "--grace", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise HarnessError(f"shiji recover exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    report: dict[str, int] = {}
    for line in done.stdout.splitlines():
        name, _sep, count = line.partition(": ")
        if count.isdigit():
            report[name] = int(count)
    return report


def run_once(cluster: Cluster, point: str, seed: int, world: World, *, recover_via: str = "job") -> RunResult:
    """One crash run; returns its problems (empty: every invariant held)."""
    began = time.monotonic()
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        phases[name] = time.monotonic() - began - sum(phases.values())

    plan = plan_for(point, seed, world)
    journal = Journal()
    queue = queue_for(cluster.env)
    for role, process in list(cluster.processes.items()):
        if process.crash_at:  # left armed by a run that failed
            cluster.stop(role)
            cluster.start(role)
    role = role_of(point)
    crashes_before = len(cluster.crashes)
    starts_before = len(cluster.start_times)
    cluster.arm(plan.crash_at, role)
    lap("arm")
    client = Client(cluster, journal)

    drive(client, world, plan, journal, seed, recover=lambda: run_recovery(cluster, via=recover_via))
    lap("drive")
    wait_for(
        lambda: len(cluster.crashes) > crashes_before,
        timeout=SETTLE_TIMEOUT,
        what=f"the crash at {plan.crash_at} (seed {seed}): the point was never reached",
        tick=cluster.check,
    )
    wait_quiet(cluster, queue, timeout=SETTLE_TIMEOUT, what="the jobs of the run")
    lap("idle")
    crashes = cluster.crashes[crashes_before:]
    if [crash.point for crash in crashes] != [point]:
        raise HarnessError(f"{plan.crash_at} (seed {seed}): expected one crash there, saw {crashes}")
    # Nobody pays the unpaid orders: their payment window passes.
    Order.objects.filter(pk__in=journal.orders, status=OrderStatus.PENDING_PAYMENT).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    recovery = run_recovery(cluster, via=recover_via)
    lap("recover")
    try:
        wait_for(
            lambda: settled(journal, world) and queue_idle(queue) and cluster.worker_idle(),
            timeout=SETTLE_TIMEOUT,
            what="the run to settle after recovery",
            tick=cluster.check,
        )
        settled_in_time = True
    except HarnessError:
        settled_in_time = False  # reported with what the invariants find stuck
    lap("settle")
    problems = check_run(world, plan, journal)
    if not settled_in_time:
        problems.insert(0, f"the run did not settle within {SETTLE_TIMEOUT:.0f} s after recovery")
    payments = Payment.objects.values_list("pk", flat=True)
    orphans = (
        SandboxOperation.objects.filter(kind="payment", created_at__gte=journal.started)
        .exclude(target_id__in=payments)
        .count()
    )
    return RunResult(
        point=point,
        seed=seed,
        crash_at=plan.crash_at,
        problems=problems,
        seconds=time.monotonic() - began,
        retries=journal.retries,
        recovery={name: count + journal.recovered_early.get(name, 0) for name, count in recovery.items()},
        orphan_intents=orphans,
        start_seconds=cluster.start_times[starts_before:],
        phases=phases,
    )


# --- the invariants ----------------------------------------------------------------------------


def _holds_stock(order: Order) -> bool:
    """Cancelled orders gave their stock back, as did orders refunded before shipping."""
    if order.status == OrderStatus.CANCELLED:
        return False
    return not (order.status == OrderStatus.REFUNDED and order.shipped_at is None)


def check_run(world: World, plan: Plan, journal: Journal) -> list[str]:
    """Every invariant a crash must not break; the list of what does not hold."""
    problems: list[str] = []
    report = ledger_check()
    if not (report.balanced and report.escrow_matches_orders and report.payouts_match):
        problems += [f"ledger check: {problem}" for problem in report.problems]

    buyer_ids = [buyer.id for buyer in world.buyers]
    orders = {order.pk: order for order in Order.objects.filter(buyer_id__in=buyer_ids)}
    if sorted(orders) != sorted(journal.orders):
        problems.append(f"orders in the database {sorted(orders)} are not the ones the buyers were told of")
    problems += _check_orders(plan, journal, orders)
    problems += _check_provider_agrees(journal, orders)
    problems += _check_stock(world, orders)
    problems += _check_seller_money(world)
    return problems


def _check_orders(plan: Plan, journal: Journal, orders: dict[str, Order]) -> list[str]:
    problems = []
    for index, order_id in enumerate(journal.orders):
        order = orders.get(order_id)
        if order is None:
            continue
        expected = plan.expected_status(index)
        if order.status != expected:
            problems.append(f"order {order_id} is {order.status}, expected {expected}")
        captures = JournalEntry.objects.filter(kind="payment.capture", order_id=order_id).count()
        succeeded = Payment.objects.filter(order_id=order_id, status=PaymentStatus.SUCCEEDED).count()
        if captures > 1 or succeeded > 1:
            problems.append(f"order {order_id} paid twice: {captures} captures, {succeeded} succeeded payments")
        if order.captured_minor not in (0, order.total_minor):
            problems.append(f"order {order_id} captured {order.captured_minor} of {order.total_minor}")
        if order.status == OrderStatus.CANCELLED and order.escrow_expected_minor != 0:
            problems.append(f"cancelled order {order_id} still holds {order.escrow_expected_minor}")
    return problems


def _check_provider_agrees(journal: Journal, orders: dict[str, Order]) -> list[str]:
    """The provider is the source of truth for money moved: every capture, refund and payout it
    made is booked by us, once, and we believe in none it did not make."""
    problems = []
    payments = {payment.pk: payment for payment in Payment.objects.filter(order_id__in=list(orders))}
    ops = SandboxOperation.objects.filter(created_at__gte=journal.started)
    for op in ops.filter(kind="payment"):
        payment = payments.get(op.target_id)
        captured = op.status == "succeeded"
        if payment is None:
            if captured:
                problems.append(f"the provider captured {op.target_id}, a payment we have no record of")
            continue  # an intent opened for an order whose transaction died: never payable
        booked = JournalEntry.objects.filter(key=f"capture:{payment.pk}").exists()
        if captured != (payment.status == PaymentStatus.SUCCEEDED) or captured != booked:
            problems.append(
                f"payment {payment.pk}: provider {op.status}, ours {payment.status}, capture booked: {booked}"
            )
    for payment in payments.values():
        if payment.status == PaymentStatus.SUCCEEDED and not ops.filter(target_id=payment.pk, status="succeeded"):
            problems.append(f"payment {payment.pk} is succeeded in our books but the provider never captured it")
    refunds = Refund.objects.filter(order_id__in=list(orders))
    for refund in refunds:
        refund_op = ops.filter(target_id=refund.pk).first()
        if refund_op is None or refund_op.status != "succeeded" or refund.status != RefundStatus.SUCCEEDED:
            problems.append(f"refund {refund.pk}: ours {refund.status}, provider {refund_op}")
    for payout_id in journal.payouts:
        payout = Payout.objects.filter(pk=payout_id).first()
        payout_op = ops.filter(target_id=payout_id).first()
        if payout is None or payout_op is None:
            problems.append(f"payout {payout_id}: ours {payout}, provider {payout_op}")
            continue
        expected = PayoutStatus.PAID if payout_op.status == "succeeded" else PayoutStatus.FAILED
        if payout.status != expected:
            problems.append(f"payout {payout_id} is {payout.status}; the provider says {payout_op.status}")
    return problems


def _check_stock(world: World, orders: dict[str, Order]) -> list[str]:
    problems = []
    for listing_id, initial in world.listings.items():
        listing = Listing.objects.get(pk=listing_id)
        held = sum(o.quantity for o in orders.values() if o.listing_id == listing_id and _holds_stock(o))
        if listing.quantity + held != initial:
            problems.append(f"listing {listing_id}: {listing.quantity} in stock + {held} held by orders != {initial}")
        if (listing.quantity == 0) != (listing.status == ListingStatus.SOLD_OUT):
            problems.append(f"listing {listing_id} is {listing.status} with {listing.quantity} in stock")
    return problems


def _total(rows: Any, column: str) -> int:
    return int(rows.aggregate(total=Sum(column))["total"] or 0)


def _check_seller_money(world: World) -> list[str]:
    """What the seller was released, less what left as paid payouts, is their balance — never
    negative, nothing lost or paid out twice."""
    problems = []
    released = _total(
        Order.objects.filter(seller_id=world.seller_id, status=OrderStatus.COMPLETED), "seller_proceeds_minor"
    )
    paid_out = _total(Payout.objects.filter(user_id=world.seller_id, status=PayoutStatus.PAID), "amount_minor")
    balances = user_balances(world.seller_id)
    held = sum(row.available.minor + row.pending.minor for row in balances)
    problems += [
        f"the seller's balance is negative: {row}" for row in balances if min(row.available, row.pending).minor < 0
    ]
    if released - paid_out != held:
        problems.append(f"the seller was released {released}, paid out {paid_out}, but holds {held}")
    return problems

"""Properties of the money arithmetic and of the whole money flow.

1. Largest-remainder allocation in every configured currency: the parts add up exactly.
2. The release split of a completed order: nothing is created or lost, in any currency.
3. A state machine over the real services on the database (orders placed and paid, refunded in
   part or in full, cancelled, shipped and completed, payouts paid or failed, callbacks late and
   twice): after every step the ledger check passes and money is conserved.

``SHIJI_LEDGER_SEQUENCES`` sets how many sequences the state machine runs (default 1,000). On a
failure Hypothesis prints the steps and a ``@reproduce_failure(...)`` line: put that decorator on
the ``MoneyFlow`` class to replay exactly that sequence.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, cast

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Sum
from django.test import TestCase
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.models import Listing
from shiji.catalog.tests.factories import demo_rates, published
from shiji.core.allocation import allocate
from shiji.core.errors import InvalidState
from shiji.core.money import Money, currency_digits
from shiji.ledger.check import ledger_check
from shiji.ledger.errors import InsufficientFunds
from shiji.ledger.models import NON_NEGATIVE_PURPOSES, LedgerAccount, OwnerType, Posting, Purpose
from shiji.ledger.selectors import balance
from shiji.ledger.services import user_account
from shiji.orders import flow, services
from shiji.orders.models import Order
from shiji.orders.states import ESCROW_STATUSES, OrderStatus
from shiji.orders.tests.factories import SHIP_TO_CN, mark_shipped
from shiji.payments.errors import BelowMinimum, RefundTooLarge
from shiji.payments.escrow import release_legs, release_split
from shiji.payments.fees import commission, payout_minimum, percent_of
from shiji.payments.models import (
    Payment,
    PaymentStatus,
    Payout,
    PayoutStatus,
    Refund,
    RefundStatus,
    SandboxOperation,
)
from shiji.payments.payouts import held_funds_release, payout_request
from shiji.payments.providers.sandbox import sandbox_customer_pays
from shiji.payments.tests.provider import provider_rejects_refund
from shiji.risk.models import RiskEvent

CURRENCIES = list(django_settings.SHIJI_CURRENCIES)
STRAY = st.sampled_from([False, False, False, True])  # now and then, act on an order in any state
PROVIDER_REFUSES = st.sampled_from([False, False, False, False, False, True])  # a refund bounces
SEQUENCES = int(os.environ.get("SHIJI_LEDGER_SEQUENCES", "1000"))

# --- 1. allocation -----------------------------------------------------------------------------

WEIGHTS = st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=12).filter(lambda w: sum(w) > 0)


def amount_in(currency: str, *, max_major: int = 10**9) -> st.SearchStrategy[Money]:
    """A non-negative amount written with exactly the currency's minor digits."""
    digits = currency_digits(currency)
    return st.integers(min_value=0, max_value=max_major * 10**digits).map(
        lambda minor: Money.from_decimal(Decimal(minor).scaleb(-digits), currency)
    )


@pytest.mark.parametrize("currency", CURRENCIES)
@settings(max_examples=150, deadline=None)
@given(data=st.data(), weights=WEIGHTS)
def test_allocation_adds_up_in_every_currency(currency, data, weights):
    total = data.draw(amount_in(currency), label="total")
    parts = total.allocate(weights)

    assert [part.minor for part in parts] == allocate(total.minor, weights)
    assert all(part.currency == currency for part in parts)
    assert sum(part.minor for part in parts) == total.minor
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Fraction(total.minor * weight, weight_sum)
        assert abs(part.minor - exact) < 1, (part, exact)
        assert part.minor >= 0
        if weight == 0:
            assert part.minor == 0


@pytest.mark.parametrize("currency", CURRENCIES)
@settings(max_examples=50, deadline=None)
@given(minor=st.integers(min_value=-(10**15), max_value=-1), weights=WEIGHTS)
def test_allocating_a_negative_amount_mirrors_the_positive_one(currency, minor, weights):
    parts = Money(minor, currency).allocate(weights)
    assert sum(part.minor for part in parts) == minor
    assert [-part.minor for part in parts] == [part.minor for part in Money(-minor, currency).allocate(weights)]
    assert all(part.minor <= 0 for part in parts)


# --- 2. release split ------------------------------------------------------------------------


@dataclass(frozen=True)
class Lines:
    remaining: Money
    item: Money
    item_mid: Money
    item_seller: Money
    shipping: Money
    duties: Money
    buyer_fee: Money

    @property
    def total(self) -> Money:
        return self.item + self.shipping + self.duties + self.buyer_fee


@st.composite
def order_lines(draw: Callable[..., Any], *, same_currency: bool = False) -> Lines:
    buyer_currency = draw(st.sampled_from(CURRENCIES), label="buyer currency")
    if same_currency:
        seller_currency = buyer_currency
    else:
        seller_currency = draw(st.sampled_from([c for c in CURRENCIES if c != buyer_currency]), label="seller")
    big = 10**12
    item = draw(st.integers(min_value=1, max_value=big), label="item")
    if same_currency:
        item_mid, item_seller = item, item
    else:
        item_mid = draw(st.integers(min_value=0, max_value=item), label="item_mid")
        item_seller = draw(st.integers(min_value=1, max_value=big), label="item_seller")
    shipping, duties, fee = (
        draw(st.one_of(st.just(0), st.integers(min_value=0, max_value=big)), label=name)
        for name in ("shipping", "duties", "buyer_fee")
    )
    total = item + shipping + duties + fee
    remaining = draw(st.one_of(st.just(total), st.integers(min_value=0, max_value=total)), label="remaining")
    return Lines(
        remaining=Money(remaining, buyer_currency),
        item=Money(item, buyer_currency),
        item_mid=Money(item_mid, buyer_currency),
        item_seller=Money(item_seller, seller_currency),
        shipping=Money(shipping, buyer_currency),
        duties=Money(duties, buyer_currency),
        buyer_fee=Money(fee, buyer_currency),
    )


COMMISSION_PERCENT = st.decimals(min_value=0, max_value=50, places=2)


def commission_at(percent: Decimal) -> Callable[[Money], Money]:
    return lambda gross: min(percent_of(gross, percent), gross)


def split_of(lines: Lines, commission_for: Callable[[Money], Money]) -> Any:
    return release_split(
        remaining=lines.remaining,
        item=lines.item,
        item_mid=lines.item_mid,
        item_seller=lines.item_seller,
        shipping=lines.shipping,
        duties=lines.duties,
        buyer_fee=lines.buyer_fee,
        commission_for=commission_for,
    )


def sums_by_currency(legs: list[Any]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for _ref, money in legs:
        totals[money.currency] += money.minor
    return dict(totals)


@settings(max_examples=500, deadline=None)
@given(lines=order_lines(), percent=st.one_of(st.none(), COMMISSION_PERCENT))
def test_release_split_conserves_money(lines, percent):
    commission_for = commission if percent is None else commission_at(percent)
    split = split_of(lines, commission_for)
    buyer, seller = lines.item.currency, lines.item_seller.currency

    # Buyer-currency parts add up to what is left in escrow; none is negative or above its line.
    assert split.item + split.shipping + split.duties + split.buyer_fee == lines.remaining
    for part, line in (
        (split.item, lines.item),
        (split.shipping, lines.shipping),
        (split.duties, lines.duties),
        (split.buyer_fee, lines.buyer_fee),
    ):
        assert part.currency == buyer
        assert 0 <= part.minor <= line.minor
    # The item's share is the mid-rate value plus the FX margin.
    assert split.item == split.item_mid + split.fx_margin
    assert split.fx_margin.minor >= 0 and split.item_mid.minor >= 0
    # The seller's side: net plus commission is the gross, never more than the price.
    assert split.seller_gross.currency == split.commission.currency == split.seller_net.currency == seller
    assert split.seller_net + split.commission == split.seller_gross
    assert 0 <= split.seller_gross.minor <= lines.item_seller.minor
    assert split.seller_net.minor >= 0 and split.commission.minor >= 0
    # The seller's share is in proportion to the item's share of the buyer's money.
    exact_gross = Fraction(lines.item_seller.minor * split.item.minor, lines.item.minor)
    assert abs(split.seller_gross.minor - exact_gross) < 1
    if lines.remaining == lines.total:
        assert split.item == lines.item and split.buyer_fee == lines.buyer_fee
        assert split.seller_gross == lines.item_seller  # a full release pays the whole price

    legs = release_legs(order_id="ord_prop", seller_id="usr_prop", split=split, seller_purpose=Purpose.AVAILABLE)
    assert sums_by_currency(legs) == {buyer: 0, seller: 0}


@settings(max_examples=200, deadline=None)
@given(lines=order_lines(same_currency=True), percent=st.one_of(st.none(), COMMISSION_PERCENT))
def test_same_currency_release_passes_the_item_through(lines, percent):
    split = split_of(lines, commission if percent is None else commission_at(percent))
    assert split.fx_margin.is_zero()
    assert split.item_mid == split.seller_gross == split.item
    legs = release_legs(order_id="ord_prop", seller_id="usr_prop", split=split, seller_purpose=Purpose.PENDING)
    assert sums_by_currency(legs) == {lines.item.currency: 0}
    assert not any(ref.purpose == Purpose.FX and not money.is_zero() for ref, money in legs)


# --- 3. the money flow as a state machine over the real services -------------------------------


@dataclass
class World:
    """Users, listings and rates made once per test; every sequence runs in a savepoint that is
    rolled back afterwards, so each starts from this same state."""

    buyers: list[User]
    sellers: list[User]  # verified: releases go to "available", payouts allowed
    held_seller: User  # not verified: releases go to "pending"
    listings: list[Listing]


def user(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))


def world_create() -> World:
    demo_rates()
    verified_jp = user(verification_level=1)
    verified_eu = user(verification_level=1, country="DE", currency="EUR", language="en")
    held = user(verification_level=0)
    listings = [
        published(verified_jp, quantity=5000),
        published(verified_jp, quantity=5000, price={"amount": "1013", "currency": "JPY"}),
        published(verified_eu, quantity=5000, price={"amount": "42.35", "currency": "EUR"}),
        published(held, quantity=40, price={"amount": "500", "currency": "JPY"}),
    ]
    buyers = [
        chinese_buyer(),
        user(),  # JPY: buys yen listings without conversion
        user(country="KR", currency="KRW", language="en"),
        user(country="FR", currency="EUR", language="en"),
    ]
    return World(buyers=buyers, sellers=[verified_jp, verified_eu], held_seller=held, listings=listings)


def accounts_snapshot() -> dict[str, int]:
    return dict(LedgerAccount.objects.values_list("id", "balance_minor"))


def provider_reports_refund_failed(refund: Refund) -> None:
    """The provider's signed ``refund.failed`` callback (its bank rejected the refund)."""
    assert provider_rejects_refund(refund) == "applied"
    assert RiskEvent.objects.filter(kind="refund_failed", subject_id=refund.pk).exists()  # staff are told


class MoneyFlow(RuleBasedStateMachine):
    world: ClassVar[World]

    def __init__(self) -> None:
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.delayed: list[Callable[[], Any]] = []  # payment callbacks the provider has not sent yet
        self.verifications = 0
        self.steps = 0
        self.orders: list[str] = []
        self._statuses: dict[str, str] | None = None  # orders' states, read once per step
        self.earners: list[int] = []  # indexes of verified sellers who were paid for a sale
        self.held_pending = False  # the unverified seller has money waiting in "pending"

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # --- rules -------------------------------------------------------------------------------

    @rule(
        buyer=st.integers(min_value=0, max_value=3),
        listing=st.integers(min_value=0, max_value=3),
        # At most 2 pieces: 3 of the dearer items would pass the 1,000 CNY limit of a postal
        # parcel to China (CUSTOMS.md), which the quote rightly refuses.
        quantity=st.integers(min_value=1, max_value=2),
        payment=st.sampled_from(["succeeded", "succeeded", "failed", "late", "unpaid"]),
    )
    def place(self, buyer: int, listing: int, quantity: int, payment: str) -> None:
        self._step()
        buyer_user = self.world.buyers[buyer]
        quote = services.quote_create(
            buyer=buyer_user, listing_id=self.world.listings[listing].pk, quantity=quantity, ship_to=SHIP_TO_CN
        )
        order = services.order_create(buyer=buyer_user, quote_id=quote.pk)
        self.orders.append(order.pk)
        if payment != "unpaid":
            self._customer_pays(order, payment)

    def _customer_pays(self, order: Order, outcome: str) -> None:
        payment_id = Payment.objects.get(order=order).pk
        if outcome == "late":  # the customer paid; the provider's callback is still on its way
            with TestCase.captureOnCommitCallbacks(execute=False) as queued:
                sandbox_customer_pays(payment_id=payment_id, outcome="succeeded")
            self.delayed.extend(queued)
        else:
            with TestCase.captureOnCommitCallbacks(execute=True):
                sandbox_customer_pays(payment_id=payment_id, outcome=outcome)
        order.refresh_from_db()
        if outcome == "succeeded":
            assert order.status == OrderStatus.PAID
            assert order.captured_minor == order.total_minor == order.escrow_expected_minor
        else:
            assert order.status == OrderStatus.PENDING_PAYMENT
            assert order.captured_minor == 0

    def _step(self) -> None:
        self.steps += 1
        self._statuses = None  # the step may change any order

    def _orders_in(self, statuses: tuple[str, ...], *, cached: bool = True) -> list[str]:
        """This sequence's orders in one of ``statuses`` (read once per step for preconditions)."""
        found = self._statuses
        if found is None or not cached:
            found = dict(Order.objects.filter(pk__in=self.orders).values_list("pk", "status"))
            if cached:
                self._statuses = found
        return [order_id for order_id in self.orders if found[order_id] in statuses]

    def _pick(self, pick: int, stray: bool, statuses: tuple[str, ...]) -> Order:
        """One of this sequence's orders in a state the action applies to — or, when ``stray``,
        any order, so that refusals are exercised too."""
        ids = self.orders if stray else self._orders_in(statuses, cached=False)
        return Order.objects.get(pk=ids[pick % len(ids)])

    @precondition(lambda self: bool(self._orders_in((OrderStatus.PENDING_PAYMENT,))))
    @rule(
        pick=st.integers(min_value=0, max_value=5),
        stray=STRAY,
        outcome=st.sampled_from(["succeeded", "failed", "late"]),
    )
    def customer_pays_again(self, pick: int, stray: bool, outcome: str) -> None:
        """A buyer whose payment failed (or who has not paid yet) pays; refused once it is done."""
        self._step()
        order = self._pick(pick, stray, (OrderStatus.PENDING_PAYMENT,))
        before = accounts_snapshot()
        try:
            self._customer_pays(order, outcome)
        except InvalidState:
            event("pay again: refused")
            assert accounts_snapshot() == before
            return
        event(f"pay again: {outcome}")

    @precondition(lambda self: bool(self.delayed))
    @rule(twice=st.booleans(), newest_first=st.booleans())
    def deliver_late_callbacks(self, twice: bool, newest_first: bool) -> None:
        """The provider's delayed callbacks arrive, maybe out of order and maybe twice."""
        self._step()
        callbacks = list(reversed(self.delayed)) if newest_first else list(self.delayed)
        self.delayed = []
        event(f"late callbacks: {len(callbacks)}{' twice' if twice else ''}")
        for callback in callbacks * (2 if twice else 1):
            with TestCase.captureOnCommitCallbacks(execute=True):
                callback()
        if Order.objects.filter(pk__in=self.orders, status=OrderStatus.CANCELLED, captured_minor__gt=0).exists():
            event("late callbacks: a cancelled order was captured (and refunded)")

    @contextmanager
    def _provider(self, *, refuses_refunds: bool) -> Iterator[None]:
        """Run the jobs an action queues, as the queue would after commit. When
        ``refuses_refunds``, the provider takes each refund but later reports it failed
        (``refund.failed``) instead of succeeded."""
        if not refuses_refunds:
            with TestCase.captureOnCommitCallbacks(execute=True):
                yield
            return
        with TestCase.captureOnCommitCallbacks(execute=False) as jobs:
            yield
        with TestCase.captureOnCommitCallbacks(execute=False):  # its "succeeded" callbacks never come
            for job in jobs:
                job()
        for refund in Refund.objects.filter(status=RefundStatus.PENDING):
            # The sandbox's own books: the refund bounced, so it no longer counts as refunded there.
            SandboxOperation.objects.filter(kind="refund", target_id=refund.pk).update(status="failed")
            provider_reports_refund_failed(refund)

    def _refund(self, order: Order, amount: int, *, refuses: bool) -> None:
        """The seller refunds ``amount``; refused (nothing changes) unless 0 < amount <= held."""
        status, held = order.status, order.escrow_expected_minor
        before = accounts_snapshot()
        try:
            with self._provider(refuses_refunds=refuses):
                flow.order_refund(
                    user=order.seller, order_id=order.pk, amount=Money(amount, order.currency), reason="sorry"
                )
        except (InvalidState, RefundTooLarge):
            event("refund: refused")
            assert status not in ESCROW_STATUSES or not 0 < amount <= held
            assert accounts_snapshot() == before
            return
        event(f"refund: {'all' if amount == held else 'part'} from {status}{', failed' if refuses else ''}")
        order.refresh_from_db()
        refund = Refund.objects.filter(order=order).latest("created_at")
        assert refund.amount_minor == amount
        assert order.status == (OrderStatus.REFUNDED if amount == held else status)
        if refuses:  # the money went back into escrow
            assert refund.status == RefundStatus.FAILED
            assert order.escrow_expected_minor == held
        else:
            assert refund.status == RefundStatus.SUCCEEDED
            assert order.escrow_expected_minor == held - amount

    @precondition(lambda self: bool(self._orders_in(ESCROW_STATUSES)))
    @rule(
        pick=st.integers(min_value=0, max_value=5),
        stray=STRAY,
        percent=st.integers(min_value=1, max_value=99),
        too_much=st.sampled_from([False, False, False, False, True]),
        refuses=PROVIDER_REFUSES,
    )
    def seller_refunds_part(self, pick: int, stray: bool, percent: int, too_much: bool, refuses: bool) -> None:
        """The seller gives part of the money back (more than is held is refused)."""
        self._step()
        order = self._pick(pick, stray, ESCROW_STATUSES)
        held = order.escrow_expected_minor
        self._refund(order, held + 1 if too_much else max(1, held * percent // 100), refuses=refuses)

    CANCELLABLE = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)

    @precondition(lambda self: bool(self._orders_in((*MoneyFlow.CANCELLABLE, *ESCROW_STATUSES))))
    @rule(
        pick=st.integers(min_value=0, max_value=5),
        stray=STRAY,
        how=st.sampled_from(["buyer cancels", "seller cancels", "seller refunds all"]),
        refuses=PROVIDER_REFUSES,
    )
    def cancel_or_refund_fully(self, pick: int, stray: bool, how: str, refuses: bool) -> None:
        """Before shipping either side may cancel (a paid order is refunded in full); while the
        money is in escrow the seller may refund all of it."""
        self._step()
        order = self._pick(pick, stray, (*self.CANCELLABLE, *ESCROW_STATUSES))
        if how == "seller refunds all":
            self._refund(order, order.escrow_expected_minor, refuses=refuses)
            return
        held = order.escrow_expected_minor
        before = accounts_snapshot()
        try:
            with self._provider(refuses_refunds=refuses):
                flow.order_cancel(user=order.buyer if how == "buyer cancels" else order.seller, order_id=order.pk)
        except InvalidState:
            event("cancel: refused")
            assert order.status not in self.CANCELLABLE
            assert accounts_snapshot() == before
            return
        event(f"cancel: from {order.status}{', refund failed' if refuses and held else ''}")
        order.refresh_from_db()
        assert order.status == OrderStatus.CANCELLED
        assert order.escrow_expected_minor == (held if refuses else 0)
        assert not Payment.objects.filter(order=order, status=PaymentStatus.REQUIRES_PAYMENT).exists()

    @precondition(lambda self: bool(self._orders_in((OrderStatus.PAID, OrderStatus.SHIPPED))))
    @rule(pick=st.integers(min_value=0, max_value=5), stray=STRAY, complete=st.sampled_from([True, True, False]))
    def ship_and_complete(self, pick: int, stray: bool, complete: bool) -> None:
        """The seller ships a paid order; the buyer confirms receipt (now, or in a later step)."""
        self._step()
        order = self._pick(pick, stray, (OrderStatus.PAID, OrderStatus.SHIPPED))
        order_id = order.pk
        seller = order.seller
        purpose = Purpose.AVAILABLE if seller.verification_level >= 1 else Purpose.PENDING
        seller_before = balance(user_account(seller.pk, purpose), order.seller_currency)
        if order.status not in (OrderStatus.PAID, OrderStatus.SHIPPED):
            event("complete: refused")
            before = accounts_snapshot()
            with pytest.raises(InvalidState):
                flow.order_complete(order_id=order_id)
            assert accounts_snapshot() == before
            return
        if order.status == OrderStatus.PAID:
            mark_shipped(order)
            if not complete:
                event("ship only")
                return
        event(f"complete: to {purpose}")
        held = order.escrow_expected_minor
        flow.order_complete(order_id=order_id)
        order.refresh_from_db()
        assert order.status == OrderStatus.COMPLETED
        assert order.escrow_expected_minor == 0
        assert order.released_minor == held
        assert order.seller_proceeds_minor is not None and order.commission_minor is not None
        seller_after = balance(user_account(seller.pk, purpose), order.seller_currency)
        assert seller_after.minor - seller_before.minor == order.seller_proceeds_minor
        if held == order.total_minor:  # nothing was refunded: the seller gets the full price
            assert order.seller_proceeds_minor + order.commission_minor == order.item_seller_minor
        if purpose == Purpose.AVAILABLE:
            self.earners.append(self.world.sellers.index(seller))
        self.held_pending = self.held_pending or purpose == Purpose.PENDING

    @precondition(lambda self: bool(self.earners))
    @rule(
        pick=st.integers(min_value=0, max_value=5),
        percent=st.one_of(st.just(100), st.integers(min_value=1, max_value=130)),
        bank_refuses=st.booleans(),
        other_currency=st.sampled_from([False, False, False, True]),
    )
    def payout(self, pick: int, percent: int, bank_refuses: bool, other_currency: bool) -> None:
        """A seller withdraws a share of their balance (more than all of it is refused; below the
        minimum too); the sandbox bank rejects amounts ending in 13 minor units."""
        self._step()
        seller = self.earners[pick % len(self.earners)]
        user = self.world.sellers[seller]
        currency = "CNY" if other_currency else ("EUR" if seller else "JPY")
        available = balance(user_account(user.pk), currency)
        amount = max(1, available.minor * percent // 100)
        if bank_refuses:
            amount = amount - amount % 100 + 13
        money = Money(amount, currency)
        before = accounts_snapshot()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                payout = payout_request(user=user, amount=money)
        except InsufficientFunds:
            event("payout: insufficient funds")
            assert money > available
            assert accounts_snapshot() == before
            return
        except BelowMinimum:
            event("payout: below minimum")
            assert money < payout_minimum(currency)
            assert accounts_snapshot() == before
            return
        payout.refresh_from_db()
        event(f"payout: {payout.status}")
        after = balance(user_account(user.pk), currency)
        if amount % 100 == 13:
            assert payout.status == PayoutStatus.FAILED
            assert after == available
        else:
            assert payout.status == PayoutStatus.PAID
            assert after == available - money

    @precondition(lambda self: self.held_pending)
    @rule()
    def held_seller_verified(self) -> None:
        """Identity verified: the held seller's pending money becomes available."""
        self._step()
        seller = self.world.held_seller
        pending = balance(user_account(seller.pk, Purpose.PENDING), "JPY")
        available = balance(user_account(seller.pk), "JPY")
        self.verifications += 1
        held_funds_release(user=seller, reason_key=f"ver_{self.verifications}")
        assert balance(user_account(seller.pk, Purpose.PENDING), "JPY").is_zero()
        assert balance(user_account(seller.pk), "JPY") == available + pending
        self.held_pending = False

    # --- invariants (checked after every step; before the first there is nothing to check) ------

    @precondition(lambda self: self.steps > 0)
    @invariant()
    def ledger_check_passes(self) -> None:
        report = ledger_check()
        assert report.problems == []
        assert report.balanced and report.escrow_matches_orders and report.payouts_match

    @precondition(lambda self: self.steps > 0)
    @invariant()
    def money_is_conserved(self) -> None:
        negative = LedgerAccount.objects.filter(purpose__in=NON_NEGATIVE_PURPOSES, balance_minor__lt=0)
        assert list(negative.values_list("owner_type", "owner_id", "purpose", "balance_minor")) == []
        per_currency = Posting.objects.values("currency").annotate(total=Sum("amount_minor"))
        assert {row["currency"]: row["total"] for row in per_currency if row["total"]} == {}

    @precondition(lambda self: self.steps > 0)
    @invariant()
    def orders_hold_what_their_state_says(self) -> None:
        captured = totals_by(Payment.objects.filter(status=PaymentStatus.SUCCEEDED), "order_id")
        refunded = totals_by(Refund.objects.exclude(status=RefundStatus.FAILED), "order_id")
        bounced = totals_by(Refund.objects.filter(status=RefundStatus.FAILED), "order_id")
        for order in Order.objects.only(
            "id", "status", "captured_minor", "refunded_minor", "remitted_minor", "released_minor"
        ):
            held = order.escrow_expected_minor
            if order.status in ESCROW_STATUSES:
                assert held > 0, (order, held)
            elif held:
                # Only a refund the provider bounced leaves money in a closed order's escrow.
                event(f"money left in the escrow of a {order.status} order by a failed refund")
                assert 0 < held <= bounced.get((order.pk,), 0), (order, held)
            assert order.captured_minor == captured.get((order.pk,), 0), order
            assert order.refunded_minor == refunded.get((order.pk,), 0), order

    @precondition(lambda self: self.steps > 0)
    @invariant()
    def sellers_hold_exactly_their_proceeds(self) -> None:
        """What completed orders paid each seller is in their balances or was paid out."""
        proceeds = totals_by(
            Order.objects.filter(status=OrderStatus.COMPLETED),
            "seller_id",
            "seller_currency",
            field="seller_proceeds_minor",
        )
        kept = totals_by(
            LedgerAccount.objects.filter(owner_type=OwnerType.USER), "owner_id", "currency", field="balance_minor"
        )
        paid_out = totals_by(Payout.objects.exclude(status=PayoutStatus.FAILED), "user_id", "currency")
        for key, amount in paid_out.items():
            kept[key] = kept.get(key, 0) + amount
        assert {k: v for k, v in kept.items() if v} == {k: v for k, v in proceeds.items() if v}


def totals_by(queryset: Any, *keys: str, field: str = "amount_minor") -> dict[tuple[str, ...], int]:
    rows = queryset.order_by().values(*keys).annotate(total=Sum(field)).values_list(*keys, "total")
    return {tuple(row[:-1]): int(row[-1] or 0) for row in rows}


@pytest.mark.django_db
def test_money_flow_keeps_the_books_balanced():
    MoneyFlow.world = world_create()
    run_state_machine_as_test(
        MoneyFlow,
        settings=settings(
            max_examples=SEQUENCES,
            stateful_step_count=6,
            deadline=None,
            print_blob=True,
            derandomize=False,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.filter_too_much,
                HealthCheck.function_scoped_fixture,
            ],
        ),
    )

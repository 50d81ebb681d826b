"""Posting journal entries: balanced, idempotent by key, never overdrawing what holds someone's
money, and reversible."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import TestCase

from shiji.core.money import Money
from shiji.ledger.errors import InsufficientFunds, UnbalancedEntry
from shiji.ledger.models import NON_NEGATIVE_PURPOSES, JournalEntry, LedgerAccount, OwnerType, Posting, Purpose
from shiji.ledger.selectors import balance, user_balances
from shiji.ledger.services import (
    AccountRef,
    clearing_account,
    escrow_account,
    platform_account,
    post_entry,
    reverse_entry,
    user_account,
)
from shiji.orders.tests.factories import seller_jp
from shiji.payments.models import Payout
from shiji.payments.payouts import payout_request

pytestmark = pytest.mark.django_db

CLEARING = clearing_account("sandbox")
ALICE = user_account("usr_alice")
BOB = user_account("usr_bob")


def jpy(minor: int) -> Money:
    return Money(minor, "JPY")


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


def fund(ref: AccountRef, money: Money, key: str = "fund") -> JournalEntry:
    """Money arrives from outside (the provider) into ``ref``."""
    return post_entry(key=key, kind="test.fund", legs=[(CLEARING, -money), (ref, money)]).entry


def state() -> tuple[int, int, dict[str, int]]:
    """Everything posting can change: entries, postings and every account's balance."""
    balances = dict(LedgerAccount.objects.values_list("id", "balance_minor"))
    return JournalEntry.objects.count(), Posting.objects.count(), balances


# --- balanced entries --------------------------------------------------------------------------


def test_a_balanced_entry_posts_and_moves_balances():
    posted = post_entry(
        key="capture:pay_1",
        kind="payment.capture",
        order_id="ord_1",
        memo="captured",
        actor_id="usr_staff",
        legs=[(CLEARING, cny(-6120)), (ALICE, cny(6120))],
    )

    assert posted.created is True
    entry = JournalEntry.objects.get(key="capture:pay_1")
    assert entry == posted.entry
    assert (entry.kind, entry.order_id, entry.memo, entry.actor_id) == (
        "payment.capture",
        "ord_1",
        "captured",
        "usr_staff",
    )
    assert sorted(entry.postings.values_list("currency", "amount_minor")) == [("CNY", -6120), ("CNY", 6120)]
    assert balance(CLEARING, "CNY") == cny(-6120)
    assert balance(ALICE, "CNY") == cny(6120)
    # Each posting is on the account of its own currency.
    for posting in entry.postings.select_related("account"):
        assert posting.account.currency == posting.currency


def test_an_entry_may_balance_in_several_currencies_at_once():
    fund(ALICE, jpy(10_000))
    post_entry(
        key="fx",
        kind="test.fx",
        legs=[
            (ALICE, jpy(-6800)),
            (platform_account(Purpose.FX), jpy(6800)),
            (platform_account(Purpose.FX), cny(-32640)),
            (BOB, cny(32640)),
        ],
    )
    assert balance(ALICE, "JPY") == jpy(3200)
    assert balance(BOB, "CNY") == cny(32640)
    assert balance(platform_account(Purpose.FX), "JPY") == jpy(6800)
    assert balance(platform_account(Purpose.FX), "CNY") == cny(-32640)
    assert [(row.currency, row.available) for row in user_balances("usr_bob")] == [("CNY", cny(32640))]


@pytest.mark.parametrize(
    "legs",
    [
        pytest.param([(CLEARING, jpy(-100)), (ALICE, jpy(99))], id="off-by-one"),
        pytest.param([(CLEARING, jpy(-100)), (ALICE, cny(100))], id="sums-to-zero-only-across-currencies"),
        pytest.param(
            [(CLEARING, jpy(-100)), (ALICE, jpy(100)), (CLEARING, cny(-5)), (BOB, cny(4))],
            id="one-currency-balanced-the-other-not",
        ),
        pytest.param([(ALICE, jpy(100))], id="a-single-leg"),
        pytest.param([(ALICE, jpy(100)), (BOB, jpy(0))], id="a-single-non-zero-leg"),
        pytest.param([(ALICE, jpy(100)), (ALICE, jpy(-100))], id="legs-netting-to-nothing"),
        pytest.param([], id="no-legs"),
    ],
)
def test_an_unbalanced_entry_is_refused_and_nothing_is_written(legs):
    fund(BOB, jpy(500))
    before = state()

    with pytest.raises(UnbalancedEntry):
        post_entry(key="bad", kind="test.bad", legs=legs)

    assert state() == before
    assert not JournalEntry.objects.filter(key="bad").exists()
    assert not LedgerAccount.objects.filter(owner_id="usr_alice").exists()


def test_legs_on_the_same_account_are_netted_and_zero_legs_dropped():
    fund(ALICE, jpy(1000))
    posted = post_entry(
        key="netted",
        kind="test.net",
        legs=[
            (ALICE, jpy(-300)),
            (BOB, jpy(200)),
            (ALICE, jpy(-200)),
            (BOB, jpy(300)),
            (platform_account(Purpose.REVENUE), jpy(0)),
        ],
    )

    postings = list(posted.entry.postings.select_related("account"))
    assert sorted((p.account.owner_id, p.amount_minor) for p in postings) == [("usr_alice", -500), ("usr_bob", 500)]
    assert all(p.amount_minor != 0 for p in Posting.objects.all())
    assert balance(ALICE, "JPY") == jpy(500)
    assert balance(BOB, "JPY") == jpy(500)
    assert balance(platform_account(Purpose.REVENUE), "JPY") == jpy(0)


# --- idempotency -------------------------------------------------------------------------------


def test_the_same_key_twice_moves_money_once():
    legs = [(CLEARING, jpy(-6800)), (ALICE, jpy(6800))]
    first = post_entry(key="capture:pay_2", kind="payment.capture", legs=legs)
    again = post_entry(key="capture:pay_2", kind="payment.capture", legs=legs)

    assert first.created is True
    assert again.created is False
    assert again.entry.pk == first.entry.pk
    assert JournalEntry.objects.filter(key="capture:pay_2").count() == 1
    assert Posting.objects.count() == 2
    assert balance(ALICE, "JPY") == jpy(6800)
    assert balance(CLEARING, "JPY") == jpy(-6800)


def test_a_repeated_key_returns_the_first_entry_even_with_other_legs():
    post_entry(key="k", kind="test", legs=[(CLEARING, jpy(-100)), (ALICE, jpy(100))])
    before = state()

    again = post_entry(key="k", kind="test", legs=[(CLEARING, jpy(-999)), (BOB, jpy(999))])

    assert again.created is False
    assert state() == before
    assert balance(BOB, "JPY") == jpy(0)


# --- accounts that hold someone's money never go below zero ------------------------------------


def test_overdrawing_a_user_balance_is_refused_and_nothing_is_written():
    fund(ALICE, jpy(500))
    before = state()

    with pytest.raises(InsufficientFunds) as raised:
        post_entry(
            key="overdraw",
            kind="test.overdraw",
            legs=[(BOB, jpy(300)), (ALICE, jpy(-600)), (platform_account(Purpose.REVENUE), jpy(300))],
        )

    assert raised.value.code == "insufficient_funds"
    assert raised.value.status == 422
    assert state() == before  # no entry, no postings, and no balance moved (not even the credits)
    assert not JournalEntry.objects.filter(key="overdraw").exists()
    assert balance(ALICE, "JPY") == jpy(500)
    assert balance(BOB, "JPY") == jpy(0)
    assert not LedgerAccount.objects.filter(owner_id="usr_bob").exists()  # not even created


def test_taking_exactly_the_whole_balance_is_allowed():
    fund(ALICE, jpy(500))
    post_entry(key="all", kind="test", legs=[(ALICE, jpy(-500)), (BOB, jpy(500))])
    assert balance(ALICE, "JPY") == jpy(0)


def test_an_empty_escrow_cannot_release_anything():
    before = state()
    with pytest.raises(InsufficientFunds):
        post_entry(key="release:ord_9", kind="escrow.release", legs=[(escrow_account("ord_9"), cny(-1)), (BOB, cny(1))])
    assert state() == before
    assert not LedgerAccount.objects.filter(owner_type=OwnerType.ORDER, owner_id="ord_9").exists()


def test_a_failed_entry_does_not_spoil_the_callers_transaction():
    fund(ALICE, jpy(100))
    with transaction.atomic():
        with pytest.raises(InsufficientFunds):
            post_entry(key="too-much", kind="test", legs=[(ALICE, jpy(-101)), (BOB, jpy(101))])
        post_entry(key="fine", kind="test", legs=[(ALICE, jpy(-100)), (BOB, jpy(100))])
    assert balance(BOB, "JPY") == jpy(100)
    assert not JournalEntry.objects.filter(key="too-much").exists()


@pytest.mark.parametrize(
    "purpose",
    [
        # Money in "payouts in flight" without a payout behind it is a forgery for the ledger check.
        pytest.param(purpose, marks=[pytest.mark.forges_ledger] if purpose == Purpose.PAYOUTS_IN_FLIGHT else [])
        for purpose in sorted(NON_NEGATIVE_PURPOSES)
    ],
)
def test_accounts_holding_money_refuse_to_go_negative(purpose):
    ref = AccountRef(OwnerType.PLATFORM, "platform", purpose)
    fund(ref, cny(50))
    before = state()

    with pytest.raises(InsufficientFunds):
        post_entry(key="neg", kind="test", legs=[(ref, cny(-51)), (CLEARING, cny(51))])

    assert state() == before
    account = LedgerAccount.objects.get(owner_id="platform", purpose=purpose, currency="CNY")
    assert account.balance_minor == 50
    assert account.may_go_negative is False


@pytest.mark.parametrize(
    "ref", [clearing_account("sandbox"), platform_account(Purpose.FX)], ids=["provider-clearing", "fx-position"]
)
def test_clearing_and_fx_accounts_may_go_negative(ref):
    post_entry(key="out", kind="test", legs=[(ref, jpy(-7000)), (BOB, jpy(7000))])
    assert balance(ref, "JPY") == jpy(-7000)
    assert LedgerAccount.objects.get(owner_id=ref.owner_id, purpose=ref.purpose).may_go_negative is True


def test_the_database_itself_refuses_a_negative_user_balance():
    fund(ALICE, jpy(10))
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(owner_id="usr_alice").update(balance_minor=-1)
    assert balance(ALICE, "JPY") == jpy(10)


def test_a_payout_above_the_available_balance_is_refused_and_leaves_no_trace():
    seller = seller_jp()
    fund(user_account(seller.pk), jpy(5000))
    before = state()

    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(InsufficientFunds):
        payout_request(user=seller, amount=jpy(5001))

    assert state() == before
    assert not Payout.objects.filter(user=seller).exists()
    assert balance(user_account(seller.pk), "JPY") == jpy(5000)


# --- reversal ----------------------------------------------------------------------------------


def test_reverse_entry_restores_balances_and_links_the_original():
    fund(ALICE, jpy(1000))
    before = {ref: balance(ref, "JPY") for ref in (ALICE, BOB, CLEARING)}
    original = post_entry(
        key="pay-bob", kind="test.transfer", order_id="ord_7", legs=[(ALICE, jpy(-400)), (BOB, jpy(400))]
    )

    reversal = reverse_entry(original.entry, key="reverse:pay-bob", memo="mistake", actor_id="usr_finance")

    assert reversal.created is True
    assert reversal.entry.reverses == original.entry
    assert list(original.entry.reversals.all()) == [reversal.entry]
    assert reversal.entry.kind == "reversal"
    assert reversal.entry.order_id == "ord_7"
    assert reversal.entry.actor_id == "usr_finance"
    assert {ref: balance(ref, "JPY") for ref in (ALICE, BOB, CLEARING)} == before
    mirrored = sorted(reversal.entry.postings.values_list("account_id", "amount_minor"))
    assert mirrored == sorted((a, -m) for a, m in original.entry.postings.values_list("account_id", "amount_minor"))
    # History stays: the original entry and its postings are still there.
    assert JournalEntry.objects.filter(pk=original.entry.pk).exists()
    assert original.entry.postings.count() == 2


def test_reversing_twice_with_the_same_key_reverses_once():
    fund(ALICE, jpy(1000))
    original = post_entry(key="t", kind="test", legs=[(ALICE, jpy(-400)), (BOB, jpy(400))])
    reverse_entry(original.entry, key="reverse:t")
    again = reverse_entry(original.entry, key="reverse:t")
    assert again.created is False
    assert balance(ALICE, "JPY") == jpy(1000)
    assert balance(BOB, "JPY") == jpy(0)


def test_a_reversal_that_would_overdraw_is_refused():
    fund(ALICE, jpy(1000))
    original = post_entry(key="t", kind="test", legs=[(ALICE, jpy(-400)), (BOB, jpy(400))])
    post_entry(key="bob-spends", kind="test", legs=[(BOB, jpy(-400)), (CLEARING, jpy(400))])
    before = state()

    with pytest.raises(InsufficientFunds):
        reverse_entry(original.entry, key="reverse:t")

    assert state() == before
    assert not original.entry.reversals.exists()

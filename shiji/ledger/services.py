"""Posting journal entries: the only way money moves.

``post_entry`` writes one balanced entry and changes the account balances in the same
transaction. Each entry carries a business key (``capture:pay_…``, ``release:ord_…``); posting
the same key again returns the entry already written, so a retried job or a duplicated callback
never moves money twice. Balances change with one conditional UPDATE per account (in a fixed
order, so concurrent entries cannot deadlock); an account that holds someone's money refuses to
go below zero and the whole entry is rolled back with ``InsufficientFunds``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from shiji.core.money import Money
from shiji.ledger.errors import InsufficientFunds, UnbalancedEntry
from shiji.ledger.models import NON_NEGATIVE_PURPOSES, JournalEntry, LedgerAccount, OwnerType, Posting, Purpose

PLATFORM = "platform"


@dataclass(frozen=True, slots=True)
class AccountRef:
    owner_type: str
    owner_id: str
    purpose: str

    def __str__(self) -> str:
        return f"{self.owner_type}:{self.owner_id}:{self.purpose}"


def user_account(user_id: str, purpose: str = Purpose.AVAILABLE) -> AccountRef:
    return AccountRef(OwnerType.USER, user_id, purpose)


def escrow_account(order_id: str) -> AccountRef:
    return AccountRef(OwnerType.ORDER, order_id, Purpose.ESCROW)


def platform_account(purpose: str) -> AccountRef:
    return AccountRef(OwnerType.PLATFORM, PLATFORM, purpose)


def clearing_account(provider: str) -> AccountRef:
    return AccountRef(OwnerType.PROVIDER, provider, Purpose.CLEARING)


Leg = tuple[AccountRef, Money]


def account_get_or_create(ref: AccountRef, currency: str) -> LedgerAccount:
    lookup = {"owner_type": ref.owner_type, "owner_id": ref.owner_id, "purpose": ref.purpose, "currency": currency}
    account = LedgerAccount.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return LedgerAccount.objects.create(**lookup, may_go_negative=ref.purpose not in NON_NEGATIVE_PURPOSES)
    except IntegrityError:  # created concurrently
        return LedgerAccount.objects.get(**lookup)


def _merged(legs: Sequence[Leg]) -> dict[tuple[AccountRef, str], int]:
    merged: dict[tuple[AccountRef, str], int] = defaultdict(int)
    for ref, money in legs:
        merged[(ref, money.currency)] += money.minor
    return {key: amount for key, amount in merged.items() if amount != 0}


def _check_balanced(merged: dict[tuple[AccountRef, str], int]) -> None:
    per_currency: dict[str, int] = defaultdict(int)
    for (_ref, currency), amount in merged.items():
        per_currency[currency] += amount
    unbalanced = {currency: total for currency, total in per_currency.items() if total != 0}
    if unbalanced:
        raise UnbalancedEntry(f"postings do not sum to zero: {unbalanced}")
    if len(merged) < 2:
        raise UnbalancedEntry("a journal entry needs at least two non-zero postings")


@dataclass(frozen=True)
class Posted:
    entry: JournalEntry
    created: bool  # False: an entry with this key existed already and nothing moved


def post_entry(
    *,
    key: str,
    kind: str,
    legs: Sequence[Leg],
    order_id: str = "",
    memo: str = "",
    actor_id: str = "",
    reverses: JournalEntry | None = None,
) -> Posted:
    """Write one balanced journal entry, once per ``key``. Zero legs are dropped; legs on the same
    account are netted. Raises ``InsufficientFunds`` (nothing written) when an account that may
    not go negative would."""
    merged = _merged(legs)
    _check_balanced(merged)
    with transaction.atomic():
        existing = JournalEntry.objects.filter(key=key).first()
        if existing is not None:
            return Posted(existing, created=False)
        try:
            with transaction.atomic():
                entry = JournalEntry.objects.create(
                    key=key, kind=kind, order_id=order_id, memo=memo[:300], actor_id=actor_id, reverses=reverses
                )
        except IntegrityError:  # the same key committed concurrently
            return Posted(JournalEntry.objects.get(key=key), created=False)
        accounts = {item: account_get_or_create(item[0], item[1]) for item in merged}
        for item in sorted(merged, key=lambda item: accounts[item].pk):
            account = accounts[item]
            delta = merged[item]
            updated = (
                LedgerAccount.objects.filter(pk=account.pk)
                .filter(Q(may_go_negative=True) | Q(balance_minor__gte=-delta))
                .update(balance_minor=F("balance_minor") + delta)
            )
            if updated != 1:
                raise InsufficientFunds()
        Posting.objects.bulk_create(
            [
                Posting(entry=entry, account=accounts[item], currency=item[1], amount_minor=amount)
                for item, amount in merged.items()
            ]
        )
    return Posted(entry, created=True)


def reverse_entry(entry: JournalEntry, *, key: str, memo: str = "", actor_id: str = "") -> Posted:
    """Undo ``entry`` with a mirror entry (the original stays, as history must)."""
    legs: list[Leg] = []
    for posting in entry.postings.select_related("account"):
        account = posting.account
        ref = AccountRef(account.owner_type, account.owner_id, account.purpose)
        legs.append((ref, Money(-posting.amount_minor, posting.currency)))
    return post_entry(
        key=key, kind="reversal", legs=legs, order_id=entry.order_id, memo=memo, actor_id=actor_id, reverses=entry
    )

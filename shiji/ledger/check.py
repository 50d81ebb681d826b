"""The ledger check (``GET /staff/ledger/check``): proves PRODUCT.md invariant 1 from the rows.

It recomputes everything from the postings instead of trusting stored totals, so a row edited
behind the application's back (a forged balance, a changed or deleted posting) shows up:

- every journal entry has at least two postings and sums to zero in each currency;
- every posting is in its account's currency;
- every account's stored balance equals the sum of its postings;
- no account that holds someone's money is negative;
- the escrow held for each order equals what the order says it holds (paid, less refunds and
  duties handed over), and in total per currency;
- payouts in flight equal the payouts the provider has not yet confirmed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from shiji.ledger.models import NON_NEGATIVE_PURPOSES, JournalEntry, LedgerAccount, OwnerType, Posting, Purpose

MAX_PROBLEMS = 100


@dataclass
class LedgerReport:
    balanced: bool = True
    escrow_matches_orders: bool = True
    payouts_match: bool = True
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


def _check_entries(report: LedgerReport) -> None:
    for row in (
        Posting.objects.values("entry_id", "currency")
        .annotate(total=Sum("amount_minor"))
        .exclude(total=0)[:MAX_PROBLEMS]
    ):
        report.balanced = False
        report.add(f"entry {row['entry_id']} does not sum to zero in {row['currency']}: {row['total']:+d}")
    for entry_id, count in (
        JournalEntry.objects.annotate(n=Count("postings")).filter(n__lt=2).values_list("id", "n")[:MAX_PROBLEMS]
    ):
        report.balanced = False
        report.add(f"entry {entry_id} has {count} posting(s); at least two are needed")
    for posting_id, currency, account_currency in Posting.objects.exclude(currency=F("account__currency")).values_list(
        "id", "currency", "account__currency"
    )[:MAX_PROBLEMS]:
        report.balanced = False
        report.add(f"posting {posting_id} is in {currency} on a {account_currency} account")


def _check_accounts(report: LedgerReport) -> None:
    mismatched = (
        LedgerAccount.objects.annotate(posted=Coalesce(Sum("postings__amount_minor"), 0))
        .exclude(balance_minor=F("posted"))
        .values_list("id", "owner_type", "owner_id", "purpose", "currency", "balance_minor", "posted")
    )
    for account_id, owner_type, owner_id, purpose, currency, stored, posted in mismatched[:MAX_PROBLEMS]:
        report.balanced = False
        report.add(
            f"account {account_id} ({owner_type}:{owner_id}:{purpose} {currency}) stores {stored} "
            f"but its postings sum to {posted}"
        )
    negative = LedgerAccount.objects.filter(Q(purpose__in=NON_NEGATIVE_PURPOSES) | Q(may_go_negative=False)).filter(
        balance_minor__lt=0
    )
    for account in negative[:MAX_PROBLEMS]:
        report.balanced = False
        report.add(f"account {account.pk} ({account}) is negative: {account.balance_minor}")


def _check_escrow(report: LedgerReport) -> None:
    from shiji.orders.selectors import escrow_expected_by_order

    expected = escrow_expected_by_order()
    held: dict[str, tuple[str, int]] = {
        owner_id: (currency, amount)
        for owner_id, currency, amount in LedgerAccount.objects.filter(
            owner_type=OwnerType.ORDER, purpose=Purpose.ESCROW
        ).values_list("owner_id", "currency", "balance_minor")
    }
    totals_expected: dict[str, int] = defaultdict(int)
    totals_held: dict[str, int] = defaultdict(int)
    for order_id in sorted(set(expected) | set(held)):
        exp_currency, exp_amount = expected.get(order_id, ("", 0))
        held_currency, held_amount = held.get(order_id, (exp_currency, 0))
        if exp_amount:
            totals_expected[exp_currency] += exp_amount
        if held_amount:
            totals_held[held_currency] += held_amount
        if exp_amount != held_amount or (exp_amount and exp_currency != held_currency):
            report.escrow_matches_orders = False
            report.add(
                f"order {order_id} should hold {exp_amount} {exp_currency} in escrow, "
                f"the ledger holds {held_amount} {held_currency}"
            )
    for currency in sorted(set(totals_expected) | set(totals_held)):
        if totals_expected[currency] != totals_held[currency]:
            report.escrow_matches_orders = False
            report.add(
                f"escrow in {currency}: orders hold {totals_expected[currency]}, "
                f"the ledger holds {totals_held[currency]}"
            )


def _check_payouts(report: LedgerReport) -> None:
    from shiji.payments.selectors import payouts_in_flight_by_currency

    expected = payouts_in_flight_by_currency()
    held = dict(
        LedgerAccount.objects.filter(owner_type=OwnerType.PLATFORM, purpose=Purpose.PAYOUTS_IN_FLIGHT).values_list(
            "currency", "balance_minor"
        )
    )
    for currency in sorted(set(expected) | set(held)):
        if expected.get(currency, 0) != held.get(currency, 0):
            report.payouts_match = False
            report.add(
                f"payouts in flight in {currency}: payouts say {expected.get(currency, 0)}, "
                f"the ledger holds {held.get(currency, 0)}"
            )


def ledger_check() -> LedgerReport:
    report = LedgerReport(entries=JournalEntry.objects.count())
    _check_entries(report)
    _check_accounts(report)
    _check_escrow(report)
    _check_payouts(report)
    return report

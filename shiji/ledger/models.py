"""The double-entry ledger: accounts per (owner, purpose, currency), journal entries and postings.

Every movement of money is one ``JournalEntry`` whose ``Posting`` rows sum to zero per currency.
Entries and postings are immutable (database triggers refuse UPDATE and DELETE, see
``guard.py``); a correction is a reversal entry. ``LedgerAccount.balance_minor`` is the running
sum of the account's postings, changed in the same transaction as the postings; accounts that
hold someone's money carry a CHECK constraint so they can never go below zero.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shiji.core.ids import OpaqueIdField


class OwnerType(models.TextChoices):
    USER = "user", _("User")
    ORDER = "order", _("Order")
    PLATFORM = "platform", _("Platform")
    PROVIDER = "provider", _("Payment provider")


class Purpose(models.TextChoices):
    AVAILABLE = "available", _("Available")  # user: may be paid out
    PENDING = "pending", _("Pending")  # user: released to them but held (payouts not yet allowed)
    ESCROW = "escrow", _("Escrow")  # order: the buyer's payment, held until completion
    REVENUE = "revenue", _("Platform revenue")  # platform: fees, commission, FX margin
    CLEARING = "clearing", _("Provider clearing")  # provider: money on its way in or out
    PAYOUTS_IN_FLIGHT = "payouts_in_flight", _("Payouts in flight")  # platform: sent, not yet confirmed
    DUTIES = "duties", _("Duties collected")  # platform: duties and taxes owed to customs
    CARRIERS = "carriers", _("Postage payable")  # platform: shipping paid by buyers, owed to carriers
    FX = "fx", _("FX position")  # platform: currency bought and sold converting buyer to seller money


# Accounts that hold somebody's money may never go below zero; the platform's own accounts
# (clearing, FX position) can, because money enters and leaves the books through them.
NON_NEGATIVE_PURPOSES = frozenset(
    {
        Purpose.AVAILABLE,
        Purpose.PENDING,
        Purpose.ESCROW,
        Purpose.PAYOUTS_IN_FLIGHT,
        Purpose.DUTIES,
        Purpose.CARRIERS,
        Purpose.REVENUE,
    }
)


class LedgerAccount(models.Model):
    id = OpaqueIdField(prefix="lac")
    owner_type = models.CharField(max_length=16, choices=OwnerType.choices)
    owner_id = models.CharField(max_length=40)  # a user or order id, "platform", or a provider name
    purpose = models.CharField(max_length=24, choices=Purpose.choices)
    currency = models.CharField(max_length=3)
    balance_minor = models.BigIntegerField(default=0)
    may_go_negative = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner_type", "owner_id", "purpose", "currency"], name="ledger_account_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(may_go_negative=True) | models.Q(balance_minor__gte=0),
                name="ledger_account_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_type}:{self.owner_id}:{self.purpose}:{self.currency}"


class JournalEntry(models.Model):
    """One business event's money movement. ``key`` makes posting it idempotent."""

    id = OpaqueIdField(prefix="jen")
    key = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=40)
    order_id = models.CharField(max_length=40, blank=True, db_index=True)
    memo = models.CharField(max_length=300, blank=True)
    actor_id = models.CharField(max_length=40, blank=True)  # not a foreign key: entries never change
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="postings")
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=~models.Q(amount_minor=0), name="ledger_posting_not_zero")]

    def __str__(self) -> str:
        return f"{self.amount_minor:+d} {self.currency} → {self.account_id}"

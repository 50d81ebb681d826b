"""Payouts: a seller withdraws available money through the provider.

Requesting a payout moves the amount from the seller's available balance to "payouts in
flight" in one journal entry (a conditional update: concurrent requests can never overdraw);
after commit a job sends it to the provider; the provider's callback either confirms it (the
money leaves through provider clearing) or fails it (the money returns to the balance).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.core.audit import audit_record
from shiji.core.jobs import enqueue_on_commit
from shiji.core.money import Money, check_supported_currency
from shiji.core.states import transition
from shiji.identity.gates import check_payout_allowed, check_tax_details
from shiji.ledger.errors import InsufficientFunds
from shiji.ledger.models import Purpose
from shiji.ledger.services import AccountRef, clearing_account, platform_account, post_entry, user_account
from shiji.payments.errors import BelowMinimum
from shiji.payments.fees import payout_minimum
from shiji.payments.models import PAYOUT_IN_FLIGHT_STATUSES, PAYOUT_TRANSITIONS, Payout, PayoutEvent, PayoutStatus
from shiji.payments.providers.registry import provider_default, provider_get


def payout_request(*, user: User, amount: Money) -> Payout:
    check_supported_currency(amount.currency, field="amount")
    check_payout_allowed(user=user)
    from shiji.orders.selectors import seller_yearly_sales

    check_tax_details(seller=user, sales=seller_yearly_sales(user))
    minimum = payout_minimum(amount.currency)
    if amount < minimum:
        raise BelowMinimum(
            _("The smallest payout is %(minimum)s.") % {"minimum": str(minimum)},
            fields={"amount": [_("At least %(minimum)s.") % {"minimum": minimum.amount_str()}]},
        )
    provider = provider_default()
    with transaction.atomic():
        payout = Payout.objects.create(
            user=user, amount_minor=amount.minor, currency=amount.currency, provider=provider.name
        )
        PayoutEvent.objects.create(subject=payout, actor=user, from_state="", to_state=PayoutStatus.REQUESTED)
        try:
            post_entry(
                key=f"payout:{payout.pk}",
                kind="payout.requested",
                legs=[(user_account(user.pk), -amount), (platform_account(Purpose.PAYOUTS_IN_FLIGHT), amount)],
                actor_id=user.pk,
                memo=f"payout {payout.pk}",
            )
        except InsufficientFunds as exc:
            raise InsufficientFunds(
                _("You can pay out at most your available balance in %(currency)s.") % {"currency": amount.currency}
            ) from exc
        audit_record(action="payout.requested", actor=user, target=payout, data=amount.as_dict())
        from shiji.payments.tasks import payout_send

        enqueue_on_commit(payout_send, payout.pk)
    return payout


def payout_send(payout_id: str) -> None:
    payout = Payout.objects.get(pk=payout_id)
    if payout.status != PayoutStatus.REQUESTED or payout.provider_ref:
        return
    ref = provider_get(payout.provider).payout(payout)
    with transaction.atomic():
        locked = Payout.objects.select_for_update().get(pk=payout_id)
        if locked.status == PayoutStatus.REQUESTED:
            transition(
                locked,
                to=PayoutStatus.PROCESSING,
                table=PAYOUT_TRANSITIONS,
                event_model=PayoutEvent,
                updates={"provider_ref": ref},
            )
        elif not locked.provider_ref:
            Payout.objects.filter(pk=payout_id).update(provider_ref=ref)


def _payout_settle(payout: Payout, *, to: str, destination: AccountRef, note: str = "") -> None:
    """The provider's answer: the money in flight leaves through the provider (paid) or goes
    back to the seller's balance (failed). Once per payout."""
    if payout.status not in PAYOUT_IN_FLIGHT_STATUSES:
        return
    amount = Money(payout.amount_minor, payout.currency)
    updates: dict[str, Any] = {"settled_at": timezone.now()}
    if to == PayoutStatus.FAILED:
        updates["failure_reason"] = note[:200]
    with transaction.atomic():
        transition(payout, to=to, table=PAYOUT_TRANSITIONS, event_model=PayoutEvent, note=note, updates=updates)
        post_entry(
            key=f"payout-{to}:{payout.pk}",
            kind=f"payout.{to}",
            legs=[(platform_account(Purpose.PAYOUTS_IN_FLIGHT), -amount), (destination, amount)],
            memo=f"payout {payout.pk} {to}" + (f": {note}" if note else ""),
        )


def payout_paid(*, payout: Payout) -> None:
    _payout_settle(payout, to=PayoutStatus.PAID, destination=clearing_account(payout.provider))


def payout_failed(*, payout: Payout, reason: str) -> None:
    _payout_settle(payout, to=PayoutStatus.FAILED, destination=user_account(payout.user_id), note=reason)


def held_funds_release(*, user: User, reason_key: str) -> None:
    """Move a seller's held (pending) money to available, e.g. once their identity is verified."""
    from shiji.ledger.models import LedgerAccount, OwnerType

    with transaction.atomic():
        for account in LedgerAccount.objects.filter(
            owner_type=OwnerType.USER, owner_id=user.pk, purpose=Purpose.PENDING, balance_minor__gt=0
        ):
            amount = Money(account.balance_minor, account.currency)
            post_entry(
                key=f"unhold:{reason_key}:{account.currency}",
                kind="funds.unhold",
                legs=[(user_account(user.pk, Purpose.PENDING), -amount), (user_account(user.pk), amount)],
                memo=f"held funds released ({reason_key})",
            )

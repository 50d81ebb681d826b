"""Payouts: a seller withdraws available money through the provider, to their payout account.

Requesting a payout moves the amount from the seller's available balance to "payouts in
flight" in one journal entry (a conditional update: concurrent requests can never overdraw);
after commit a job sends it to the provider; the provider's callback either confirms it (the
money leaves through provider clearing) or fails it (the money returns to the balance).

The risk rules look at every request (``RiskPoint.PAYOUT_REQUEST``): a payout asked for soon
after the payout account changed is created ``held`` — its money is in flight, but it is not
sent. It waits for staff: releasing it sends it, cancelling it returns the money to the
seller's available balance (one journal entry). Nothing releases it by itself.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.accounts.roles import Role, require_role
from shiji.core import crashpoints
from shiji.core.audit import audit_record
from shiji.core.crashpoints import crashpoint
from shiji.core.errors import InvalidInput, InvalidState, NotFound
from shiji.core.jobs import enqueue_on_commit
from shiji.core.money import Money, check_supported_currency
from shiji.core.states import transition
from shiji.identity.gates import check_payout_allowed, check_tax_details
from shiji.ledger.errors import InsufficientFunds
from shiji.ledger.models import Purpose
from shiji.ledger.selectors import user_balances
from shiji.ledger.services import AccountRef, clearing_account, platform_account, post_entry, user_account
from shiji.payments.errors import BelowMinimum, PayoutAccountRequired
from shiji.payments.fees import payout_minimum
from shiji.payments.models import (
    PAYOUT_IN_FLIGHT_STATUSES,
    PAYOUT_TRANSITIONS,
    Payout,
    PayoutAccount,
    PayoutEvent,
    PayoutMethod,
    PayoutStatus,
)
from shiji.payments.providers.registry import provider_default, provider_get
from shiji.risk.engine import RiskAction, RiskPoint, risk_evaluate

ACCOUNT_NUMBER = re.compile(r"^[A-Za-z0-9@._+]{4,64}$")


# --- the payout account ---------------------------------------------------------------------


def payout_account_set(
    *, user: User, method: Any, holder_name: Any, account_number: Any, request: HttpRequest | None = None
) -> PayoutAccount:
    """Add or replace the seller's payout account. Every change restarts the payout hold window
    (a payout asked for within it waits for staff), whatever was changed."""
    errors: dict[str, list[str]] = {}
    if method not in PayoutMethod.values:
        errors["method"] = [_("One of: %(list)s.") % {"list": ", ".join(PayoutMethod.values)}]
    holder = holder_name.strip() if isinstance(holder_name, str) else ""
    if not 1 <= len(holder) <= 100:
        errors["holder_name"] = [_("1 to 100 characters.")]
    number = ""
    if isinstance(account_number, str):
        number = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", account_number))
    if not ACCOUNT_NUMBER.match(number):
        errors["account_number"] = [_("4 to 64 letters, digits or @ . _ + (spaces and dashes are ignored).")]
    if errors:
        raise InvalidInput(_("Some fields are not valid."), fields=errors)
    now = timezone.now()
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        fields = {"method": method, "holder_name": holder, "account_last4": number[-4:], "changed_at": now}
        account, _created = PayoutAccount.objects.update_or_create(
            user=user, defaults=fields, create_defaults={**fields, "created_at": now}
        )
        audit_record(
            action="payout_account.changed",
            actor=user,
            target=account,
            data={"method": method, "account_last4": number[-4:]},
            request=request,
        )
    return account


# --- payouts --------------------------------------------------------------------------------


def payout_request_by_seller(*, user: User, amount: Money) -> Payout:
    """What a seller asks for (``POST /me/payouts``, the wallet page): like ``payout_request``,
    and refused (422 ``payout_account_required``) until the seller has a payout account."""
    _payout_checks(user=user, amount=amount)
    if not PayoutAccount.objects.filter(user=user).exists():
        raise PayoutAccountRequired()
    return _payout_create(user=user, amount=amount)


def payout_request(*, user: User, amount: Money) -> Payout:
    """Move ``amount`` of the seller's available money into a payout (the books' primitive;
    sellers come through ``payout_request_by_seller``)."""
    _payout_checks(user=user, amount=amount)
    return _payout_create(user=user, amount=amount)


def _payout_checks(*, user: User, amount: Money) -> None:
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


def _payout_create(*, user: User, amount: Money) -> Payout:
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
        changed_at = PayoutAccount.objects.filter(user=user).values_list("changed_at", flat=True).first()
        verdict = risk_evaluate(
            RiskPoint.PAYOUT_REQUEST,
            user=user,
            inputs={"amount": amount.as_dict(), "account_changed_at": changed_at.isoformat() if changed_at else None},
            subject=payout,
        )
        if verdict.action in (RiskAction.REVIEW, RiskAction.HOLD, RiskAction.BLOCK):  # staff decide first
            transition(
                payout,
                to=PayoutStatus.HELD,
                table=PAYOUT_TRANSITIONS,
                event_model=PayoutEvent,
                note=f"risk decision {verdict.decision_id}: {', '.join(verdict.rules)}",
            )
            return payout
        from shiji.payments.tasks import payout_send

        enqueue_on_commit(payout_send, payout.pk)
    return payout


def _held_payout_locked(*, staff: User, payout_id: str) -> Payout:
    require_role(staff, Role.FINANCE)
    payout = Payout.objects.select_for_update().filter(pk=payout_id).first()
    if payout is None:
        raise NotFound(_("No such payout."))
    if payout.status != PayoutStatus.HELD:
        raise InvalidState(_("Only a held payout can be released or cancelled."))
    return payout


def payout_release(*, staff: User, payout_id: str) -> Payout:
    """Staff found nothing wrong: the held payout is sent (the usual job, after commit)."""
    from shiji.payments.tasks import payout_send

    with transaction.atomic():
        payout = _held_payout_locked(staff=staff, payout_id=payout_id)
        transition(
            payout,
            to=PayoutStatus.REQUESTED,
            table=PAYOUT_TRANSITIONS,
            event_model=PayoutEvent,
            actor=staff,
            note="released after a risk check",
        )
        audit_record(action="payout.released", actor=staff, target=payout)
        enqueue_on_commit(payout_send, payout.pk)
    return payout


def payout_cancel_held(*, staff: User, payout_id: str, reason: str = "") -> Payout:
    """Staff stop a held payout: it is cancelled and its money goes back to the seller's
    available balance (one journal entry out of payouts in flight)."""
    with transaction.atomic():
        payout = _held_payout_locked(staff=staff, payout_id=payout_id)
        _payout_settle(
            payout,
            to=PayoutStatus.CANCELLED,
            destination=user_account(payout.user_id),
            note=reason or "cancelled after a risk check",
            actor=staff,
        )
        audit_record(action="payout.cancelled", actor=staff, target=payout, data={"reason": reason})
    return payout


def payout_send(payout_id: str) -> None:
    """Hand a requested payout to the provider (the payout job; safe to repeat: the provider
    dedupes by our id, so a payout it already has is not sent again)."""
    payout = Payout.objects.get(pk=payout_id)
    if payout.status != PayoutStatus.REQUESTED or payout.provider_ref:
        return
    crashpoint(crashpoints.PAYOUT_BEFORE_PROVIDER_CALL)
    ref = provider_get(payout.provider).payout(payout)
    crashpoint(crashpoints.PAYOUT_AFTER_PROVIDER_CALL)
    payout_handed_over(payout_id=payout_id, ref=ref)
    crashpoint(crashpoints.PAYOUT_AFTER_COMMIT)  # the job runs outside any transaction


def payout_handed_over(*, payout_id: str, ref: str) -> None:
    """The provider has the payout under ``ref``: requested → processing. When its callback
    settled the payout first, only the ref is recorded."""
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


def _payout_settle(payout: Payout, *, to: str, destination: AccountRef, note: str = "", actor: Any = None) -> None:
    """The provider's answer: the money in flight leaves through the provider (paid) or goes
    back to the seller's balance (failed). Once per payout."""
    if payout.status not in PAYOUT_IN_FLIGHT_STATUSES:
        return
    amount = Money(payout.amount_minor, payout.currency)
    updates: dict[str, Any] = {"settled_at": timezone.now()}
    if to == PayoutStatus.FAILED:
        updates["failure_reason"] = note[:200]
    with transaction.atomic():
        transition(
            payout, to=to, table=PAYOUT_TRANSITIONS, event_model=PayoutEvent, actor=actor, note=note, updates=updates
        )
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
    with transaction.atomic():
        for row in user_balances(user.pk):
            amount = row.pending
            if amount.minor <= 0:
                continue
            post_entry(
                key=f"unhold:{reason_key}:{amount.currency}",
                kind="funds.unhold",
                legs=[(user_account(user.pk, Purpose.PENDING), -amount), (user_account(user.pk), amount)],
                memo=f"held funds released ({reason_key})",
            )

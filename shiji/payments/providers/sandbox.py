"""The built-in sandbox provider: it behaves like a real one.

It keeps its own books (``SandboxOperation``), answers asynchronously, and tells the platform
what happened only through HMAC-signed callbacks delivered by the job queue — which may arrive
late, twice or out of order, as a real provider's do. With ``SHIJI_SANDBOX_OWN_CONNECTION`` its
books are written on a database connection of their own, outside our transactions, so a
rollback or a crash of ours never erases what the provider did (the crash harness runs so);
otherwise (tests, SQLite) they share our transaction. The "customer" pays or fails at
``POST /payments/sandbox/{payment_id}/complete``. Refunds succeed unless they exceed what was
captured. Payouts succeed, except — so failure handling can be exercised — a payout whose
amount ends in 13 minor units (e.g. ¥1,013 or 50.13) is rejected by the sandbox bank.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.core.errors import InvalidState, NotFound
from shiji.core.ids import new_id
from shiji.core.money import Money
from shiji.core.signatures import SIGNATURE_HEADER, verify
from shiji.core.time import iso_utc
from shiji.payments.errors import ProviderError
from shiji.payments.models import Payment, Payout, Refund, SandboxOperation
from shiji.payments.providers.base import PaymentProvider, ProviderPayment, ProviderRecord

FAILING_PAYOUT_SUFFIX = 13
BOOKS_ALIAS = "sandbox"
FAILURE_REASONS = {"payment": "card_declined", "refund": "bank_rejected", "payout": "account_closed"}


def _books() -> str:
    """The database alias of the sandbox's books (config/settings/base.py)."""
    return BOOKS_ALIAS if BOOKS_ALIAS in settings.DATABASES else DEFAULT_DB_ALIAS


def _ops() -> QuerySet[SandboxOperation]:
    return SandboxOperation.objects.using(_books())


def _operation(kind: str, target_id: str, amount_minor: int, currency: str) -> SandboxOperation:
    op, _created = _ops().get_or_create(
        target_id=target_id,
        defaults={
            "ref": new_id("sbx"),
            "kind": kind,
            "amount_minor": amount_minor,
            "currency": currency,
        },
    )
    return op


def _event(kind: str, **fields: Any) -> dict[str, Any]:
    return {"id": new_id("evt"), "type": kind, **fields, "at": iso_utc(timezone.now())}


def _send(event: dict[str, Any]) -> None:
    from shiji.payments.tasks import sandbox_callback_deliver

    # Sent once the provider's own books have committed.
    transaction.on_commit(partial(sandbox_callback_deliver, event), using=_books())


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def _secret_for(self, ref: str) -> str:
        key = settings.SHIJI_SANDBOX_PAYMENT_SECRET.encode()
        return f"{ref}_secret_{hmac.new(key, ref.encode(), hashlib.sha256).hexdigest()[:24]}"

    def create_payment(self, payment: Payment) -> ProviderPayment:
        op = _operation("payment", payment.pk, payment.amount_minor, payment.currency)
        return ProviderPayment(ref=op.ref, client_secret=self._secret_for(op.ref))

    def cancel_payment(self, payment: Payment) -> bool:
        with transaction.atomic(using=_books()):
            op = _ops().select_for_update().filter(target_id=payment.pk).first()
            if op is None:
                return True
            if op.status == "succeeded":
                return False
            op.status = "cancelled"
            op.save(update_fields=["status"])
            return True

    def refund(self, refund: Refund) -> str:
        with transaction.atomic(using=_books()):
            charge = _ops().select_for_update().filter(target_id=refund.payment_id).first()
            if charge is None or charge.status != "succeeded":
                raise ProviderError(_("The payment has not been captured, so it cannot be refunded."))
            existing = _ops().filter(target_id=refund.pk).first()
            if existing is not None:
                return existing.ref
            refunded_ids = Refund.objects.filter(payment_id=refund.payment_id).values_list("id", flat=True)
            already = (
                _ops()
                .filter(kind="refund", target_id__in=list(refunded_ids), status="succeeded")
                .aggregate(total=Sum("amount_minor"))
                .get("total")
                or 0
            )
            if already + refund.amount_minor > charge.amount_minor:
                raise ProviderError(_("The refund is larger than what is left of the payment."))
            op = _operation("refund", refund.pk, refund.amount_minor, refund.currency)
            op.status = "succeeded"
            op.save(update_fields=["status"])
            _send(
                _event(
                    "refund.succeeded",
                    refund_id=refund.pk,
                    payment_id=refund.payment_id,
                    amount=Money(refund.amount_minor, refund.currency).as_dict(),
                )
            )
            return op.ref

    def payout(self, payout: Payout) -> str:
        with transaction.atomic(using=_books()):
            existing = _ops().filter(target_id=payout.pk).first()
            if existing is not None:
                return existing.ref
            op = _operation("payout", payout.pk, payout.amount_minor, payout.currency)
            failed = payout.amount_minor % 100 == FAILING_PAYOUT_SUFFIX
            op.status = "failed" if failed else "succeeded"
            op.save(update_fields=["status"])
            fields: dict[str, Any] = {
                "payout_id": payout.pk,
                "amount": Money(payout.amount_minor, payout.currency).as_dict(),
            }
            if failed:
                fields["reason"] = "account_closed"
            _send(_event("payout.failed" if failed else "payout.paid", **fields))
            return op.ref

    def retrieve(self, object_id: str) -> ProviderRecord | None:
        op = _ops().filter(target_id=object_id).first()
        if op is None:
            return None
        return ProviderRecord(
            ref=op.ref,
            status="pending" if op.status == "created" else op.status,
            amount_minor=op.amount_minor,
            currency=op.currency,
            reason=FAILURE_REASONS.get(op.kind, "") if op.status == "failed" else "",
        )

    def verify_callback(self, *, body: bytes, headers: Mapping[str, str]) -> None:
        verify(body, headers.get(SIGNATURE_HEADER), settings.SHIJI_SANDBOX_PAYMENT_SECRET)


def sandbox_customer_pays(*, payment_id: str, outcome: str) -> dict[str, str]:
    """The buyer completes (or fails) the payment at the sandbox's checkout page."""
    with transaction.atomic(using=_books()):
        op = _ops().select_for_update().filter(target_id=payment_id, kind="payment").first()
        if op is None:
            raise NotFound(_("No such payment."))
        if op.status == "succeeded":
            raise InvalidState(_("This payment has already been made."))
        if op.status == "cancelled":
            raise InvalidState(_("This payment was cancelled; the order is no longer waiting for it."))
        op.status = "succeeded" if outcome == "succeeded" else "failed"
        op.save(update_fields=["status"])
        amount = Money(op.amount_minor, op.currency).as_dict()
        if outcome == "succeeded":
            _send(_event("payment.succeeded", payment_id=payment_id, amount=amount))
        else:
            _send(_event("payment.failed", payment_id=payment_id, amount=amount, reason="card_declined"))
    return {"payment_id": payment_id, "outcome": op.status}

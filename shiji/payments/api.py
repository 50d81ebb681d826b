"""Money endpoints (API.md "Money", "Signed callbacks"): balances, payouts, the sandbox's
customer, provider webhooks and the staff ledger check."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from shiji.accounts.roles import Role, require_role
from shiji.api.auth import api_user
from shiji.api.openapi import errors
from shiji.api.pagination import paginate_by_id
from shiji.core.errors import NotFound
from shiji.core.idempotency import idempotency_key_from, idempotent
from shiji.core.money import Money, parse_money
from shiji.core.time import iso_utc
from shiji.ledger.check import ledger_check
from shiji.ledger.selectors import user_balances
from shiji.payments import payouts, selectors
from shiji.payments.callbacks import callback_receive
from shiji.payments.models import Payout, PayoutAccount
from shiji.payments.providers.sandbox import sandbox_customer_pays
from shiji.payments.schemas import (
    BalanceOut,
    CallbackOut,
    LedgerCheckOut,
    PayoutAccountIn,
    PayoutAccountOut,
    PayoutIn,
    PayoutOut,
    PayoutPage,
    SandboxCompleteIn,
    SandboxCompleteOut,
)

router = Router()
me_router = Router()
staff_router = Router()


def payout_out(payout: Payout) -> dict[str, Any]:
    return {
        "id": payout.pk,
        "amount": Money(payout.amount_minor, payout.currency).as_dict(),
        "status": payout.status,
        "provider": payout.provider,
        "failure_reason": payout.failure_reason,
        "created_at": iso_utc(payout.created_at),
        "settled_at": iso_utc(payout.settled_at) if payout.settled_at else None,
    }


@me_router.get("/balances", response=list[BalanceOut])
def balances(request: HttpRequest) -> list[dict[str, str]]:
    user = api_user(request)
    return [
        {"currency": row.currency, "available": row.available.amount_str(), "pending": row.pending.amount_str()}
        for row in user_balances(user.pk)
    ]


@me_router.post("/payouts", response={201: PayoutOut, 200: PayoutOut, **errors(403, 409)})
def payout_create(request: HttpRequest, payload: PayoutIn) -> Status[Any]:
    user = api_user(request)
    amount = parse_money(payload.amount.model_dump())

    def run() -> tuple[int, dict[str, Any]]:
        return 201, payout_out(payouts.payout_request_by_seller(user=user, amount=amount))

    status, body = idempotent(
        user=user, key=idempotency_key_from(request), scope="POST /me/payouts", payload=payload.model_dump(), run=run
    )
    return Status(status, body)


def payout_account_out(account: PayoutAccount) -> dict[str, Any]:
    held_until = selectors.payout_hold_until(account)
    return {
        "method": account.method,
        "holder_name": account.holder_name,
        "account_last4": account.account_last4,
        "account_number_masked": account.masked,
        "changed_at": iso_utc(account.changed_at),
        "payouts_held_until": iso_utc(held_until),
    }


@me_router.get("/payout-account", response={200: PayoutAccountOut, **errors(404)})
def payout_account_get(request: HttpRequest) -> dict[str, Any]:
    account = selectors.payout_account_of(api_user(request))
    if account is None:
        raise NotFound(_("You have no payout account yet."))
    return payout_account_out(account)


@me_router.put("/payout-account", response=PayoutAccountOut)
def payout_account_put(request: HttpRequest, payload: PayoutAccountIn) -> dict[str, Any]:
    account = payouts.payout_account_set(
        user=api_user(request),
        method=payload.method,
        holder_name=payload.holder_name,
        account_number=payload.account_number,
        request=request,
    )
    return payout_account_out(account)


@me_router.get("/payouts", response=PayoutPage)
def payout_list(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int | None = Query(None),
) -> dict[str, Any]:
    page = paginate_by_id(selectors.user_payouts(api_user(request)), cursor=cursor, limit=limit)
    return {"items": [payout_out(p) for p in page.items], "next_cursor": page.next_cursor}


@me_router.get("/payouts/{payout_id}", response={200: PayoutOut, **errors(404)})
def payout_get(request: HttpRequest, payout_id: str) -> dict[str, Any]:
    return payout_out(selectors.access_payout(user=api_user(request), payout_id=payout_id))


@router.post("/payments/sandbox/{payment_id}/complete", response={200: SandboxCompleteOut, **errors(404, 409)})
def sandbox_complete(request: HttpRequest, payment_id: str, payload: SandboxCompleteIn) -> dict[str, str]:
    """The sandbox's checkout: the buyer of this payment pays (or fails)."""
    payment = selectors.sandbox_payment_for_buyer(buyer=api_user(request), payment_id=payment_id)
    if payment is None:
        raise NotFound(_("No such payment."))
    return sandbox_customer_pays(payment_id=payment.pk, outcome=payload.outcome)


@router.post("/webhooks/payments/{provider}", auth=None, response={200: CallbackOut, **errors(400, 404)})
def payment_webhook(request: HttpRequest, provider: str) -> dict[str, Any]:
    result = callback_receive(provider_name=provider, body=request.body, headers=request.headers)
    return {"received": True, "result": result}


@staff_router.get("/ledger/check", response={200: LedgerCheckOut, **errors(403)})
def ledger_check_get(request: HttpRequest) -> dict[str, Any]:
    require_role(api_user(request), Role.FINANCE)
    report = ledger_check()
    return {
        "balanced": report.balanced,
        "escrow_matches_orders": report.escrow_matches_orders,
        "payouts_match": report.payouts_match,
        "entries": report.entries,
        "problems": report.problems,
    }

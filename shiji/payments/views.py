"""The seller's wallet page: balances per currency, payouts, a payout request and the payout
account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.selectors import page_user
from shiji.core.errors import ShijiError
from shiji.core.money import Money
from shiji.identity.states import Level
from shiji.ledger.selectors import user_balances
from shiji.payments import payouts, selectors
from shiji.payments.fees import payout_minimum
from shiji.payments.forms import PayoutAccountForm, PayoutForm
from shiji.payments.models import PayoutStatus
from shiji.web.forms import form_add_service_error


@login_required
def wallet_view(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    balances = user_balances(user.pk)
    currencies = [row.currency for row in balances if row.available.minor > 0] or [user.currency]
    account_post = request.method == "POST" and request.POST.get("form") == "account"
    form = PayoutForm(request.POST if request.method == "POST" and not account_post else None, currencies=currencies)
    account_form = PayoutAccountForm(request.POST if account_post else None)
    if account_post and account_form.is_valid():
        try:
            with transaction.atomic(durable=True):
                payouts.payout_account_set(user=user, request=request, **account_form.cleaned_data)
        except ShijiError as exc:
            form_add_service_error(account_form, exc)
        else:
            messages.success(request, _("Your payout account is saved."))
            return redirect("payments:wallet")
    elif request.method == "POST" and not account_post and form.is_valid():
        try:
            amount = Money.from_decimal(form.cleaned_data["amount"], form.cleaned_data["currency"])
            with transaction.atomic(durable=True):
                payout = payouts.payout_request_by_seller(user=user, amount=amount)
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            if payout.status == PayoutStatus.HELD:
                messages.warning(
                    request,
                    _(
                        "Your payout account changed recently, so this payout waits for a check by our team "
                        "before it is sent."
                    ),
                )
            else:
                messages.success(request, _("Your payout is on its way."))
            return redirect("payments:wallet")
    account = selectors.payout_account_of(user)
    held_until = selectors.payout_hold_until(account) if account else None
    return render(
        request,
        "payments/pages/wallet.html",
        {
            "balances": balances,
            "payouts": list(selectors.user_payouts(user).order_by("-created_at")[:50]),
            "form": form,
            "account": account,
            "account_form": account_form,
            "held_until": held_until if held_until and held_until > timezone.now() else None,
            "verified": user.verification_level >= Level.IDENTITY,
            "minimums": [payout_minimum(currency) for currency in currencies],
        },
    )

"""The seller's wallet page: balances per currency, payouts, and a payout request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shiji.accounts.selectors import page_user
from shiji.core.errors import ShijiError
from shiji.core.money import Money
from shiji.identity.states import Level
from shiji.ledger.selectors import user_balances
from shiji.payments import payouts, selectors
from shiji.payments.fees import payout_minimum
from shiji.payments.forms import PayoutForm
from shiji.web.forms import form_add_service_error


@login_required
def wallet_view(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    balances = user_balances(user.pk)
    currencies = [row.currency for row in balances if row.available.minor > 0] or [user.currency]
    form = PayoutForm(request.POST or None, currencies=currencies)
    if request.method == "POST" and form.is_valid():
        try:
            amount = Money.from_decimal(form.cleaned_data["amount"], form.cleaned_data["currency"])
            with transaction.atomic(durable=True):
                payouts.payout_request(user=user, amount=amount)
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Your payout is on its way."))
            return redirect("payments:wallet")
    return render(
        request,
        "payments/pages/wallet.html",
        {
            "balances": balances,
            "payouts": list(selectors.user_payouts(user).order_by("-created_at")[:50]),
            "form": form,
            "verified": user.verification_level >= Level.IDENTITY,
            "minimums": [payout_minimum(currency) for currency in currencies],
        },
    )

"""Payout accounts for tests: by default changed long enough ago that no risk hold applies."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shiji.accounts.models import User
from shiji.payments.models import PayoutAccount
from shiji.payments.payouts import payout_account_set


def payout_account(user: User, *, changed_ago: timedelta = timedelta(days=8)) -> PayoutAccount:
    account = payout_account_set(user=user, method="bank", holder_name=user.display_name, account_number="12345678")
    PayoutAccount.objects.filter(pk=account.pk).update(changed_at=timezone.now() - changed_ago)
    account.refresh_from_db()
    return account

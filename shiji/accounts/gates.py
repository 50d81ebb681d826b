"""Account-wide gates other domains call at the moment a rule applies."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.core.errors import Forbidden


class AccountSuspended(Forbidden):
    code = "account_suspended"


def require_not_suspended(user: User | None) -> None:
    """Raise 403 ``account_suspended`` when a moderator has suspended ``user``'s account.

    Called where something new starts (publish a listing, place an order, open a conversation,
    file a report); finishing what is already open (shipping, answering a dispute) stays allowed.
    """
    if user is not None and user.suspended:
        raise AccountSuspended(
            _("Your account is suspended: you can finish your open orders but not start anything new.")
        )

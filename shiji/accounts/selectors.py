"""Reads of the accounts domain."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.core.errors import NotFound


def page_user(request: HttpRequest) -> User:
    """The signed-in user of a page view (behind ``login_required``)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def user_get_public(*, user_id: str) -> User:
    """An active user by id, for the public profile; anything else is 'not found'."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound(_("No such user."))
    return user


def rating_average(total: int, count: int) -> Decimal | None:
    """``total / count`` with 2 decimals, half-even; None without ratings."""
    if count == 0:
        return None
    return (Decimal(total) / count).quantize(Decimal("0.01"), ROUND_HALF_EVEN)


def user_rating_average(user: User) -> Decimal | None:
    return rating_average(user.rating_total, user.rating_count)

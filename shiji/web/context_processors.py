from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from shiji.accounts.models import User
from shiji.accounts.roles import user_roles


def shiji(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    roles = user_roles(user) if user is not None else []
    return {
        "shiji_unread_notifications": _unread_notifications(user),
        "shiji_languages": settings.LANGUAGES,
        "shiji_roles": roles,
        "shiji_is_staff": bool(roles),
        "shiji_sandbox": settings.SHIJI_SANDBOX,
    }


def _unread_notifications(user: object) -> int:
    """The count beside "Notifications" in the navigation (one indexed COUNT per page)."""
    if not isinstance(user, User):
        return 0
    from shiji.notifications.selectors import user_notifications

    return user_notifications(user=user, unread=True).count()

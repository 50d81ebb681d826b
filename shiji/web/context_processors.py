from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from shiji.accounts.roles import user_roles


def shiji(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    roles = user_roles(user) if user is not None else []
    return {
        "shiji_languages": settings.LANGUAGES,
        "shiji_roles": roles,
        "shiji_is_staff": bool(roles),
        "shiji_sandbox": settings.SHIJI_SANDBOX,
    }

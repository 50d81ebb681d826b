"""Staff roles are Django groups (PRODUCT.md §1). ``admin`` reaches every staff queue."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from shiji.core.errors import Forbidden


class Role(StrEnum):
    MODERATOR = "moderator"
    IDENTITY_REVIEWER = "identity_reviewer"
    ARBITRATOR = "arbitrator"
    FINANCE = "finance"
    ADMIN = "admin"


def user_roles(user: Any) -> list[str]:
    """The staff roles a user holds; read once per user object (one request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_shiji_roles", None)
    if cached is None:
        names = {group.name for group in user.groups.all()}
        if user.is_superuser:
            names.add(Role.ADMIN)
        cached = sorted(names & {role.value for role in Role})
        user._shiji_roles = cached
    return list(cached)


def user_has_role(user: Any, *roles: Role) -> bool:
    held = set(user_roles(user))
    return Role.ADMIN in held or any(role in held for role in roles)


def require_role(user: Any, *roles: Role) -> None:
    """Raise 403 unless ``user`` holds one of ``roles`` (or is an admin)."""
    if not user_has_role(user, *roles):
        raise Forbidden(_("Your staff role does not allow this."))

"""The moderators' queue on the backoffice dashboard."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shiji.accounts.roles import Role, user_has_role
from shiji.moderation.selectors import open_report_target_count


def staff_queues(user: Any) -> list[dict[str, Any]]:
    if not user_has_role(user, Role.MODERATOR):
        return []
    return [{"name": _("Reports"), "url": reverse("moderation_staff:queue"), "count": open_report_target_count()}]

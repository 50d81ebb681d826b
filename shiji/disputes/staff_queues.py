"""The disputes queue on the backoffice dashboard."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shiji.accounts.roles import Role, user_has_role
from shiji.disputes.models import Dispute
from shiji.disputes.states import DisputeStatus


def staff_queues(user: Any) -> list[dict[str, Any]]:
    if not user_has_role(user, Role.ARBITRATOR):
        return []
    count = Dispute.objects.filter(status=DisputeStatus.ESCALATED).count()
    return [{"name": _("Disputes to decide"), "url": reverse("disputes_staff:queue"), "count": count}]

"""The risk review queue on the backoffice dashboard."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shiji.risk import selectors


def staff_queues(user: Any) -> list[dict[str, Any]]:
    if not selectors.staff_points(user):
        return []
    return [{"name": _("Risk reviews"), "url": reverse("risk_staff:queue"), "count": selectors.open_review_count(user)}]

from __future__ import annotations

from datetime import UTC, datetime

from django.utils.translation import gettext as _

from shiji.core.errors import Forbidden


class PaymentsBlocked(Forbidden):
    """A risk block stops payments from this account or this network for a while."""

    code = "payments_blocked"

    def __init__(self, until: datetime) -> None:
        super().__init__(
            _(
                "Payments are paused for a while after several failed payment attempts. "
                "You can try again after %(until)s (UTC)."
            )
            % {"until": until.astimezone(UTC).strftime("%Y-%m-%d %H:%M")}
        )
        self.until = until

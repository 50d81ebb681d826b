"""Error codes of messaging (API.md "Conventions")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shiji.core.errors import Forbidden, InvalidInput


class OwnListing(InvalidInput):
    code = "own_listing"

    def __init__(self) -> None:
        super().__init__(_("This is your own listing: there is nobody to ask."))


class RiskBlocked(Forbidden):
    code = "risk_blocked"

    def __init__(self) -> None:
        super().__init__(
            _(
                "This message was not sent: our safety checks stopped it. "
                "If you think this is a mistake, contact support."
            )
        )

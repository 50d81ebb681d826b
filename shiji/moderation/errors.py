"""Error codes of moderation (API.md conventions: 422 invalid, 409 invalid_state, 404 not_found)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shiji.core.errors import InvalidInput, InvalidState


class OwnContent(InvalidInput):
    code = "own_content"

    def __init__(self) -> None:
        super().__init__(
            _("You cannot report yourself or your own content."),
            fields={"target_id": [_("This is yours.")]},
        )


class CannotHide(InvalidInput):
    code = "cannot_hide"

    def __init__(self) -> None:
        super().__init__(
            _("An account cannot be hidden: suspend it instead."),
            fields={"action": [_("Choose suspend for an account.")]},
        )


class NoOwner(InvalidInput):
    code = "no_owner"

    def __init__(self) -> None:
        super().__init__(
            _("Nobody owns this any more, so nobody can be warned or suspended."),
            fields={"action": [_("Dismiss or hide instead.")]},
        )


class AlreadySuspended(InvalidState):
    def __init__(self) -> None:
        super().__init__(_("This account is already suspended."))


class NotSuspended(InvalidState):
    def __init__(self) -> None:
        super().__init__(_("This account is not suspended."))


class ReportResolved(InvalidState):
    def __init__(self) -> None:
        super().__init__(_("This report has already been resolved."))

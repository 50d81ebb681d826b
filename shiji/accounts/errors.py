"""Error codes of the accounts domain (API.md "Accounts")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shiji.core.errors import Conflict, InvalidInput, Unauthorized


class EmailTaken(Conflict):
    code = "email_taken"

    def __init__(self) -> None:
        super().__init__(
            _("An account with this e-mail address already exists."), fields={"email": [_("Already registered.")]}
        )


class BadCredentials(Unauthorized):
    code = "bad_credentials"

    def __init__(self) -> None:
        super().__init__(_("Wrong e-mail address or password."))


class WeakPassword(InvalidInput):
    code = "invalid"


class BadToken(InvalidInput):
    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__(_("This link is invalid or has expired."), fields={"token": [_("Invalid or expired.")]})

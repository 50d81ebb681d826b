from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shiji.core.errors import Conflict, Forbidden


class VerificationPending(Conflict):
    code = "verification_pending"

    def __init__(self) -> None:
        super().__init__(_("Your identity document is already waiting for review."))


class AlreadyVerified(Conflict):
    code = "already_verified"

    def __init__(self) -> None:
        super().__init__(_("Your identity is already verified."))


class VerificationRequired(Forbidden):
    code = "verification_required"

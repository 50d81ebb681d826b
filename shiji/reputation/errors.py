"""Error codes of reviews and the service score."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shiji.core.errors import Conflict


class AlreadyReviewed(Conflict):
    code = "already_reviewed"

    def __init__(self) -> None:
        super().__init__(_("You have already reviewed this order."))


class AlreadyReplied(Conflict):
    code = "already_replied"

    def __init__(self) -> None:
        super().__init__(_("You have already replied to this review."))

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shiji.core.errors import InvalidInput


class InsufficientFunds(InvalidInput):
    """Posting would take an account that holds someone's money below zero."""

    code = "insufficient_funds"

    def __init__(self, message: object | None = None) -> None:
        super().__init__(message or _("There is not enough money in this balance."))  # type: ignore[arg-type]


class UnbalancedEntry(ValueError):
    """A journal entry whose postings do not sum to zero per currency: a programming error."""

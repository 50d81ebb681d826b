from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shiji.core.errors import InvalidInput, ShijiError


class ProviderError(ShijiError):
    """The payment provider refused or could not be reached."""

    status = 502
    code = "provider_error"


class PaymentsUnavailable(ShijiError):
    status = 503
    code = "payments_unavailable"

    def __init__(self) -> None:
        super().__init__(_("Payments are not available right now. Please try again later."))


class BadCallback(ShijiError):
    """A correctly signed callback that cannot be applied (unknown object, wrong amount, bad shape)."""

    status = 400
    code = "bad_callback"


class RefundTooLarge(InvalidInput):
    code = "refund_too_large"


class BelowMinimum(InvalidInput):
    code = "below_minimum"


class PayoutAccountRequired(InvalidInput):
    code = "payout_account_required"

    def __init__(self) -> None:
        super().__init__(_("Add a payout account first: it is where your payouts are sent."))

"""Customs error codes: ``customs_limit`` (422) and ``customs_unavailable`` (422)."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from shiji.core.errors import InvalidInput
from shiji.core.money import Money


class Limit(StrEnum):
    CN_CBEC_TRANSACTION = "cn_cbec_transaction"
    CN_CBEC_ANNUAL = "cn_cbec_annual"
    CN_POSTAL_PARCEL = "cn_postal_parcel"


class CustomsLimitExceeded(InvalidInput):
    """The parcel cannot be imported as ordered. ``limit`` says which limit, ``remaining`` (annual
    allowance only) how much of it the buyer has left this year."""

    code = "customs_limit"

    def __init__(self, limit: Limit, *, value: Money, maximum: Money, remaining: Money | None = None) -> None:
        amounts = {"value": str(value), "limit": str(maximum), "remaining": str(remaining or Money.zero("CNY"))}
        if limit is Limit.CN_CBEC_TRANSACTION:
            message = _(
                "Cross-border e-commerce orders to China are limited to %(limit)s each; this one comes to "
                "%(value)s. Order fewer items at a time."
            )
        elif limit is Limit.CN_CBEC_ANNUAL:
            message = _(
                "This order (%(value)s) would take you past your yearly cross-border shopping allowance of "
                "%(limit)s in China; %(remaining)s is left this year."
            )
        else:
            message = _(
                "Parcels sent to China by post are limited to %(limit)s; this one comes to %(value)s. Choose "
                "a shipping service with duties paid in advance, or order fewer items."
            )
        super().__init__(message % amounts)
        self.limit = limit
        self.value = value
        self.maximum = maximum
        self.remaining = remaining


class CustomsUnavailable(InvalidInput):
    """The rules for a destination are incomplete on that date (an operator must fix the data)."""

    code = "customs_unavailable"

    def __init__(self, country: str, missing: str) -> None:
        super().__init__(
            _("Duties and taxes for %(country)s cannot be worked out right now. Please try again later.")
            % {"country": country}
        )
        self.missing = missing

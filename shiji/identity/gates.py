"""What each verification level allows (PRODUCT.md §1). Limits are settings.

Level 0 may buy and sell up to a small cumulative amount (about US$300) with payouts held;
level 1 sells without that limit, goes live, hosts experiences and joins partner matching;
level 2 (tax details) is required once a seller nears the platform-reporting thresholds.
Other domains call these at the moment the rule applies (publish, payout, go live, …).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.identity.errors import VerificationRequired
from shiji.identity.states import Level


def require_level(user: User, level: int) -> None:
    """Raise 403 ``verification_required`` unless ``user`` has reached ``level``."""
    if user.verification_level < level:
        if level >= Level.TAX:
            message = _("Add your tax details before you continue.")
        else:
            message = _("Verify your identity before you continue.")
        raise VerificationRequired(message)


def check_unverified_sales_limit(*, seller: User, sales_usd_cents_after: int) -> None:
    """A level-0 seller's cumulative sales (listed value, in US cents) must stay within the limit."""
    if (
        seller.verification_level < Level.IDENTITY
        and sales_usd_cents_after > settings.SHIJI_UNVERIFIED_SALES_LIMIT_USD_CENTS
    ):
        raise VerificationRequired(
            _(
                "Sellers without a verified identity can sell up to US$%(limit)s in total. "
                "Verify your identity to sell more."
            )
            % {"limit": settings.SHIJI_UNVERIFIED_SALES_LIMIT_USD_CENTS // 100}
        )


def check_payout_allowed(*, user: User) -> None:
    """Payouts are held until the identity is verified."""
    require_level(user, Level.IDENTITY)


@dataclass(frozen=True)
class YearlySales:
    eu_count: int = 0
    eu_eur_cents: int = 0
    us_count: int = 0
    us_usd_cents: int = 0


def tax_details_required(sales: YearlySales) -> bool:
    """True once a seller reaches a reporting threshold (EU DAC7: 30 sales or €2,000 a year;
    US: $20,000 and 200 transactions)."""
    eu = (
        sales.eu_count >= settings.SHIJI_EU_REPORTING_SALES
        or sales.eu_eur_cents >= settings.SHIJI_EU_REPORTING_EUR_CENTS
    )
    us = (
        sales.us_usd_cents >= settings.SHIJI_US_REPORTING_USD_CENTS
        and sales.us_count >= settings.SHIJI_US_REPORTING_TRANSACTIONS
    )
    return eu or us


def check_tax_details(*, seller: User, sales: YearlySales) -> None:
    if tax_details_required(sales):
        require_level(seller, Level.TAX)

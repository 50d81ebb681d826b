import pytest

from shiji.accounts.tests.factories import UserFactory
from shiji.identity.errors import VerificationRequired
from shiji.identity.gates import (
    YearlySales,
    check_payout_allowed,
    check_tax_details,
    check_unverified_sales_limit,
    tax_details_required,
)

pytestmark = pytest.mark.django_db


def test_unverified_seller_may_sell_up_to_the_limit(settings):
    settings.SHIJI_UNVERIFIED_SALES_LIMIT_USD_CENTS = 30000
    seller = UserFactory(verification_level=0)
    check_unverified_sales_limit(seller=seller, sales_usd_cents_after=30000)
    with pytest.raises(VerificationRequired) as exc:
        check_unverified_sales_limit(seller=seller, sales_usd_cents_after=30001)
    assert exc.value.status == 403 and exc.value.code == "verification_required"
    check_unverified_sales_limit(seller=UserFactory(verification_level=1), sales_usd_cents_after=10**9)


def test_payouts_are_held_until_identity_is_verified():
    with pytest.raises(VerificationRequired):
        check_payout_allowed(user=UserFactory(verification_level=0))
    check_payout_allowed(user=UserFactory(verification_level=1))


@pytest.mark.parametrize(
    ("sales", "required"),
    [
        (YearlySales(eu_count=29, eu_eur_cents=199_999), False),
        (YearlySales(eu_count=30), True),
        (YearlySales(eu_eur_cents=200_000), True),
        (YearlySales(us_count=199, us_usd_cents=5_000_000), False),
        (YearlySales(us_count=200, us_usd_cents=1_999_999), False),
        (YearlySales(us_count=200, us_usd_cents=2_000_000), True),
    ],
)
def test_reporting_thresholds(sales, required):
    assert tax_details_required(sales) is required
    seller = UserFactory(verification_level=1)
    if required:
        with pytest.raises(VerificationRequired):
            check_tax_details(seller=seller, sales=sales)
    else:
        check_tax_details(seller=seller, sales=sales)
    check_tax_details(seller=UserFactory(verification_level=2), sales=sales)

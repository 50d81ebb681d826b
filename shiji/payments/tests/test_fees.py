"""The buyer-protection fee, the seller's commission and the payout minimum (PRODUCT.md §4).

Percent of the item price rounded half-even to the currency's minor unit, plus an optional
fixed part per currency; a CategoryFee row overrides the percentages for one category; a
reliable seller (service score >= SHIJI_RELIABLE_SCORE) pays the reduced commission; the
commission never exceeds the price. Fees become platform revenue only when an order completes.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from django.test import TestCase

from shiji.catalog.models import Category
from shiji.core.money import Money
from shiji.ledger.check import ledger_check
from shiji.ledger.models import Purpose
from shiji.ledger.selectors import balance
from shiji.ledger.services import platform_account, user_account
from shiji.orders import flow
from shiji.orders.models import Order
from shiji.orders.tests.factories import listing_jp, mark_shipped, order_placed, pay, seller_jp
from shiji.payments.fees import buyer_fee, check_fee_settings, commission, payout_minimum, seller_is_reliable
from shiji.payments.models import CategoryFee

pytestmark = pytest.mark.django_db


def jpy(minor: int) -> Money:
    return Money(minor, "JPY")


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


def category(slug: str) -> Category:
    return Category.objects.get(slug=slug)


# --- buyer-protection fee --------------------------------------------------------------------


def test_the_default_buyer_fee_is_three_percent():
    assert buyer_fee(jpy(10000)) == jpy(300)
    assert buyer_fee(cny(32640)) == cny(979)  # 326.40 → 9.792 → 9.79
    assert buyer_fee(jpy(0)) == jpy(0)


def test_a_fixed_buyer_fee_is_added_in_its_own_currency_only(settings):
    settings.SHIJI_BUYER_FEE_FIXED = "JPY:100"
    assert buyer_fee(jpy(10000)) == jpy(400)
    assert buyer_fee(cny(10000)) == cny(300)  # no fixed part configured for CNY
    settings.SHIJI_BUYER_FEE_FIXED = "JPY:100, CNY:2.50"
    assert buyer_fee(cny(10000)) == cny(550)


def test_the_buyer_fee_percent_follows_the_setting(settings):
    settings.SHIJI_BUYER_FEE_PERCENT = "5"
    assert buyer_fee(jpy(10000)) == jpy(500)
    settings.SHIJI_BUYER_FEE_PERCENT = "0"
    assert buyer_fee(jpy(10000)) == jpy(0)


@pytest.mark.parametrize(
    ("percent", "item", "fee"),
    [
        ("2.5", 100, 2),  # 2.5 → 2 (to even)
        ("2.5", 300, 8),  # 7.5 → 8 (to even)
        ("2.5", 500, 12),  # 12.5 → 12
        ("2.5", 700, 18),  # 17.5 → 18
        ("3", 50, 2),  # 1.5 → 2
        ("3", 150, 4),  # 4.5 → 4
        ("3", 151, 5),  # 4.53 → 5 (not a tie: nearest)
        ("3", 149, 4),  # 4.47 → 4
    ],
)
def test_fees_round_half_to_even(settings, percent, item, fee):
    settings.SHIJI_BUYER_FEE_PERCENT = percent
    settings.SHIJI_COMMISSION_PERCENT = percent
    assert buyer_fee(jpy(item)) == jpy(fee)
    assert commission(jpy(item)) == jpy(fee)


def test_half_even_rounding_works_on_minor_units_of_two_digit_currencies(settings):
    settings.SHIJI_BUYER_FEE_PERCENT = "3"
    assert buyer_fee(cny(1050)) == cny(32)  # 10.50 × 3 % = 0.315 → 0.32
    assert buyer_fee(cny(1150)) == cny(34)  # 11.50 × 3 % = 0.345 → 0.34


# --- commission ------------------------------------------------------------------------------


def test_the_default_commission_and_the_reliable_sellers_reduced_one():
    assert commission(jpy(6800)) == jpy(544)  # 8 %
    assert commission(jpy(6800), reliable=True) == jpy(408)  # 6 %


def test_a_fixed_commission_is_added(settings):
    settings.SHIJI_COMMISSION_FIXED = "JPY:50"
    assert commission(jpy(6800)) == jpy(594)
    assert commission(jpy(6800), reliable=True) == jpy(458)
    assert commission(cny(10000)) == cny(800)


def test_the_commission_never_exceeds_the_price(settings):
    settings.SHIJI_COMMISSION_FIXED = "JPY:500"
    assert commission(jpy(300)) == jpy(300)
    assert commission(jpy(1)) == jpy(1)
    assert commission(jpy(0)) == jpy(0)
    assert commission(jpy(10000)) == jpy(1300)
    settings.SHIJI_COMMISSION_PERCENT = "50"
    settings.SHIJI_COMMISSION_FIXED = "JPY:100000"
    assert commission(jpy(6800)) == jpy(6800)


@pytest.mark.parametrize(("score", "reliable"), [(0, False), (70, False), (74, False), (75, True), (100, True)])
def test_a_seller_is_reliable_from_the_configured_score(score, reliable):
    assert seller_is_reliable(score) is reliable


def test_the_reliable_score_is_a_setting(settings):
    settings.SHIJI_RELIABLE_SCORE = 80
    assert seller_is_reliable(79) is False
    assert seller_is_reliable(80) is True


def test_the_reduced_commission_is_a_setting(settings):
    settings.SHIJI_COMMISSION_RELIABLE_PERCENT = "4"
    assert commission(jpy(6800), reliable=True) == jpy(272)
    assert commission(jpy(6800)) == jpy(544)


# --- per-category overrides ------------------------------------------------------------------


def test_a_category_fee_overrides_the_percentages_for_that_category_only():
    dresses = category("dresses")
    CategoryFee.objects.create(
        category=dresses,
        buyer_fee_percent=Decimal("5"),
        commission_percent=Decimal("10"),
        commission_reliable_percent=Decimal("7"),
    )
    assert buyer_fee(jpy(10000), category_id=dresses.pk) == jpy(500)
    assert commission(jpy(10000), category_id=dresses.pk) == jpy(1000)
    assert commission(jpy(10000), category_id=dresses.pk, reliable=True) == jpy(700)
    ceramics = category("ceramics")
    assert buyer_fee(jpy(10000), category_id=ceramics.pk) == jpy(300)
    assert commission(jpy(10000), category_id=ceramics.pk) == jpy(800)
    assert commission(jpy(10000), category_id=ceramics.pk, reliable=True) == jpy(600)


def test_empty_override_fields_fall_back_to_the_settings():
    dresses = category("dresses")
    CategoryFee.objects.create(category=dresses, commission_percent=Decimal("12"))
    assert buyer_fee(jpy(10000), category_id=dresses.pk) == jpy(300)
    assert commission(jpy(10000), category_id=dresses.pk) == jpy(1200)
    assert commission(jpy(10000), category_id=dresses.pk, reliable=True) == jpy(600)


def test_a_zero_override_means_free_not_the_default():
    dresses = category("dresses")
    CategoryFee.objects.create(
        category=dresses,
        buyer_fee_percent=Decimal("0"),
        commission_percent=Decimal("0"),
        commission_reliable_percent=Decimal("0"),
    )
    assert buyer_fee(jpy(10000), category_id=dresses.pk) == jpy(0)
    assert commission(jpy(10000), category_id=dresses.pk) == jpy(0)
    assert commission(jpy(10000), category_id=dresses.pk, reliable=True) == jpy(0)


def test_the_fixed_parts_still_apply_with_a_category_override(settings):
    settings.SHIJI_BUYER_FEE_FIXED = "JPY:100"
    settings.SHIJI_COMMISSION_FIXED = "JPY:20"
    dresses = category("dresses")
    CategoryFee.objects.create(category=dresses, buyer_fee_percent=Decimal("1"), commission_percent=Decimal("2"))
    assert buyer_fee(jpy(10000), category_id=dresses.pk) == jpy(200)
    assert commission(jpy(10000), category_id=dresses.pk) == jpy(220)


# --- payout minimum and settings checks ------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "minimum"),
    [("JPY", 1000), ("KRW", 10000), ("CNY", 5000), ("TWD", 30000), ("THB", 30000), ("USD", 1000), ("EUR", 1000)],
)
def test_payout_minimum_defaults(currency, minimum):
    assert payout_minimum(currency) == Money(minimum, currency)


def test_payout_minimum_follows_the_setting(settings):
    settings.SHIJI_PAYOUT_MINIMUMS = "JPY:3000,USD:25.50"
    assert payout_minimum("JPY") == jpy(3000)
    assert payout_minimum("USD") == Money(2550, "USD")
    assert payout_minimum("CNY") == cny(1000)  # not configured: 10 major units


def test_the_shipped_settings_pass_the_check():
    assert check_fee_settings() == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SHIJI_COMMISSION_PERCENT", "80"),
        ("SHIJI_COMMISSION_PERCENT", "-1"),
        ("SHIJI_BUYER_FEE_PERCENT", "three"),
        ("SHIJI_COMMISSION_RELIABLE_PERCENT", "NaN"),
        ("SHIJI_BUYER_FEE_FIXED", "JPY100"),
        ("SHIJI_BUYER_FEE_FIXED", "JPY:1.5"),
        ("SHIJI_COMMISSION_FIXED", "JPY:-5"),
        ("SHIJI_PAYOUT_MINIMUMS", "JPY:lots"),
    ],
)
def test_bad_fee_settings_are_reported(settings, name, value):
    setattr(settings, name, value)
    problems = check_fee_settings()
    assert len(problems) == 1
    assert name in problems[0]


# --- the fees on real orders ------------------------------------------------------------------


def completed(order: Order) -> Order:
    """Ship and complete a paid order."""
    mark_shipped(order)
    with TestCase.captureOnCommitCallbacks(execute=True):
        flow.order_complete(order_id=order.pk)
    order.refresh_from_db()
    return order


def test_the_quote_charges_the_buyer_fee_on_the_converted_price():
    order = order_placed()
    assert order.currency == "CNY"
    assert order.buyer_fee_minor == buyer_fee(cny(order.item_minor)).minor
    assert order.buyer_fee_minor > 0
    assert order.total_minor == order.item_minor + order.buyer_fee_minor + order.shipping_minor + (
        order.duties_minor + order.taxes_minor if order.duties_mode == "prepaid" else 0
    )


@pytest.mark.parametrize(("score", "commission_minor"), [(70, 544), (74, 544), (75, 408), (90, 408)])
def test_a_completed_order_credits_the_price_minus_the_sellers_commission(score, commission_minor):
    seller = seller_jp(service_score=score)
    order = order_placed(listing=listing_jp(seller))
    pay(order)
    # Fees are platform revenue only once the order completes.
    assert balance(platform_account(Purpose.REVENUE), "CNY").minor == 0
    assert balance(platform_account(Purpose.REVENUE), "JPY").minor == 0

    order = completed(order)

    assert order.commission_minor == commission_minor
    assert order.seller_proceeds_minor == 6800 - commission_minor
    assert balance(user_account(seller.pk), "JPY").minor == 6800 - commission_minor
    assert balance(platform_account(Purpose.REVENUE), "JPY").minor == commission_minor
    fx_margin = order.item_minor - order.item_mid_minor
    assert fx_margin >= 0
    assert balance(platform_account(Purpose.REVENUE), "CNY").minor == order.buyer_fee_minor + fx_margin
    report = ledger_check()
    assert report.balanced and report.escrow_matches_orders, report.problems


def test_a_category_override_applies_to_the_quote_and_the_release():
    seller = seller_jp(service_score=80)
    dresses = category("dresses")
    CategoryFee.objects.create(
        category=dresses, buyer_fee_percent=Decimal("4"), commission_reliable_percent=Decimal("2.5")
    )
    listing = listing_jp(seller)  # listed under "dresses"
    assert listing.category_id == dresses.pk
    order = order_placed(listing=listing)
    assert order.buyer_fee_minor == buyer_fee(cny(order.item_minor), category_id=dresses.pk).minor
    four_percent = (Decimal(order.item_minor) * 4 / 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    assert order.buyer_fee_minor == int(four_percent)

    order = completed(pay(order))

    assert order.commission_minor == 170  # 2.5 % of ¥6,800
    assert balance(user_account(seller.pk), "JPY").minor == 6630

from decimal import Decimal

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from shiji.core.money import Money
from shiji.fx.checks import check_fx_margin
from shiji.fx.selectors import fx_convert, fx_convert_at, fx_customer_rate, fx_margin, fx_rate
from shiji.fx.services import fx_rate_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    settings.SHIJI_FX_MARGIN_PERCENT = "1.0"
    settings.SHIJI_FX_PIVOT = "USD"
    fx_rate_set(actor=None, base="USD", quote="JPY", rate="150", source="test")
    fx_rate_set(actor=None, base="USD", quote="CNY", rate="7.2", source="test")


@pytest.mark.parametrize(
    ("percent", "fraction"),
    [("1.0", Decimal("0.01")), ("0", Decimal(0)), (" 2.5 ", Decimal("0.025")), ("19.99", Decimal("0.1999"))],
)
def test_margin_is_a_fraction_of_the_percent_setting(settings, percent, fraction):
    settings.SHIJI_FX_MARGIN_PERCENT = percent
    assert fx_margin() == fraction
    assert check_fx_margin(None) == []


@pytest.mark.parametrize("percent", ["-0.5", "20", "25", "abc", "", "NaN", "Infinity", "1,5"])
def test_a_bad_margin_is_improperly_configured_and_a_system_check_error(settings, percent):
    settings.SHIJI_FX_MARGIN_PERCENT = percent
    with pytest.raises(ImproperlyConfigured, match="SHIJI_FX_MARGIN_PERCENT"):
        fx_margin()
    errors = check_fx_margin(None)
    assert [error.id for error in errors] == ["fx.E001"]
    assert "SHIJI_FX_MARGIN_PERCENT" in errors[0].msg
    assert "fx.E001" in [message.id for message in run_checks()]  # registered in FxConfig.ready()


def test_margin_is_applied_once_to_the_mid_rate(rates):
    customer = fx_customer_rate("USD", "JPY")
    assert customer.mid == fx_rate(base="USD", quote="JPY")
    assert customer.margin == Decimal("0.01")
    assert customer.rate == Decimal("151.5")
    # the buyer pays the customer rate; the difference to the mid conversion is platform revenue
    price = Money(1000, "USD")  # 10.00 USD
    paid = fx_convert_at(price, customer.rate, "JPY")
    mid = fx_convert(price, customer.mid)
    assert (paid, mid) == (Money(1515, "JPY"), Money(1500, "JPY"))
    assert paid - mid == Money(15, "JPY")


def test_no_margin_for_the_same_currency(rates):
    customer = fx_customer_rate("JPY", "JPY")
    assert customer.rate == Decimal(1) and customer.margin == 0
    assert fx_convert_at(Money(1234, "JPY"), customer.rate, "JPY") == Money(1234, "JPY")


def test_no_margin_when_the_margin_is_zero(rates, settings):
    settings.SHIJI_FX_MARGIN_PERCENT = "0"
    customer = fx_customer_rate("USD", "CNY")
    assert customer.rate == customer.mid.rate == Decimal("7.2")


def test_customer_rates_round_half_even_to_zero_digit_jpy(rates):
    rate = fx_customer_rate("USD", "JPY").rate  # 151.5
    assert fx_convert_at(Money(100, "USD"), rate, "JPY") == Money(152, "JPY")  # 151.5 → 152 (even)
    assert fx_convert_at(Money(300, "USD"), rate, "JPY") == Money(454, "JPY")  # 454.5 → 454 (even)
    assert fx_convert_at(Money(101, "USD"), rate, "JPY") == Money(153, "JPY")  # 153.015 → 153


def test_customer_rates_round_half_even_to_two_digit_cny(rates):
    fx_rate_set(actor=None, base="JPY", quote="CNY", rate="0.05", source="test")
    rate = fx_customer_rate("JPY", "CNY").rate  # 0.0505
    assert rate == Decimal("0.0505")
    assert fx_convert_at(Money(10, "JPY"), rate, "CNY") == Money(50, "CNY")  # 0.505 → 0.50 (even)
    assert fx_convert_at(Money(30, "JPY"), rate, "CNY") == Money(152, "CNY")  # 1.515 → 1.52 (even)
    assert fx_convert_at(Money(1, "JPY"), rate, "CNY") == Money(5, "CNY")  # 0.0505 → 0.05


def test_inverse_rate_with_margin_charges_the_buyer_more_not_less(rates):
    customer = fx_customer_rate("JPY", "USD")
    assert customer.mid.rate == Decimal(1) / Decimal(150)
    assert customer.rate == Decimal(1) / Decimal(150) * Decimal("1.01")
    assert fx_convert_at(Money(15000, "JPY"), customer.rate, "USD") == Money(10100, "USD")  # 101.00 USD


def test_cross_rate_gets_the_margin_once_not_per_hop(rates):
    customer = fx_customer_rate("JPY", "CNY")
    assert customer.mid.source == "cross:USD"
    assert customer.rate == Decimal(1) / Decimal(150) * Decimal("7.2") * Decimal("1.01")
    # 10,000 JPY: mid 480.00 CNY, the buyer pays 484.80 CNY (not 489.65 with a margin per hop)
    assert fx_convert(Money(10000, "JPY"), customer.mid) == Money(48000, "CNY")
    assert fx_convert_at(Money(10000, "JPY"), customer.rate, "CNY") == Money(48480, "CNY")


def test_fx_convert_delegates_and_refuses_the_wrong_currency(rates):
    rate = fx_rate(base="USD", quote="JPY")
    assert fx_convert(Money(100, "USD"), rate) == fx_convert_at(Money(100, "USD"), rate.rate, "JPY")
    with pytest.raises(ValueError, match="cannot convert"):
        fx_convert(Money(100, "CNY"), rate)
    with pytest.raises(ValueError, match="cannot convert"):
        fx_convert_at(Money(100, "USD"), Decimal(0), "JPY")

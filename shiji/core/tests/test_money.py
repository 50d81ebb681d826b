from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shiji.core.errors import InvalidInput
from shiji.core.money import CurrencyMismatch, Money, check_supported_currency, currency_digits

CURRENCIES = ["CNY", "JPY", "KRW", "USD", "EUR", "GBP", "HKD", "TWD", "SGD", "THB"]


@pytest.mark.parametrize(
    ("code", "digits"),
    [
        ("JPY", 0),
        ("KRW", 0),
        ("CNY", 2),
        ("USD", 2),
        ("EUR", 2),
        ("GBP", 2),
        ("HKD", 2),
        ("SGD", 2),
        ("THB", 2),
        ("BHD", 3),
    ],
)
def test_minor_digits_follow_iso_4217(code, digits):
    assert currency_digits(code) == digits


@pytest.mark.parametrize("code", ["XXX1", "ABC", "jpy", "", "EURO"])
def test_unknown_currency_is_a_422(code):
    with pytest.raises(InvalidInput) as exc:
        currency_digits(code)
    assert exc.value.status == 422


def test_amounts_render_with_exactly_the_currency_digits():
    assert Money(6120, "CNY").amount_str() == "61.20"
    assert Money(1200, "JPY").amount_str() == "1200"
    assert Money(-5, "USD").amount_str() == "-0.05"
    assert Money(1200, "JPY").as_dict() == {"amount": "1200", "currency": "JPY"}


def test_from_decimal_is_exact_and_refuses_extra_precision():
    assert Money.from_decimal("61.2", "CNY") == Money(6120, "CNY")
    assert Money.from_decimal(Decimal("1200"), "JPY") == Money(1200, "JPY")
    with pytest.raises(InvalidInput):
        Money.from_decimal("12.5", "JPY")
    with pytest.raises(InvalidInput):
        Money.from_decimal("1.234", "CNY")
    with pytest.raises(InvalidInput):
        Money.from_decimal("abc", "CNY")
    with pytest.raises(InvalidInput):
        Money.from_decimal("NaN", "CNY")
    with pytest.raises(TypeError):
        Money.from_decimal(1.5, "CNY")  # type: ignore[arg-type]


def test_money_never_holds_a_float_or_mixes_currencies():
    with pytest.raises(TypeError):
        Money(1.0, "CNY")  # type: ignore[arg-type]
    with pytest.raises(CurrencyMismatch):
        Money(100, "CNY") + Money(100, "JPY")
    with pytest.raises(CurrencyMismatch):
        _ = Money(100, "CNY") < Money(100, "JPY")
    assert Money(100, "CNY") + Money(5, "CNY") == Money(105, "CNY")
    assert Money(100, "CNY") * 3 == Money(300, "CNY")
    with pytest.raises(TypeError):
        Money(100, "CNY") * 0.5  # type: ignore[operator]


def test_supported_currency_check_names_the_field():
    assert check_supported_currency("CNY") == "CNY"
    with pytest.raises(InvalidInput) as exc:
        check_supported_currency("ZWL", field="price.currency")
    assert "price.currency" in exc.value.fields


def test_format_follows_the_locale():
    assert "1,200" in Money(1200, "JPY").format("en")
    assert "61.20" in Money(6120, "CNY").format("zh-hans")


@given(
    minor=st.integers(min_value=-(10**15), max_value=10**15),
    currency=st.sampled_from(CURRENCIES),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12).filter(lambda w: sum(w) > 0),
)
def test_money_allocation_always_adds_up(minor, currency, weights):
    parts = Money(minor, currency).allocate(weights)
    assert sum(p.minor for p in parts) == minor
    assert all(p.currency == currency for p in parts)


@given(minor=st.integers(min_value=-(10**12), max_value=10**12), currency=st.sampled_from(CURRENCIES))
def test_decimal_round_trip(minor, currency):
    money = Money(minor, currency)
    assert Money.from_decimal(money.amount_str(), currency) == money

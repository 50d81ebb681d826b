from decimal import Decimal

import pytest

from shiji.accounts.tests.factories import UserFactory
from shiji.core.money import Money
from shiji.fx.errors import RateUnavailable
from shiji.fx.models import FxRate
from shiji.fx.selectors import fx_convert, fx_rate
from shiji.fx.services import fx_rate_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates():
    fx_rate_set(actor=None, base="USD", quote="JPY", rate="150", source="test")
    fx_rate_set(actor=None, base="USD", quote="CNY", rate="7.2", source="test")


def test_direct_inverse_and_cross_rates(rates):
    assert fx_rate(base="USD", quote="JPY").rate == Decimal(150)
    assert fx_rate(base="JPY", quote="USD").rate == Decimal(1) / Decimal(150)
    cross = fx_rate(base="JPY", quote="CNY")
    assert cross.rate == Decimal(1) / Decimal(150) * Decimal("7.2")
    assert cross.source == "cross:USD"
    assert fx_rate(base="CNY", quote="CNY").rate == 1


def test_missing_rate_is_a_clear_422(rates):
    with pytest.raises(RateUnavailable) as exc:
        fx_rate(base="KRW", quote="EUR")
    assert exc.value.status == 422 and exc.value.code == "fx_rate_unavailable"


def test_conversion_rounds_half_even_to_the_target_digits(rates):
    # 1,000 JPY at 0.048 CNY/JPY = 48.00 CNY exactly
    assert fx_convert(Money(1000, "JPY"), fx_rate(base="JPY", quote="CNY")) == Money(4800, "CNY")
    fx_rate_set(actor=None, base="CNY", quote="JPY", rate="20.125", source="test")
    rate = fx_rate(base="CNY", quote="JPY")
    assert fx_convert(Money(100, "CNY"), rate) == Money(20, "JPY")  # 20.125 → 20
    assert fx_convert(Money(250, "CNY"), rate) == Money(50, "JPY")  # 50.3125 → 50
    fx_rate_set(actor=None, base="CNY", quote="JPY", rate="20.5", source="test")
    assert fx_convert(Money(100, "CNY"), fx_rate(base="CNY", quote="JPY")) == Money(20, "JPY")  # 20.5 → 20 (even)
    assert fx_convert(Money(300, "CNY"), fx_rate(base="CNY", quote="JPY")) == Money(62, "JPY")  # 61.5 → 62 (even)


def test_newest_rate_wins(rates):
    fx_rate_set(actor=None, base="USD", quote="JPY", rate="151", source="later")
    assert fx_rate(base="USD", quote="JPY").rate == Decimal(151)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"base": "USD", "quote": "XXX", "rate": "1", "source": "s"}, "quote"),
        ({"base": "USD", "quote": "USD", "rate": "1", "source": "s"}, "quote"),
        ({"base": "USD", "quote": "JPY", "rate": "-1", "source": "s"}, "rate"),
        ({"base": "USD", "quote": "JPY", "rate": "abc", "source": "s"}, "rate"),
        ({"base": "USD", "quote": "JPY", "rate": "1.0000000000001", "source": "s"}, "rate"),
        ({"base": "USD", "quote": "JPY", "rate": "150", "source": ""}, "source"),
    ],
)
def test_finance_sets_rates_with_validation(api_as, body, field):
    finance = api_as(UserFactory(roles=["finance"]))
    response = finance.put("/staff/fx-rates", body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


def test_only_finance_or_admin_may_set_rates_and_anyone_may_read(api, api_as):
    body = {"base": "USD", "quote": "JPY", "rate": "149.5", "source": "ECB"}
    assert api.put("/staff/fx-rates", body).status_code == 401
    assert api_as(UserFactory(roles=["moderator"])).put("/staff/fx-rates", body).status_code == 403
    response = api_as(UserFactory(roles=["finance"])).put("/staff/fx-rates", body)
    assert response.status_code == 200
    read = api.get("/fx", {"base": "JPY", "quote": "USD"}).json()
    assert Decimal(read["rate"]) == Decimal(1) / Decimal("149.5")
    assert read["source"] == "ECB" and read["as_of"].endswith("Z")
    assert api.get("/fx", {"base": "JPY", "quote": "ZZZ"}).status_code == 422


def test_rates_are_stored_and_served_as_plain_decimals(api, rates):
    assert FxRate.objects.get(base="USD", quote="JPY").rate == "150"  # not "1.5E+2"
    assert api.get("/fx", {"base": "USD", "quote": "JPY"}).json()["rate"] == "150"

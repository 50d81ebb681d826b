"""Chargeable weight (CUSTOMS.md "Shipping data") and carrier options (PRODUCT.md §6)."""

from __future__ import annotations

import pytest

from shiji.core.errors import InvalidInput
from shiji.core.money import Money
from shiji.shipping.models import Carrier, CarrierService
from shiji.shipping.rates import chargeable_weight_g, parcel_for, shipping_option, shipping_options
from shiji.shipping.tests.factories import make_service

JP_SERVICES = {"jp-post-small-packet", "jp-ems", "jp-express-ddp", "jp-sf-international", "jp-yamato-international"}
CN_SERVICES = {"cn-post-small-packet", "cn-ems", "cn-express-ddp", "cn-sf-international"}


# --- chargeable weight ------------------------------------------------------------------------


def test_light_bulky_parcel_under_divisors_5000_and_6000() -> None:
    """Issue 5 acceptance: 800 g in a 40 × 30 × 30 cm box (36,000 cm³)."""
    assert chargeable_weight_g(800, 40, 30, 30, 5000, 500) == 7500  # 7.2 kg → 7.5 kg (express)
    assert chargeable_weight_g(800, 40, 30, 30, 6000, 500) == 6000  # 6.0 kg exactly (postal, SF)


def test_heavy_small_parcel_is_charged_by_its_actual_weight() -> None:
    assert chargeable_weight_g(5000, 10, 10, 10, 5000, 500) == 5000
    assert chargeable_weight_g(5001, 10, 10, 10, 5000, 500) == 5500


@pytest.mark.parametrize(
    ("actual", "step", "expected"),
    [(1000, 500, 1000), (1001, 500, 1500), (1, 500, 500), (0, 500, 500), (1234, 100, 1300), (1200, 100, 1200)],
)
def test_rounds_up_to_the_step(actual: int, step: int, expected: int) -> None:
    assert chargeable_weight_g(actual, 1, 1, 1, 6000, step) == expected


def test_volumetric_weight_is_rounded_up_not_down() -> None:
    # 30 × 20 × 10 = 6,000 cm³: exactly 1 kg at 6,000, 1.2 kg at 5,000; 6,001 cm³ → 1,000.17 g.
    assert chargeable_weight_g(100, 30, 20, 10, 6000, 1) == 1000
    assert chargeable_weight_g(100, 30, 20, 10, 5000, 1) == 1200
    assert chargeable_weight_g(100, 6001, 1, 1, 6000, 1) == 1001


@pytest.mark.parametrize(
    "args",
    [(-1, 1, 1, 1, 6000, 500), (1, 1, 1, 1, 0, 500), (1, 1, 1, 1, 6000, 0), (1.5, 1, 1, 1, 6000, 500)],
)
def test_nonsense_sizes_are_programming_errors(args: tuple) -> None:
    with pytest.raises(ValueError):
        chargeable_weight_g(*args)


def test_several_items_stack_along_their_shortest_side() -> None:
    parcel = parcel_for(500, (10, 30, 20), quantity=3)
    assert (parcel.weight_g, parcel.length_cm, parcel.width_cm, parcel.height_cm) == (1500, 30, 30, 20)
    with pytest.raises(InvalidInput) as caught:
        parcel_for(0, (10, 0, 20), quantity=0)
    assert set(caught.value.fields) == {"weight_g", "dims_cm", "quantity"}


# --- options ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_jp_to_cn_small_parcel_gets_every_jp_service_sorted_by_price() -> None:
    options = shipping_options("JP", "CN", 800, (30, 20, 10))
    assert {o.service for o in options} == JP_SERVICES
    prices = [o.price for o in options]
    assert prices == sorted(prices)
    assert all(o.price.currency == "JPY" for o in options)
    by_code = {o.service: o for o in options}
    # Seeded tables: small packet 700 + 120 per further 100 g; EMS zone 1 first 500 g 1,450 + 350.
    assert by_code["jp-post-small-packet"].price == Money(700 + 120 * 9, "JPY")
    assert by_code["jp-post-small-packet"].chargeable_weight_g == 1000  # 6,000 cm³ / 6,000 = 1 kg
    assert by_code["jp-ems"].price == Money(1450 + 350, "JPY")
    assert by_code["jp-express-ddp"].chargeable_weight_g == 1500  # 1.2 kg at divisor 5,000
    assert by_code["jp-express-ddp"].ddp is True
    assert by_code["jp-ems"].ddp is False
    assert by_code["jp-ems"].tracked is True
    assert (by_code["jp-ems"].transit_days_min, by_code["jp-ems"].transit_days_max) == (2, 4)  # the zone's
    assert by_code["jp-ems"].name_for("ja") == "EMS（国際スピード郵便）"
    assert by_code["jp-ems"].name_for("xx") == "EMS"


@pytest.mark.django_db
def test_cn_to_jp_is_priced_in_yuan() -> None:
    options = shipping_options("CN", "JP", 800, (30, 20, 10))
    assert {o.service for o in options} == CN_SERVICES
    assert all(o.price.currency == "CNY" for o in options)
    assert [o.price for o in options] == sorted(o.price for o in options)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("origin", "destination", "expected"),
    [
        ("JP", "US", JP_SERVICES - {"jp-sf-international"}),
        ("JP", "DE", {"jp-post-small-packet", "jp-ems", "jp-express-ddp"}),
        ("JP", "GB", {"jp-post-small-packet", "jp-ems", "jp-express-ddp"}),
        ("JP", "SG", JP_SERVICES),
        ("CN", "HK", CN_SERVICES),
        ("CN", "DE", set()),  # no service from CN serves Europe
        ("JP", "BR", set()),
        ("JP", "JP", set()),
        ("US", "CN", set()),
    ],
)
def test_only_services_that_serve_the_route(origin: str, destination: str, expected: set[str]) -> None:
    assert {o.service for o in shipping_options(origin, destination, 800, (30, 20, 10))} == expected


@pytest.mark.django_db
def test_weight_limits_exclude_services() -> None:
    # 2.5 kg: over the small packet's 2 kg.
    assert "jp-post-small-packet" not in {o.service for o in shipping_options("JP", "CN", 2500, (20, 20, 10))}
    # 28 kg: only EMS (30), express (70) and SF (30) are left; Yamato takes 25 kg.
    codes = {o.service for o in shipping_options("JP", "CN", 28000, (50, 40, 30))}
    assert codes == {"jp-ems", "jp-express-ddp", "jp-sf-international"}
    # 31 kg actual: express only.
    assert {o.service for o in shipping_options("JP", "CN", 31000, (50, 40, 30))} == {"jp-express-ddp"}


@pytest.mark.django_db
def test_size_limits_exclude_services() -> None:
    # 130 cm long: over express, SF (120) and Yamato (100); EMS takes 150 cm and girth 130+80=210.
    codes = {o.service for o in shipping_options("JP", "CN", 1000, (130, 20, 20))}
    assert codes == {"jp-ems"}
    # 70 + 50 + 45 = 165 cm: over Yamato's 160 cm sum and the small packet's 90.
    codes = {o.service for o in shipping_options("JP", "CN", 1000, (70, 50, 45))}
    assert "jp-yamato-international" not in codes
    assert "jp-post-small-packet" not in codes
    assert "jp-ems" in codes


@pytest.mark.django_db
def test_quantity_makes_one_bigger_parcel() -> None:
    one = {o.service: o for o in shipping_options("JP", "CN", 400, (20, 15, 5))}
    three = {o.service: o for o in shipping_options("JP", "CN", 400, (20, 15, 5), quantity=3)}
    assert three["jp-ems"].chargeable_weight_g == 1500  # 1.2 kg actual → 1.5 kg
    assert three["jp-ems"].price > one["jp-ems"].price


@pytest.mark.django_db
def test_the_smallest_bracket_that_holds_the_weight_prices_it() -> None:
    make_service(brackets=((500, 1000), (1000, 1500), (2000, 2500)))
    prices = {w: shipping_option("test-service", "JP", "CN", w, (10, 10, 10)) for w in (400, 500, 501, 1001)}
    assert {w: o.price.minor for w, o in prices.items() if o} == {400: 1000, 500: 1000, 501: 1500, 1001: 2500}
    # Heavier than the last bracket (though within max weight): not offered.
    make_service(code="short-table", brackets=((500, 800),), max_weight_g=2000)
    assert shipping_option("short-table", "JP", "CN", 900, (10, 10, 10)) is None


@pytest.mark.django_db
def test_inactive_services_and_carriers_are_not_offered() -> None:
    CarrierService.objects.filter(code="jp-ems").update(active=False)
    assert "jp-ems" not in {o.service for o in shipping_options("JP", "CN", 800, (30, 20, 10))}
    Carrier.objects.filter(code="sandbox-express").update(active=False)
    assert "jp-express-ddp" not in {o.service for o in shipping_options("JP", "CN", 800, (30, 20, 10))}


@pytest.mark.django_db
def test_without_the_sandbox_its_services_are_not_offered(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SHIJI_SANDBOX = False
    assert shipping_options("JP", "CN", 800, (30, 20, 10)) == []


@pytest.mark.django_db
def test_options_take_two_queries_however_many_services(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(2):
        shipping_options("JP", "DE", 800, (30, 20, 10))


@pytest.mark.django_db
def test_bad_countries_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        shipping_options("XX", "CN", 800, (30, 20, 10))
    assert "origin" in caught.value.fields

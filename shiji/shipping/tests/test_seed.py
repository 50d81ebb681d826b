"""The seeded carrier services (issue 5): the services, routes and currencies it asks for, and a
seed that can run again without touching what the operator changed."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from shiji.shipping.migrations import __name__ as migrations_package
from shiji.shipping.models import Carrier, CarrierService, RateBracket, ShippingZone, ZoneCountry

pytestmark = pytest.mark.django_db

EU = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
]  # fmt: skip
FROM_JP = {"CN", "HK", "TW", "KR", "SG", "US", "GB", *EU}
FROM_CN = {"JP", "HK", "TW", "KR", "SG", "US"}

seed_module = importlib.import_module(f"{migrations_package}.0002_seed_carrier_services")


def test_the_asked_for_services_exist_with_their_divisors() -> None:
    services = {s.code: s for s in CarrierService.objects.select_related("carrier")}
    assert services["jp-ems"].volumetric_divisor == 6000
    assert services["jp-express-ddp"].volumetric_divisor == 5000 and services["jp-express-ddp"].ddp
    assert services["jp-sf-international"].volumetric_divisor == 6000
    assert services["jp-post-small-packet"].tracked
    assert "jp-yamato-international" in services
    assert {s.carrier.adapter for s in services.values()} == {"sandbox"}
    for service in services.values():
        assert service.currency == ("JPY" if service.code.startswith("jp-") else "CNY")
        assert service.transit_days_min <= service.transit_days_max


@pytest.mark.parametrize(("origin", "destinations"), [("JP", FROM_JP), ("CN", FROM_CN)])
def test_every_asked_for_route_is_served(origin: str, destinations: set[str]) -> None:
    served = set(ZoneCountry.objects.filter(zone__origin_country=origin).values_list("country", flat=True))
    assert destinations <= served


def test_each_country_is_in_one_zone_per_service_and_origin() -> None:
    seen: set[tuple[str, str, str]] = set()
    for row in ZoneCountry.objects.values_list("zone__service__code", "zone__origin_country", "country"):
        assert row not in seen
        seen.add(row)


def test_prices_never_fall_as_weight_rises() -> None:
    for zone in ShippingZone.objects.prefetch_related("brackets"):
        prices = [b.price_minor for b in sorted(zone.brackets.all(), key=lambda b: b.max_weight_g)]
        assert prices == sorted(prices)
        assert prices and prices[0] > 0
        assert max(b.max_weight_g for b in zone.brackets.all()) == zone.service.max_weight_g


def test_seeding_again_is_harmless_and_keeps_the_operators_prices() -> None:
    RateBracket.objects.filter(zone__service__code="jp-ems").update(price_minor=9999)
    counts = (Carrier.objects.count(), CarrierService.objects.count(), ZoneCountry.objects.count())
    brackets = RateBracket.objects.count()
    seed_module.seed(apps, None)
    assert (Carrier.objects.count(), CarrierService.objects.count(), ZoneCountry.objects.count()) == counts
    assert RateBracket.objects.count() == brackets
    assert set(RateBracket.objects.filter(zone__service__code="jp-ems").values_list("price_minor", flat=True)) == {9999}

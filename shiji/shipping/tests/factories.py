"""Shipments made through the real services and the real sandbox carrier."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings

from shiji.core.ids import new_id
from shiji.core.money import Money
from shiji.core.signatures import SIGNATURE_HEADER, sign
from shiji.core.time import iso_utc
from shiji.shipping.declarations import customs_declaration
from shiji.shipping.models import Carrier, CarrierService, RateBracket, Shipment, ShippingZone, ZoneCountry
from shiji.shipping.services import shipment_create

SHIP_FROM_JP = {
    "name": "Sato Hanako",
    "line1": "1-2-3 Jingumae",
    "city": "Shibuya-ku, Tokyo",
    "postal_code": "150-0001",
    "country": "JP",
    "phone": "+81 90 0000 0000",
}
SHIP_TO_CN = {
    "name": "王小明",
    "line1": "浦东新区世纪大道100号",
    "city": "上海",
    "postal_code": "200120",
    "country": "CN",
    "phone": "+86 138 0000 0000",
}
SHIP_FROM_CN = {**SHIP_TO_CN}
SHIP_TO_JP = {**SHIP_FROM_JP}


def declaration(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "contents_en": "Vintage cotton dress",
        "hs_code": "620442",
        "quantity": 1,
        "unit_value": Money(12000, "JPY"),
        "origin": "JP",
        **overrides,
    }
    return customs_declaration(**args)


def shipment(
    *,
    order_id: str | None = None,
    service_code: str = "jp-ems",
    ship_from: dict[str, str] | None = None,
    ship_to: dict[str, str] | None = None,
    weight_g: int = 800,
    dims_cm: Sequence[int] = (30, 20, 10),
) -> Shipment:
    return shipment_create(
        order_id=order_id or new_id("ord"),
        service_code=service_code,
        ship_from=ship_from or SHIP_FROM_JP,
        ship_to=ship_to or SHIP_TO_CN,
        declaration=declaration(),
        weight_g=weight_g,
        dims_cm=dims_cm,
    )


def make_service(
    *,
    code: str = "test-service",
    origin: str = "JP",
    countries: Sequence[str] = ("CN",),
    brackets: Sequence[tuple[int, int]] = ((500, 1000), (1000, 1500), (2000, 2500)),
    **fields: Any,
) -> CarrierService:
    """A service of its own (one zone) for tests that must not depend on the seeded prices."""
    carrier, _ = Carrier.objects.get_or_create(code="test-carrier", defaults={"name": "Test Carrier"})
    values: dict[str, Any] = {
        "carrier": carrier,
        "name_zh_hans": "测试",
        "name_ja": "テスト",
        "name_en": "Test",
        "currency": "JPY",
        "volumetric_divisor": 6000,
        "rounding_step_g": 500,
        "max_weight_g": 2000,
        "max_length_cm": 60,
        "max_size_cm": 90,
        "transit_days_min": 3,
        "transit_days_max": 5,
        **fields,
    }
    service = CarrierService.objects.create(code=code, **values)
    zone = ShippingZone.objects.create(service=service, origin_country=origin, code="only")
    ZoneCountry.objects.bulk_create([ZoneCountry(zone=zone, country=c) for c in countries])
    RateBracket.objects.bulk_create([RateBracket(zone=zone, max_weight_g=w, price_minor=p) for w, p in brackets])
    return service


def carrier_event(
    tracking_number: str, status: str, *, at: datetime, location: str = "", event_id: str | None = None
) -> dict[str, Any]:
    return {
        "id": event_id or new_id("evt"),
        "tracking_number": tracking_number,
        "status": status,
        "at": iso_utc(at),
        "location": location,
    }


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


def signed(body: bytes, *, secret: str | None = None, timestamp: int | None = None) -> dict[str, str]:
    return {SIGNATURE_HEADER: sign(body, secret or settings.SHIJI_SANDBOX_CARRIER_SECRET, timestamp=timestamp)}

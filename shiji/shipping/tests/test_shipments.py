"""Creating a shipment: the sandbox carrier's tracking number and label (PRODUCT.md §6)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.storage import default_storage, storages
from PIL import Image

from shiji.core.ids import new_id
from shiji.shipping.carriers.sandbox import s10_check_digit
from shiji.shipping.errors import AlreadyShipped, NoRoute
from shiji.shipping.models import SandboxParcel, Shipment, TrackingEvent
from shiji.shipping.selectors import shipment_for_order, shipment_timeline
from shiji.shipping.states import ShipmentStatus
from shiji.shipping.tests.factories import SHIP_FROM_CN, SHIP_TO_JP, declaration, shipment

pytestmark = pytest.mark.django_db


def test_s10_check_digit() -> None:
    assert s10_check_digit("12345678") == 5  # the UPU S10 worked example
    assert s10_check_digit("00000000") == 5  # remainder 11 → 5


def test_label_is_a_real_png_stored_under_labels() -> None:
    order_id = new_id("ord")
    made = shipment(order_id=order_id)
    assert re.fullmatch(r"SB\d{9}JP", made.tracking_number)
    assert int(made.tracking_number[10]) == s10_check_digit(made.tracking_number[2:10])
    assert made.label.name == f"labels/{made.pk}.png"
    assert made.label_content_type == "image/png"
    with storages["private"].open(made.label.name, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.verify()
    assert Image.open(io.BytesIO(data)).size == (812, 1218)  # 4 × 6 in at 203 dpi
    pixels = Image.open(io.BytesIO(data)).convert("L").getextrema()
    assert pixels == (0, 255)  # something is drawn on it
    # The label carries the buyer's address: it is kept in private storage, never under /media/.
    assert storages["private"].exists(made.label.name)
    assert not default_storage.exists(made.label.name)


def test_shipment_starts_as_label_created_with_its_price_and_declaration() -> None:
    order_id = new_id("ord")
    made = shipment(order_id=order_id, service_code="jp-express-ddp", weight_g=800, dims_cm=(40, 30, 30))
    made.refresh_from_db()
    assert made.status == ShipmentStatus.LABEL_CREATED
    assert made.progress == ShipmentStatus.LABEL_CREATED
    assert (made.origin_country, made.destination_country) == ("JP", "CN")
    assert made.chargeable_weight_g == 7500  # 36,000 cm³ at divisor 5,000
    assert made.currency == "JPY"
    assert made.price_minor == 4200 + 700 * 14
    assert made.declaration["hs_code"] == "620442"
    assert shipment_for_order(order_id) == made
    parcel = SandboxParcel.objects.get(shipment_id=made.pk)
    assert parcel.tracking_number == made.tracking_number
    timeline = shipment_timeline(order_id)
    assert [(e.status, e.location) for e in timeline] == [("label_created", "Shibuya-ku, Tokyo, JP")]


def test_from_china_the_tracking_number_ends_in_cn() -> None:
    made = shipment(service_code="cn-ems", ship_from=SHIP_FROM_CN, ship_to=SHIP_TO_JP)
    assert re.fullmatch(r"SB\d{9}CN", made.tracking_number)
    assert made.currency == "CNY"


@pytest.mark.parametrize(
    ("service_code", "ship_to_country", "weight_g"),
    [
        ("jp-sf-international", "US", 800),  # SF-style does not serve the US
        ("jp-post-small-packet", "CN", 2500),  # over 2 kg
        ("no-such-service", "CN", 800),
        ("cn-ems", "CN", 800),  # a service from China, asked to ship from Japan
    ],
)
def test_a_service_that_does_not_take_the_parcel_stores_nothing(
    service_code: str, ship_to_country: str, weight_g: int
) -> None:
    with pytest.raises(NoRoute) as caught:
        shipment(service_code=service_code, ship_to={**SHIP_TO_JP, "country": ship_to_country}, weight_g=weight_g)
    assert caught.value.status == 422
    assert caught.value.code == "no_route"
    assert not Shipment.objects.exists()
    assert not SandboxParcel.objects.exists()
    assert not default_storage.exists("labels") or default_storage.listdir("labels") == ([], [])


def test_an_order_ships_once() -> None:
    order_id = new_id("ord")
    first = shipment(order_id=order_id)
    with pytest.raises(AlreadyShipped) as caught:
        shipment(order_id=order_id)
    assert caught.value.status == 409
    assert caught.value.code == "invalid_state"
    assert list(Shipment.objects.values_list("pk", flat=True)) == [first.pk]
    assert TrackingEvent.objects.count() == 1


def test_declaration_is_kept_as_given() -> None:
    made = shipment()
    assert made.declaration == declaration()

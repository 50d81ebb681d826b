"""From checkout options to completion (PRODUCT.md §5–6, API.md "Orders, payments, shipping",
"Signed callbacks", CUSTOMS.md): carrier options and landed cost in the quote, the CN customs
regimes and the yearly allowance, shipping with its label and customs declaration and the money
it hands over, carrier events (duplicated, late, out of order), confirmation, completion by
itself after delivery, and the staff review of parcels whose tracking went quiet."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, cast

import pytest
from django.conf import settings as django_settings
from django.test import TestCase
from django.utils import timezone

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.models import Listing
from shiji.catalog.states import ListingStatus
from shiji.catalog.tests.factories import demo_rates
from shiji.core.ids import new_id
from shiji.core.models import AuditEvent
from shiji.core.money import Money
from shiji.core.signatures import SIGNATURE_HEADER, sign
from shiji.core.states import transition
from shiji.core.time import iso_utc
from shiji.customs.models import CbecAllowanceUse
from shiji.customs.selectors import cbec_used, cbec_year
from shiji.customs.services import cbec_record
from shiji.ledger.models import JournalEntry, Purpose
from shiji.ledger.selectors import balance
from shiji.ledger.services import escrow_account, platform_account
from shiji.notifications.models import Notification
from shiji.orders.flow import order_confirm
from shiji.orders.models import Order, OrderEvent, Quote
from shiji.orders.shipping import orders_auto_complete, orders_flag_stale_tracking
from shiji.orders.states import TRANSITIONS, OrderStatus
from shiji.orders.tasks import orders_auto_complete as orders_auto_complete_job
from shiji.orders.tasks import orders_expire
from shiji.orders.tests.factories import (
    EXPRESS_DDP,
    SHIP_TO_CN,
    SMALL_PACKET,
    at_mid,
    carrier_scan,
    listing_jp,
    order_placed,
    pay,
    seeded_postage,
    ship,
)
from shiji.shipping.carriers.sandbox import sandbox_carrier_redeliver
from shiji.shipping.models import CarrierService, Shipment, ShippingZone, TrackingEvent

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
# Every seeded service from Japan that serves China, with its transit days to China.
JP_CN_SERVICES = {
    "jp-post-small-packet": (7, 14),
    "jp-ems": (2, 4),
    "jp-yamato-international": (2, 5),
    "jp-sf-international": (2, 4),
    "jp-express-ddp": (1, 3),
}


@pytest.fixture(autouse=True)
def _rates(settings: Any) -> None:
    settings.SHIJI_FX_MARGIN_PERCENT = "1.0"
    settings.SHIJI_BUYER_FEE_PERCENT = "3.0"
    settings.SHIJI_COMMISSION_PERCENT = "8.0"
    settings.SHIJI_COMMISSION_RELIABLE_PERCENT = "6.0"
    demo_rates()  # 1 USD = 150 JPY = 7.2 CNY


def _body(listing: Listing, **overrides: Any) -> dict[str, Any]:
    return {"listing": listing.pk, "quantity": 1, "ship_to": dict(SHIP_TO_CN), **overrides}


def _cny(line: dict[str, str]) -> Decimal:
    assert line["currency"] == "CNY", line
    return Decimal(line["amount"])


def _finance_check(api_as: Any) -> dict[str, Any]:
    report = api_as(UserFactory(roles=["finance"])).get("/staff/ledger/check")
    assert report.status_code == 200, report.content
    body = dict(report.json())
    assert body["balanced"] is True and body["escrow_matches_orders"] is True, body
    assert body["problems"] == []
    return body


def _paid(carrier_service: str | None = None, listing: Listing | None = None, buyer: Any = None) -> Order:
    return pay(order_placed(listing=listing, buyer=buyer, carrier_service=carrier_service))


def _escrow(order: Order) -> int:
    return balance(escrow_account(order.pk), order.currency).minor


# --- quote: carrier options ------------------------------------------------------------------


def test_quote_offers_every_service_for_the_route_in_the_buyers_currency_cheapest_first(api_as):
    listing = listing_jp()  # 800 g, 30 × 25 × 8 cm

    response = api_as(chinese_buyer()).post("/quotes", _body(listing))

    assert response.status_code == 201, response.content
    options = response.json()["options"]
    # Every active service with a JP zone that includes CN, none from elsewhere.
    serving = set(
        ShippingZone.objects.filter(origin_country="JP", countries__country="CN", service__active=True).values_list(
            "service__code", flat=True
        )
    )
    assert serving == set(JP_CN_SERVICES)
    assert [o["carrier_service"] for o in options] == [
        "jp-post-small-packet",  # ¥1,780
        "jp-ems",  # ¥1,800
        "jp-yamato-international",  # ¥2,450
        "jp-sf-international",  # ¥2,900
        "jp-express-ddp",  # ¥5,600 (1,500 g: divisor 5,000 → 1.2 kg, 500 g steps)
    ]
    prices = [_cny(o["shipping"]) for o in options]
    assert prices == sorted(prices)
    for option in options:
        service = CarrierService.objects.get(code=option["carrier_service"])
        yen = seeded_postage(service.code, "JP", "CN", option["chargeable_weight_g"])
        # The carrier's yen price at the mid rate, in the buyer's currency.
        assert option["shipping"] == {"amount": str(at_mid(yen.amount, "JPY", "CNY")), "currency": "CNY"}
        low, high = JP_CN_SERVICES[service.code]
        assert option["transit_days"] == {"min": low, "max": high}
        assert option["ddp"] is service.ddp
        assert option["name"] == service.name_zh_hans  # the buyer's language
    weights = {o["carrier_service"]: o["chargeable_weight_g"] for o in options}
    assert weights["jp-ems"] == 1000 and weights["jp-express-ddp"] == 1500


def test_buyer_chooses_a_carrier_service_and_the_landed_cost_follows(api_as):
    listing = listing_jp()
    client = api_as(chinese_buyer())
    cheapest = client.post("/quotes", _body(listing)).json()

    response = client.post("/quotes", _body(listing, carrier_service="jp-ems"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["carrier_service"] == "jp-ems"
    ems = next(o for o in body["options"] if o["carrier_service"] == "jp-ems")
    assert body["lines"]["shipping"] == ems["shipping"] == {"amount": "86.40", "currency": "CNY"}  # ¥1,800
    assert body["options"] == cheapest["options"]  # the choice does not change what is offered
    assert body["lines"]["item"] == cheapest["lines"]["item"]
    assert body["lines"]["buyer_fee"] == cheapest["lines"]["buyer_fee"]  # the fee is on the item only
    lines = body["lines"]
    assert body["duties_mode"] == "on_delivery"
    assert _cny(body["total"]) == _cny(lines["item"]) + _cny(lines["shipping"]) + _cny(lines["buyer_fee"])


@pytest.mark.parametrize(
    "service",
    [
        "no-such-service",  # unknown
        "cn-ems",  # exists, but from China, not from Japan
    ],
)
def test_a_service_that_does_not_serve_the_route_is_refused(api_as, service):
    listing = listing_jp()

    response = api_as(chinese_buyer()).post("/quotes", _body(listing, carrier_service=service))

    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "carrier_service" in error["fields"]
    assert "jp-post-small-packet" in error["fields"]["carrier_service"][0]  # says what may be chosen
    assert not Quote.objects.exists()


def test_a_service_whose_limits_the_parcel_exceeds_is_not_offered_nor_accepted(api_as):
    listing = listing_jp(weight_g=2500)  # over the small packet's 2 kg

    client = api_as(chinese_buyer())
    offered = client.post("/quotes", _body(listing)).json()
    refused = client.post("/quotes", _body(listing, carrier_service=SMALL_PACKET))

    assert SMALL_PACKET not in [o["carrier_service"] for o in offered["options"]]
    assert offered["carrier_service"] == "jp-ems"
    assert refused.status_code == 422 and "carrier_service" in refused.json()["error"]["fields"]
    assert Quote.objects.count() == 1


def test_a_parcel_no_service_takes_is_no_route(api_as):
    listing = listing_jp(weight_g=40_000, quantity=2)  # 40 kg: only the express courier (≤ 70 kg)
    client = api_as(chinese_buyer())

    one = client.post("/quotes", _body(listing, quantity=1))
    two = client.post("/quotes", _body(listing, quantity=2))  # 80 kg in one parcel

    assert one.status_code == 201, one.content
    assert [o["carrier_service"] for o in one.json()["options"]] == [EXPRESS_DDP]
    assert two.status_code == 422
    error = two.json()["error"]
    assert error["code"] == "no_route"
    assert error["message"] and "ship_to.country" in error["fields"]
    assert Quote.objects.count() == 1
    too_long = listing_jp(size_cm=[160, 20, 10])  # longer than any service's longest side
    refused = client.post("/quotes", _body(too_long))
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "no_route"


# --- quote: CN customs -----------------------------------------------------------------------


def test_china_with_a_ddp_service_is_cross_border_e_commerce_prepaid_in_the_total(api_as):
    listing = listing_jp()

    response = api_as(chinese_buyer()).post("/quotes", _body(listing, carrier_service=EXPRESS_DDP))

    assert response.status_code == 201, response.content
    body = response.json()
    lines = body["lines"]
    assert body["regime"] == "cn_cbec"
    assert body["duties_mode"] == "prepaid"
    assert body["rule_ids"] == ["cn-cbec-2019"]
    # 完税价格 V = item + shipping = 329.66 + 268.80 (¥5,600) = 598.46 CNY; tariff 0 %;
    # VAT 13 % × 70 % = 9.1 % → 54.45986 → 54.46 CNY.
    assert lines["shipping"] == {"amount": "268.80", "currency": "CNY"}
    value = _cny(lines["item"]) + _cny(lines["shipping"])
    assert value == Decimal("598.46")
    assert lines["duties"] == {"amount": "0.00", "currency": "CNY"}
    assert _cny(lines["taxes"]) == (value * Decimal("0.091")).quantize(CENT, rounding=ROUND_HALF_EVEN)
    assert _cny(lines["taxes"]) == Decimal("54.46")
    # Prepaid: the platform collects duties and taxes at checkout, in the total.
    expected = sum((_cny(lines[k]) for k in ("item", "shipping", "duties", "taxes", "buyer_fee")), Decimal(0))
    assert _cny(body["total"]) == expected == Decimal("662.81")
    assert body["customs"]["cbec_amount"] == {"amount": "598.46", "currency": "CNY"}
    assert Quote.objects.get(pk=body["id"]).cbec_amount_minor == 59846


def test_china_by_post_is_personal_postal_tax_paid_on_delivery_outside_the_total(api_as):
    listing = listing_jp()

    response = api_as(chinese_buyer()).post("/quotes", _body(listing, carrier_service="jp-ems"))

    body = response.json()
    lines = body["lines"]
    assert body["regime"] == "cn_postal"
    assert body["duties_mode"] == "on_delivery"
    assert body["rule_ids"] == ["cn-postal-2019"]
    assert lines["taxes"] == {"amount": "65.93", "currency": "CNY"}  # 20 % of 329.66, an estimate
    assert _cny(body["total"]) == _cny(lines["item"]) + _cny(lines["shipping"]) + _cny(lines["buyer_fee"])
    assert Quote.objects.get(pk=body["id"]).cbec_amount_minor is None


def test_cheap_postal_parcel_under_the_50_cny_tax_exemption_owes_nothing(api_as):
    listing = listing_jp(price={"amount": "5000", "currency": "JPY"})  # 242.40 CNY: 20 % = 48.48 ≤ 50

    body = api_as(chinese_buyer()).post("/quotes", _body(listing)).json()

    assert body["regime"] == "cn_postal"
    assert body["lines"]["taxes"] == {"amount": "0.00", "currency": "CNY"}


def test_over_5000_cny_in_one_cross_border_order_is_customs_limit(api_as):
    listing = listing_jp(price={"amount": "60000", "currency": "JPY"}, quantity=2)  # 2 × 2,908.80 CNY

    response = api_as(chinese_buyer()).post("/quotes", _body(listing, quantity=2, carrier_service=EXPRESS_DDP))

    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "customs_limit"
    assert "5000.00 CNY" in error["message"]
    assert not Quote.objects.exists()
    # One of them fits within the per-order limit.
    assert api_as(chinese_buyer()).post("/quotes", _body(listing, carrier_service=EXPRESS_DDP)).status_code == 201


def _ddp_quote(client: Any, listing: Listing) -> Any:
    return client.post("/quotes", _body(listing, carrier_service=EXPRESS_DDP))


def test_yearly_allowance_counts_placed_orders_and_is_given_back_on_cancellation(api_as):
    # ¥90,000 → 4,363.20 CNY + 268.80 postage = V 4,632.00 CNY per order.
    listing = listing_jp(price={"amount": "90000", "currency": "JPY"}, quantity=5)
    buyer = chinese_buyer()
    client = api_as(buyer)
    year = cbec_year(timezone.now())
    cbec_record(buyer=buyer, order_id=new_id("ord"), amount=Money(2_000_000, "CNY"), at=timezone.now())

    first = _ddp_quote(client, listing)
    assert first.status_code == 201, first.content
    assert first.json()["customs"]["cbec_amount"] == {"amount": "4632.00", "currency": "CNY"}
    assert _ddp_quote(client, listing).status_code == 201  # a quote alone does not use the allowance
    assert cbec_used(buyer=buyer, year=year) == Money(2_000_000, "CNY")

    placed = client.post("/orders", {"quote": first.json()["id"]})

    assert placed.status_code == 201, placed.content
    assert cbec_used(buyer=buyer, year=year) == Money(2_463_200, "CNY")  # 20,000 + 4,632
    assert CbecAllowanceUse.objects.get(order_id=placed.json()["id"]).amount_minor == 463_200
    refused = _ddp_quote(client, listing)  # 24,632 + 4,632 > 26,000
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "customs_limit"
    assert "1368.00 CNY" in refused.json()["error"]["message"]  # what is left this year
    # The allowance limits cross-border e-commerce only: by post, a single item may still clear
    # (personal postal articles, tax on delivery), and it does not count toward the year.
    postal = client.post("/quotes", _body(listing, carrier_service="jp-ems"))
    assert postal.status_code == 201, postal.content
    assert (postal.json()["regime"], postal.json()["customs"]["cbec_amount"]) == ("cn_postal", None)

    cancelled = client.post(f"/orders/{placed.json()['id']}/cancel")

    assert cancelled.status_code == 200, cancelled.content
    assert cbec_used(buyer=buyer, year=year) == Money(2_000_000, "CNY")
    again = _ddp_quote(client, listing)
    assert again.status_code == 201, again.content
    assert client.post("/orders", {"quote": again.json()["id"]}).status_code == 201


def test_yearly_allowance_is_checked_again_when_the_order_is_placed(api_as):
    listing = listing_jp(price={"amount": "90000", "currency": "JPY"}, quantity=5)
    buyer = chinese_buyer()
    client = api_as(buyer)
    cbec_record(buyer=buyer, order_id=new_id("ord"), amount=Money(2_000_000, "CNY"), at=timezone.now())
    # Two quotes made while 6,000 CNY was still left; each fits alone, not both.
    one, two = _ddp_quote(client, listing).json(), _ddp_quote(client, listing).json()
    assert client.post("/orders", {"quote": one["id"]}).status_code == 201

    late = client.post("/orders", {"quote": two["id"]})

    assert late.status_code == 422, late.content
    assert late.json()["error"]["code"] == "customs_limit"
    assert Order.objects.count() == 1
    listing.refresh_from_db()
    assert listing.quantity == 4  # the refused order reserved nothing


def test_an_expired_unpaid_order_gives_the_allowance_back():
    listing = listing_jp(price={"amount": "90000", "currency": "JPY"})
    buyer = chinese_buyer()
    order = order_placed(buyer=buyer, listing=listing, carrier_service=EXPRESS_DDP)
    assert CbecAllowanceUse.objects.get(order_id=order.pk).released_at is None
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert orders_expire.call_local() == 1

    assert CbecAllowanceUse.objects.get(order_id=order.pk).released_at is not None
    assert cbec_used(buyer=buyer, year=cbec_year(timezone.now())).is_zero()


# --- ship ------------------------------------------------------------------------------------


def test_seller_ships_a_paid_order_label_declaration_and_the_postage_leaves_escrow(api_as):
    order = _paid()
    listing = order.listing
    assert order.duties_mode == "on_delivery" and order.carrier_service == SMALL_PACKET
    held = _escrow(order)
    assert held == order.total_minor

    response = api_as(order.seller).post(f"/orders/{order.pk}/ship")

    assert response.status_code == 200, response.content
    shipment = response.json()
    assert shipment["carrier"] == "sandbox-post"
    assert shipment["service"] == SMALL_PACKET
    assert shipment["tracking_number"].startswith("SB") and shipment["tracking_number"].endswith("JP")
    assert len(shipment["tracking_number"]) == 13  # UPU S10: SB + 8 digits + check digit + JP
    assert shipment["label_url"] == f"/api/v1/orders/{order.pk}/label"
    declaration = shipment["customs_declaration"]
    assert declaration["contents"] == "Dresses"  # the Japanese title is not English: the category's name
    assert declaration["contents"].isascii()
    assert declaration["hs_code"] == listing.effective_hs_code == "620442"
    assert declaration["quantity"] == 1
    assert declaration["unit_value"] == {"amount": "6800", "currency": "JPY"}
    assert declaration["origin_country"] == "JP"
    assert declaration["type"] == "sale"
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED and order.shipped_at is not None
    # Exactly the postage left escrow, for the carriers; nothing for customs (paid on delivery).
    assert held - _escrow(order) == order.shipping_minor == 8544
    assert order.remitted_minor == order.shipping_minor
    assert balance(platform_account(Purpose.CARRIERS), "CNY").minor == 8544
    assert balance(platform_account(Purpose.DUTIES), "CNY").minor == 0
    assert JournalEntry.objects.filter(kind="escrow.remit", order_id=order.pk).count() == 1
    _finance_check(api_as)
    view = api_as(order.buyer).get(f"/orders/{order.pk}").json()
    assert view["status"] == "shipped"
    assert view["shipment"]["tracking_number"] == shipment["tracking_number"]
    assert [e["status"] for e in view["timeline"]] == ["label_created"]
    assert [(e["from"], e["to"], e["actor"]) for e in view["events"]][-1] == ("paid", "shipped", order.seller_id)
    told = Notification.objects.get(user=order.buyer, kind="order.shipped.buyer", subject_id=order.pk)
    assert told.data["tracking"] == shipment["tracking_number"]


def test_shipping_a_prepaid_order_hands_duties_and_taxes_to_the_duties_account(api_as):
    order = _paid(EXPRESS_DDP)
    assert order.duties_mode == "prepaid"
    prepaid = order.duties_minor + order.taxes_minor
    assert prepaid == 5446  # 9.1 % of (329.66 + 268.80)
    held = _escrow(order)

    response = api_as(order.seller).post(f"/orders/{order.pk}/ship")

    assert response.status_code == 200, response.content
    assert response.json()["service"] == EXPRESS_DDP and response.json()["carrier"] == "sandbox-express"
    order.refresh_from_db()
    assert held - _escrow(order) == order.shipping_minor + prepaid
    assert _escrow(order) == order.item_minor + order.buyer_fee_minor
    assert balance(platform_account(Purpose.CARRIERS), "CNY").minor == order.shipping_minor == 26880
    assert balance(platform_account(Purpose.DUTIES), "CNY").minor == prepaid
    _finance_check(api_as)


def test_only_the_seller_ships(api_as):
    order = _paid()

    by_buyer = api_as(order.buyer).post(f"/orders/{order.pk}/ship")
    by_stranger = api_as(chinese_buyer()).post(f"/orders/{order.pk}/ship")
    by_finance = api_as(UserFactory(roles=["finance"])).post(f"/orders/{order.pk}/ship")

    assert by_buyer.status_code == 403 and by_buyer.json()["error"]["code"] == "forbidden"
    assert by_stranger.status_code == 404 and by_stranger.json()["error"]["code"] == "not_found"
    assert by_finance.status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.remitted_minor == 0
    assert not Shipment.objects.exists()


def test_shipping_twice_or_before_payment_is_an_invalid_state(api_as):
    order = _paid()
    seller = api_as(order.seller)
    first = seller.post(f"/orders/{order.pk}/ship")
    assert first.status_code == 200, first.content

    again = seller.post(f"/orders/{order.pk}/ship")

    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"
    assert Shipment.objects.count() == 1
    assert JournalEntry.objects.filter(kind="escrow.remit").count() == 1
    unpaid = order_placed()
    early = api_as(unpaid.seller).post(f"/orders/{unpaid.pk}/ship")
    assert early.status_code == 409 and early.json()["error"]["code"] == "invalid_state"
    assert not Shipment.objects.filter(order_id=unpaid.pk).exists()


def test_prepaid_duties_need_a_ddp_service_to_ship(api_as):
    order = _paid(EXPRESS_DDP)
    seller = api_as(order.seller)

    refused = seller.post(f"/orders/{order.pk}/ship", {"carrier_service": "jp-ems"})

    assert refused.status_code == 422, refused.content
    assert refused.json()["error"]["code"] == "invalid"
    assert "carrier_service" in refused.json()["error"]["fields"]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.remitted_minor == 0
    assert not Shipment.objects.exists()
    unknown = seller.post(f"/orders/{order.pk}/ship", {"carrier_service": "cn-ems"})
    assert unknown.status_code == 422
    assert seller.post(f"/orders/{order.pk}/ship", {"carrier_service": EXPRESS_DDP}).status_code == 200


def test_postage_no_longer_covered_after_refunds_cannot_ship(api_as):
    order = _paid()
    seller = api_as(order.seller)
    # Refund all but 50.00 CNY: less than the 85.44 CNY postage is left in escrow.
    keep = 5000
    refund = Money(order.total_minor - keep, "CNY").as_dict()
    assert seller.post(f"/orders/{order.pk}/refunds", {"amount": refund, "reason": "partly"}).status_code == 201

    response = seller.post(f"/orders/{order.pk}/ship")

    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_state"
    assert _escrow(order) == keep
    assert not Shipment.objects.exists()


def test_declaration_declares_the_price_the_buyer_paid_not_a_later_listing_price(api_as):
    order = _paid()
    seller = api_as(order.seller)
    edited = seller.patch(f"/listings/{order.listing_id}", {"price": {"amount": "3000", "currency": "JPY"}})
    assert edited.status_code == 200, edited.content

    shipment = seller.post(f"/orders/{order.pk}/ship")

    assert shipment.status_code == 200, shipment.content
    declaration = shipment.json()["customs_declaration"]
    assert declaration["unit_value"] == {"amount": "6800", "currency": "JPY"}  # what was sold
    assert declaration["total_value"] == {"amount": "6800", "currency": "JPY"}


def test_an_english_title_with_punctuation_does_not_stop_the_seller_shipping(api_as):
    listing = listing_jp(title={"ja": "昭和レトロ 花柄ワンピース", "en": "Showa retro floral dress!"})
    order = _paid(listing=listing)

    response = api_as(order.seller).post(f"/orders/{order.pk}/ship")

    assert response.status_code == 200, response.content
    contents = response.json()["customs_declaration"]["contents"]
    assert contents.isascii() and "dress" in contents.lower()  # the title cleaned, or the category's name


# --- the label -------------------------------------------------------------------------------


def test_label_is_for_the_seller_and_order_staff_only(api_as):
    order = _paid()
    path = f"/orders/{order.pk}/label"
    before = api_as(order.seller).get(path)
    assert before.status_code == 404  # nothing shipped yet
    ship(order)

    label = api_as(order.seller).get(path)

    assert label.status_code == 200
    assert label["Content-Type"] == "image/png"
    assert label["Cache-Control"] == "private, no-store"
    assert "attachment" in label["Content-Disposition"]
    content = b"".join(label.streaming_content)
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    assert not AuditEvent.objects.filter(action="order.label_viewed_by_staff").exists()
    # The label carries the buyer's address: never the buyer's to download, nor a stranger's.
    assert api_as(order.buyer).get(path).status_code == 404
    assert api_as(chinese_buyer()).get(path).status_code == 404
    assert api_as(UserFactory(roles=["moderator"])).get(path).status_code == 404
    finance = cast(User, UserFactory(roles=["finance"]))
    seen = api_as(finance).get(path)
    assert seen.status_code == 200
    assert b"".join(seen.streaming_content) == content
    audit = AuditEvent.objects.get(action="order.label_viewed_by_staff")
    assert (audit.actor_id, audit.target_id) == (finance.pk, order.pk)


# --- carrier events --------------------------------------------------------------------------


def _statuses(order: Order) -> list[str]:
    return list(OrderEvent.objects.filter(subject=order).order_by("at", "id").values_list("to_state", flat=True))


def _shipped_days_ago(order: Order, days: int) -> Shipment:
    """Ship ``order`` and move the shipment (and its label event) ``days`` back in time, so that
    carrier events can be dated in between."""
    shipment = ship(order)
    then = timezone.now() - timedelta(days=days)
    Shipment.objects.filter(pk=shipment.pk).update(created_at=then, status_at=then, last_event_at=then)
    TrackingEvent.objects.filter(shipment=shipment, status="label_created").update(at=then)
    Order.objects.filter(pk=order.pk).update(shipped_at=then)
    shipment.refresh_from_db()
    return shipment


def test_carrier_events_through_the_sandbox_deliver_the_order_then_the_buyer_confirms(api_as):
    order = _paid()
    shipment = _shipped_days_ago(order, 3)
    now = timezone.now()

    carrier_scan(shipment, "in_transit", "Tokyo International", at=now - timedelta(hours=30))
    carrier_scan(shipment, "customs", "Shanghai Pudong", at=now - timedelta(hours=20))
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    delivered = carrier_scan(shipment, "delivered", "Shanghai", at=now - timedelta(hours=2))

    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert order.delivered_at == now - timedelta(hours=2)  # the carrier's time
    # The same callback again, and a late scan from before delivery: nothing moves back.
    with TestCase.captureOnCommitCallbacks(execute=True):
        sandbox_carrier_redeliver(delivered)
    carrier_scan(shipment, "in_transit", "Osaka hub", at=now - timedelta(hours=25))
    order.refresh_from_db()
    shipment.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and shipment.status == "delivered"
    assert _statuses(order) == ["pending_payment", "paid", "shipped", "delivered"]
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 5  # label + 4 distinct events
    timeline = api_as(order.buyer).get(f"/orders/{order.pk}").json()["timeline"]
    assert [e["status"] for e in timeline] == ["label_created", "in_transit", "in_transit", "customs", "delivered"]
    assert Notification.objects.filter(subject_id=order.pk, kind__startswith="order.delivered.").count() == 2

    confirmed = api_as(order.buyer).post(f"/orders/{order.pk}/confirm")

    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "completed"
    # ¥6,800 − 8 % commission (¥544).
    assert api_as(order.seller).get("/me/balances").json() == [{"currency": "JPY", "available": "6256", "pending": "0"}]
    assert _escrow(order) == 0
    _finance_check(api_as)


def _webhook(api: Any, event: dict[str, Any], *, secret: str | None = None) -> Any:
    body = json.dumps(event, separators=(",", ":")).encode()
    header = sign(body, secret or django_settings.SHIJI_SANDBOX_CARRIER_SECRET)
    return api.client.post(
        "/api/v1/webhooks/carriers/sandbox", body, content_type="application/json", headers={SIGNATURE_HEADER: header}
    )


def _event(shipment: Shipment, status: str, at: Any, location: str = "") -> dict[str, Any]:
    return {
        "id": new_id("evt"),
        "tracking_number": shipment.tracking_number,
        "status": status,
        "at": iso_utc(at),
        "location": location,
    }


def test_raw_signed_carrier_webhooks_are_idempotent_and_tolerate_disorder(api, api_as):
    order = _paid()
    shipment = _shipped_days_ago(order, 3)
    now = timezone.now()
    in_transit = _event(shipment, "in_transit", now - timedelta(days=2), "Narita")
    delivered = _event(shipment, "delivered", now - timedelta(hours=1), "Shanghai")
    customs = _event(shipment, "customs", now - timedelta(days=1), "Shanghai Pudong")

    forged = _webhook(api, delivered, secret="not-the-carrier")
    assert forged.status_code == 400 and forged.json()["error"]["code"] == "bad_signature"
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert _webhook(api, in_transit).json() == {"received": True, "result": "applied"}
    assert _webhook(api, delivered).json() == {"received": True, "result": "applied"}
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED

    assert _webhook(api, delivered).json()["result"] == "duplicate"
    late = _webhook(api, customs)  # happened before delivery, arrives after it
    assert late.status_code == 200 and late.json()["result"] == "recorded"
    late_transit = _webhook(api, _event(shipment, "in_transit", now - timedelta(hours=3), "Shanghai hub"))
    assert late_transit.json()["result"] == "recorded"

    order.refresh_from_db()
    shipment.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and shipment.status == "delivered"
    assert _statuses(order).count("delivered") == 1
    assert TrackingEvent.objects.filter(shipment=shipment, event_id=delivered["id"]).count() == 1


def test_unconfirmed_delivered_order_completes_by_itself_after_five_days(api_as):
    assert django_settings.SHIJI_AUTO_COMPLETE_DAYS == 5
    order = _paid()
    shipment = ship(order)
    delivered_at = timezone.now() - timedelta(hours=1)
    carrier_scan(shipment, "delivered", "Shanghai", at=delivered_at)
    learned = timezone.now()  # the window runs from when the platform learned of the delivery
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert order.delivered_at == delivered_at  # the carrier's time is kept

    assert orders_auto_complete(now=learned + timedelta(days=5) - timedelta(minutes=1)) == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and _escrow(order) > 0

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert orders_auto_complete(now=learned + timedelta(days=5, seconds=1)) == 1

    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    last = OrderEvent.objects.filter(subject=order).order_by("-at", "-id").first()
    assert last is not None and last.actor_id is None and "5" in last.note
    assert api_as(order.seller).get("/me/balances").json() == [{"currency": "JPY", "available": "6256", "pending": "0"}]
    assert _escrow(order) == 0
    assert orders_auto_complete(now=learned + timedelta(days=6)) == 0  # done once


def test_periodic_job_completes_only_orders_delivered_more_than_five_days_ago():
    old, young, confirmed_meanwhile = _paid(), _paid(), _paid()
    for order in (old, young, confirmed_meanwhile):
        carrier_scan(ship(order), "delivered", "Shanghai")
    # Move the delivery (the carrier's time and when the platform recorded it) into the past.
    for order, age in (
        (old, timedelta(days=5, minutes=1)),
        (confirmed_meanwhile, timedelta(days=5, minutes=1)),
        (young, timedelta(days=4, hours=23)),
    ):
        Order.objects.filter(pk=order.pk).update(delivered_at=timezone.now() - age)
        OrderEvent.objects.filter(subject_id=order.pk, to_state=OrderStatus.DELIVERED).update(at=timezone.now() - age)
    # A dispute pauses completion (the disputes flow itself is a later issue).
    disputed = Order.objects.get(pk=confirmed_meanwhile.pk)
    transition(disputed, to=OrderStatus.DISPUTED, table=TRANSITIONS, event_model=OrderEvent)

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert orders_auto_complete_job.call_local() == 1

    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses[old.pk] == OrderStatus.COMPLETED
    assert statuses[young.pk] == OrderStatus.DELIVERED
    assert statuses[disputed.pk] == OrderStatus.DISPUTED


def test_a_shipped_order_without_delivery_is_not_auto_completed():
    order = _paid()
    ship(order)
    Order.objects.filter(pk=order.pk).update(shipped_at=timezone.now() - timedelta(days=20))

    assert orders_auto_complete(now=timezone.now() + timedelta(days=10)) == 0

    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


# --- stale tracking --------------------------------------------------------------------------


def test_parcel_without_tracking_updates_for_30_days_goes_to_staff_review(api_as):
    assert django_settings.SHIJI_TRACKING_STALE_DAYS == 30
    stale, fresh, delivered = _paid(), _paid(), _paid()
    shipments = {order.pk: ship(order) for order in (stale, fresh, delivered)}
    carrier_scan(shipments[delivered.pk], "delivered", "Shanghai")
    now = timezone.now()
    Shipment.objects.filter(order_id__in=[stale.pk, delivered.pk]).update(last_event_at=now - timedelta(days=31))
    Shipment.objects.filter(order_id=fresh.pk).update(last_event_at=now - timedelta(days=29))

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert orders_flag_stale_tracking() == 1
    assert orders_flag_stale_tracking() == 0  # flagged once

    flagged = Order.objects.get(pk=stale.pk)
    assert flagged.status == OrderStatus.SHIPPED and flagged.review_requested_at is not None
    assert Order.objects.get(pk=fresh.pk).review_requested_at is None
    assert Order.objects.get(pk=delivered.pk).review_requested_at is None
    told = Notification.objects.filter(kind="order.review_needed.seller", subject_id=stale.pk)
    assert [n.user_id for n in told] == [stale.seller_id]
    assert AuditEvent.objects.filter(action="order.tracking_stale", target_id=stale.pk).count() == 1
    for role in ("arbitrator", "finance"):
        queue = api_as(UserFactory(roles=[role])).get("/staff/orders/review")
        assert queue.status_code == 200, queue.content
        items = queue.json()["items"]
        assert [item["id"] for item in items] == [stale.pk]
        assert items[0]["review_requested_at"].endswith("Z")
    for outsider in (stale.buyer, stale.seller, UserFactory(roles=["moderator"])):
        refused = api_as(outsider).get("/staff/orders/review")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


def test_staff_reading_buyers_addresses_in_the_review_queue_leaves_a_trace(api_as):
    """CONTEXT.md "audit event": staff views of personal data are audited — in the queue as on
    the order page (GET /orders/{id}). Either the queue leaves the address out or it is audited."""
    order = _paid()
    ship(order)
    Shipment.objects.filter(order_id=order.pk).update(last_event_at=timezone.now() - timedelta(days=31))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert orders_flag_stale_tracking() == 1
    arbitrator = cast(User, UserFactory(roles=["arbitrator"]))

    items = api_as(arbitrator).get("/staff/orders/review").json()["items"]

    assert [item["id"] for item in items] == [order.pk]
    assert "phone" not in (items[0]["ship_to"] or {})
    shown = items[0]["ship_to"] is not None
    audited = AuditEvent.objects.filter(actor=arbitrator, target_id=order.pk).exists()
    assert audited or not shown


def test_closed_orders_whose_parcel_never_reported_delivery_do_not_crowd_out_new_stale_ones():
    """A buyer may confirm receipt before the carrier reports delivery, and a lost parcel ends
    refunded: those shipments never become ``delivered``. They must not keep a parcel that went
    quiet now out of the review queue, however many of them there are."""
    now = timezone.now()
    confirmed_early = _paid()
    early_shipment = ship(confirmed_early)
    with TestCase.captureOnCommitCallbacks(execute=True):
        order_confirm(user=confirmed_early.buyer, order_id=confirmed_early.pk)
    Shipment.objects.filter(pk=early_shipment.pk).update(last_event_at=now - timedelta(days=90))
    # Many more closed orders like it, over the years (only their shipments matter here).
    Shipment.objects.bulk_create(
        [
            Shipment(
                order_id=new_id("ord"),
                service=early_shipment.service,
                tracking_number=f"SBX{n:08d}JP",
                origin_country="JP",
                destination_country="CN",
                chargeable_weight_g=1000,
                price_minor=1780,
                currency="JPY",
                last_event_at=now - timedelta(days=60, minutes=n),
            )
            for n in range(500)
        ]
    )
    quiet = _paid()
    Shipment.objects.filter(pk=ship(quiet).pk).update(last_event_at=now - timedelta(days=31))

    with TestCase.captureOnCommitCallbacks(execute=True):
        orders_flag_stale_tracking()

    assert Order.objects.get(pk=quiet.pk).review_requested_at is not None


def test_listing_sold_out_by_a_shipped_order_stays_sold_out():
    """Shipping does not give stock back (only cancellation before shipping does)."""
    listing = listing_jp(quantity=1)
    order = _paid(listing=listing)
    ship(order)

    listing.refresh_from_db()
    assert (listing.quantity, listing.status) == (0, ListingStatus.SOLD_OUT)

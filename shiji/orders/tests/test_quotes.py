"""POST /quotes (API.md "Orders, payments, shipping"; PRODUCT.md §4, §5): the price a buyer is
offered in their own currency at a locked FX rate, and every refusal with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings

from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.models import Listing
from shiji.catalog.tests.factories import demo_rates, published
from shiji.orders.models import Order, Quote
from shiji.orders.tests.factories import (
    SHIP_TO_CN,
    SHIP_TO_KR,
    SMALL_PACKET,
    at_mid,
    listing_jp,
    seeded_postage,
    seller_jp,
)
from shiji.payments.models import Payment

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


@pytest.fixture(autouse=True)
def _rates() -> None:
    demo_rates()  # 1 USD = 150 JPY = 7.2 CNY


def _quote_body(listing: Listing, **overrides: Any) -> dict[str, Any]:
    return {"listing": listing.pk, "quantity": 1, "ship_to": dict(SHIP_TO_CN), **overrides}


def _parse_utc(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _expected_cny(
    price_jpy: int, *, margin_percent: str, fee_percent: str
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(mid item, item, buyer fee, item + fee) in CNY from demo_rates, computed independently.
    Postage is added on top (at the mid rate: ``_postage_cny``)."""
    mid_rate = Decimal("7.2") / Decimal("150")  # JPY → CNY through USD
    customer_rate = mid_rate * (1 + Decimal(margin_percent) / 100)
    mid = (price_jpy * mid_rate).quantize(CENT, rounding=ROUND_HALF_EVEN)
    item = (price_jpy * customer_rate).quantize(CENT, rounding=ROUND_HALF_EVEN)
    fee = (item * Decimal(fee_percent) / 100).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return mid, item, fee, item + fee


def _postage_cny(service: str, chargeable_weight_g: int) -> Decimal:
    """The seeded JP → CN price of ``service`` for that weight, converted at the mid rate (no margin)."""
    yen = seeded_postage(service, "JP", "CN", chargeable_weight_g)
    return at_mid(yen.amount, "JPY", "CNY")


# --- pricing ---------------------------------------------------------------------------------


def test_chinese_buyer_gets_a_jpy_listing_priced_in_cny_at_mid_rate_plus_margin(api_as, settings):
    """The headline example: ¥6,800 to Shanghai with the cheapest service, every line checked."""
    settings.SHIJI_FX_MARGIN_PERCENT = "1.0"
    settings.SHIJI_BUYER_FEE_PERCENT = "3.0"
    listing = listing_jp()  # ¥6,800, 800 g, 30 × 25 × 8 cm
    buyer = chinese_buyer()

    before = datetime.now(UTC)
    response = api_as(buyer).post("/quotes", _quote_body(listing))

    assert response.status_code == 201, response.content
    body = response.json()
    # Item: 6800 × 7.2 / 150 = 326.40 at mid; × 1.01 = 329.664 → 329.66; fee 3 % = 9.8898 → 9.89.
    assert _expected_cny(6800, margin_percent="1.0", fee_percent="3.0") == (
        Decimal("326.40"),
        Decimal("329.66"),
        Decimal("9.89"),
        Decimal("339.55"),
    )
    # Shipping: the cheapest service is the postal small packet. 6,000 cm³ / 6,000 = 1,000 g
    # volumetric > 800 g actual → 1,000 g chargeable; ¥700 + 9 × ¥120 = ¥1,780 in its rate table,
    # converted at the mid rate (no margin: the buyer pays what the carrier costs): 1780 × 0.048 = 85.44.
    assert seeded_postage(SMALL_PACKET, "JP", "CN", 1000).as_dict() == {"amount": "1780", "currency": "JPY"}
    assert _postage_cny(SMALL_PACKET, 1000) == Decimal("85.44")
    assert body["carrier_service"] == SMALL_PACKET
    assert body["chargeable_weight_g"] == 1000
    assert body["currency"] == "CNY"
    assert body["lines"]["item"] == {"amount": "329.66", "currency": "CNY"}
    assert body["lines"]["shipping"] == {"amount": "85.44", "currency": "CNY"}
    assert body["lines"]["buyer_fee"] == {"amount": "9.89", "currency": "CNY"}
    # Not DDP → CN personal postal articles (行邮税): clothing 20 % of the goods, 329.66 × 20 % =
    # 65.932 → 65.93 CNY (over the 50 CNY exemption), paid by the buyer on delivery: an estimate,
    # not part of what is charged now.
    assert body["regime"] == "cn_postal"
    assert body["duties_mode"] == "on_delivery"
    assert body["rule_ids"] == ["cn-postal-2019"]
    assert body["lines"]["duties"] == {"amount": "0.00", "currency": "CNY"}
    assert body["lines"]["taxes"] == {"amount": "65.93", "currency": "CNY"}
    # Total = item + shipping + fee = 329.66 + 85.44 + 9.89.
    assert body["total"] == {"amount": "424.99", "currency": "CNY"}
    assert body["item_seller"] == {"amount": "6800", "currency": "JPY"}
    assert body["options"][0]["carrier_service"] == SMALL_PACKET
    assert body["options"][0]["shipping"] == body["lines"]["shipping"]
    assert Decimal(body["fx_mid_rate"]).quantize(Decimal("1e-9")) == Decimal("0.048000000")
    assert Decimal(body["fx_rate"]).quantize(Decimal("1e-9")) == Decimal("0.048480000")
    assert body["fx_as_of"].endswith("Z")
    expires = _parse_utc(body["expires_at"])
    ttl = timedelta(seconds=django_settings.SHIJI_QUOTE_TTL_SECONDS)
    assert ttl == timedelta(minutes=15)
    assert before + ttl - timedelta(seconds=5) <= expires <= datetime.now(UTC) + ttl + timedelta(seconds=5)
    assert body["id"].startswith("quo_") and body["listing"] == listing.pk and body["quantity"] == 1

    stored = Quote.objects.get(pk=body["id"])
    assert stored.buyer_id == buyer.pk
    assert (
        stored.item_mid_minor,
        stored.item_minor,
        stored.shipping_minor,
        stored.buyer_fee_minor,
        stored.taxes_minor,
        stored.total_minor,
    ) == (32640, 32966, 8544, 989, 6593, 42499)
    assert stored.cbec_amount_minor is None  # postal imports do not count toward the CBEC allowance


def test_margin_and_buyer_fee_follow_the_settings(api_as, settings):
    settings.SHIJI_FX_MARGIN_PERCENT = "2.5"
    settings.SHIJI_BUYER_FEE_PERCENT = "5.0"
    mid, item, fee, item_and_fee = _expected_cny(6800 * 2, margin_percent="2.5", fee_percent="5.0")
    listing = listing_jp(quantity=3)

    response = api_as(chinese_buyer()).post("/quotes", _quote_body(listing, quantity=2))

    assert response.status_code == 201, response.content
    body = response.json()
    # 13600 × 0.048 = 652.80; × 1.025 = 669.12; 5 % fee = 33.456 → 33.46.
    assert (mid, item, fee) == (Decimal("652.80"), Decimal("669.12"), Decimal("33.46"))
    # Two dresses ship as one parcel: 1,600 g, stacked 30 × 25 × 16 cm = 12,000 cm³ → 2,000 g
    # volumetric at divisor 6,000. Small packet: ¥700 + 19 × ¥120 = ¥2,980; EMS (500 g steps):
    # ¥1,450 + 3 × ¥350 = ¥2,500, now the cheapest → 120.00 CNY at mid. Postage is not touched by
    # the margin or the fee percentages.
    assert seeded_postage(SMALL_PACKET, "JP", "CN", 2000).minor == 2980
    assert body["carrier_service"] == "jp-ems" and body["chargeable_weight_g"] == 2000
    shipping = _postage_cny("jp-ems", 2000)
    assert shipping == Decimal("120.00")
    assert body["item_seller"] == {"amount": "13600", "currency": "JPY"}
    assert body["lines"]["item"]["amount"] == str(item)
    assert body["lines"]["buyer_fee"]["amount"] == str(fee)
    assert body["lines"]["shipping"] == {"amount": str(shipping), "currency": "CNY"}
    assert body["duties_mode"] == "on_delivery"
    assert body["total"] == {"amount": str(item_and_fee + shipping), "currency": "CNY"}
    assert item_and_fee + shipping == Decimal("822.58")
    assert Quote.objects.get(pk=body["id"]).item_mid_minor == int(mid * 100)


def test_amounts_in_a_zero_digit_currency_have_no_decimals(api_as, settings):
    """A Japanese buyer quoting a yuan listing: yen amounts are whole numbers as strings."""
    settings.SHIJI_FX_MARGIN_PERCENT = "1.0"
    settings.SHIJI_BUYER_FEE_PERCENT = "3.0"
    seller = seller_jp(country="CN", language="zh-hans", currency="CNY", timezone="Asia/Shanghai")
    listing = published(
        seller,
        title={"zh-hans": "手工刺绣杯垫"},
        description={"zh-hans": "苏州手工刺绣。"},
        original_language="zh-hans",
        price={"amount": "100.00", "currency": "CNY"},
        ships_from="CN",
        category="textile-crafts",
    )
    buyer = UserFactory()  # JP, JPY
    ship_to = {
        "name": "山田花子",
        "line1": "千代田区丸の内1-1",
        "city": "東京都",
        "postal_code": "100-0005",
        "country": "JP",
        "phone": "+81 90 0000 0000",
    }

    response = api_as(buyer).post("/quotes", {"listing": listing.pk, "quantity": 1, "ship_to": ship_to})

    assert response.status_code == 201, response.content
    body = response.json()
    # 100 CNY × 150 / 7.2 = 2083.33… at mid; × 1.01 = 2104.17 → ¥2104; 3 % = 63.12 → ¥63.
    # Postage: CN small packet to JP, 1,000 g: 25.00 + 9 × 6.00 = 79.00 CNY → × 150 / 7.2 = 1645.83 → ¥1646.
    postage = seeded_postage("cn-post-small-packet", "CN", "JP", 1000)
    assert postage.as_dict() == {"amount": "79.00", "currency": "CNY"}
    assert at_mid(postage.amount, "CNY", "JPY") == Decimal("1646")
    assert body["currency"] == "JPY"
    assert body["carrier_service"] == "cn-post-small-packet"
    assert body["lines"]["item"] == {"amount": "2104", "currency": "JPY"}
    assert body["lines"]["buyer_fee"] == {"amount": "63", "currency": "JPY"}
    assert body["lines"]["shipping"] == {"amount": "1646", "currency": "JPY"}
    # Japan, ≤ ¥10,000 CIF (2104 + 1646) before 2028: nothing due.
    assert body["regime"] == "jp_small"
    assert body["lines"]["duties"] == {"amount": "0", "currency": "JPY"}
    assert body["lines"]["taxes"] == {"amount": "0", "currency": "JPY"}
    assert body["total"] == {"amount": "3813", "currency": "JPY"}  # 2104 + 1646 + 63
    assert body["item_seller"] == {"amount": "100.00", "currency": "CNY"}
    assert Quote.objects.get(pk=body["id"]).item_mid_minor == 2083


def test_same_currency_quote_has_no_fx_margin(api_as, settings):
    """A buyer in Korea who pays in yen for a yen listing: no conversion anywhere."""
    settings.SHIJI_FX_MARGIN_PERCENT = "1.0"
    settings.SHIJI_BUYER_FEE_PERCENT = "3.0"
    listing = listing_jp()
    buyer = UserFactory(country="KR", language="en", currency="JPY", timezone="Asia/Seoul")

    response = api_as(buyer).post("/quotes", _quote_body(listing, ship_to=SHIP_TO_KR))

    assert response.status_code == 201, response.content
    body = response.json()
    postage = seeded_postage(SMALL_PACKET, "JP", "KR", 1000)
    assert postage.as_dict() == {"amount": "1780", "currency": "JPY"}
    assert body["lines"]["item"] == {"amount": "6800", "currency": "JPY"}
    assert body["lines"]["shipping"] == {"amount": "1780", "currency": "JPY"}  # the carrier's price as is
    assert body["lines"]["buyer_fee"] == {"amount": "204", "currency": "JPY"}  # 3 % of the item only
    # Korea list clearance: ¥6,800 ≈ US$45 ≤ US$150 → nothing due.
    assert body["regime"] == "kr_list"
    assert (body["lines"]["duties"]["amount"], body["lines"]["taxes"]["amount"]) == ("0", "0")
    assert body["total"] == {"amount": "8784", "currency": "JPY"}  # 6800 + 1780 + 204
    assert Decimal(body["fx_rate"]) == 1
    stored = Quote.objects.get(pk=body["id"])
    assert stored.item_mid_minor == stored.item_minor == 6800


def test_buyer_may_ask_for_another_supported_currency(api_as, settings):
    settings.SHIJI_FX_MARGIN_PERCENT = "1.0"
    settings.SHIJI_BUYER_FEE_PERCENT = "3.0"
    listing = listing_jp()

    response = api_as(chinese_buyer()).post("/quotes", _quote_body(listing, currency="USD"))

    assert response.status_code == 201, response.content
    body = response.json()
    # 6800 / 150 = 45.333… at mid; × 1.01 = 45.786… → 45.79 USD; 3 % = 1.3737 → 1.37.
    # Postage ¥1,780 / 150 = 11.8666… → 11.87 USD at mid.
    assert at_mid(Decimal(1780), "JPY", "USD") == Decimal("11.87")
    assert body["currency"] == "USD"
    assert body["lines"]["item"] == {"amount": "45.79", "currency": "USD"}
    assert body["lines"]["buyer_fee"] == {"amount": "1.37", "currency": "USD"}
    assert body["lines"]["shipping"] == {"amount": "11.87", "currency": "USD"}
    assert body["options"][0]["shipping"] == {"amount": "11.87", "currency": "USD"}
    # CN postal tax on delivery, shown in the buyer's currency: 45.79 × 20 % = 9.158 → 9.16 USD.
    assert body["duties_mode"] == "on_delivery"
    assert body["lines"]["taxes"] == {"amount": "9.16", "currency": "USD"}
    assert body["total"] == {"amount": "59.03", "currency": "USD"}  # 45.79 + 11.87 + 1.37


def test_quote_is_readable_by_its_buyer_only(api_as):
    listing = listing_jp()
    buyer = chinese_buyer()
    quote_id = api_as(buyer).post("/quotes", _quote_body(listing)).json()["id"]

    mine = api_as(buyer).get(f"/quotes/{quote_id}")
    assert mine.status_code == 200 and mine.json()["total"]["amount"] == "424.99"
    assert mine.json()["id"] == quote_id and mine.json()["lines"]["shipping"]["amount"] == "85.44"

    other = api_as(chinese_buyer()).get(f"/quotes/{quote_id}")
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    seller = api_as(listing.seller).get(f"/quotes/{quote_id}")
    assert seller.status_code == 404


def test_another_buyers_quote_cannot_be_ordered(api_as):
    listing = listing_jp()
    quote_id = api_as(chinese_buyer()).post("/quotes", _quote_body(listing)).json()["id"]

    response = api_as(chinese_buyer()).post("/orders", {"quote": quote_id})

    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert not Order.objects.exists()
    listing.refresh_from_db()
    assert listing.quantity == 1


# --- the quote locks its rate ----------------------------------------------------------------


def test_rate_change_after_the_quote_does_not_change_the_order(api_as):
    listing = listing_jp(quantity=2)
    buyer = chinese_buyer()
    buyer_api = api_as(buyer)
    quote = buyer_api.post("/quotes", _quote_body(listing)).json()
    assert quote["total"]["amount"] == "424.99"  # 329.66 + 85.44 postage + 9.89 fee

    finance = UserFactory(roles=["finance"])
    moved = api_as(finance).put("/staff/fx-rates", {"base": "USD", "quote": "CNY", "rate": "8.0", "source": "test"})
    assert moved.status_code == 200, moved.content
    # A new quote now sees the new rate on the item and on the postage:
    # item 6800 × 8 / 150 × 1.01 = 366.29; postage 1780 × 8 / 150 = 94.93; fee 10.99.
    fresh = buyer_api.post("/quotes", _quote_body(listing)).json()
    assert fresh["lines"]["item"]["amount"] == "366.29"
    assert fresh["lines"]["shipping"]["amount"] == "94.93"
    assert fresh["total"]["amount"] == "472.21"

    order = buyer_api.post("/orders", {"quote": quote["id"]})

    assert order.status_code == 201, order.content
    body = order.json()
    assert body["total"] == {"amount": "424.99", "currency": "CNY"}
    assert body["lines"]["item"] == {"amount": "329.66", "currency": "CNY"}
    assert body["lines"]["shipping"] == {"amount": "85.44", "currency": "CNY"}
    assert body["fx_rate"] == quote["fx_rate"]
    assert body["payment"]["amount"] == {"amount": "424.99", "currency": "CNY"}
    assert Payment.objects.get(order_id=body["id"]).amount_minor == 42499


# --- refusals: 4xx and nothing written -------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ship_to": {**SHIP_TO_CN, "country": "XX"}}, "ship_to.country"),
        ({"ship_to": {**SHIP_TO_CN, "country": "CHN"}}, "ship_to.country"),
        ({"ship_to": {k: v for k, v in SHIP_TO_CN.items() if k != "phone"}}, "ship_to.phone"),
        ({"ship_to": {**SHIP_TO_CN, "phone": "call me"}}, "ship_to.phone"),
        ({"ship_to": {**SHIP_TO_CN, "name": "   "}}, "ship_to.name"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 100}, "quantity"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": "two"}, "quantity"),
        ({"currency": "XYZ"}, "currency"),
    ],
)
def test_invalid_quote_requests_are_422_with_fields_and_write_nothing(api_as, change, field):
    listing = listing_jp(quantity=5)

    response = api_as(chinese_buyer()).post("/quotes", {**_quote_body(listing), **change})

    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert error["message"]
    assert not Quote.objects.exists()


def test_address_keeps_only_what_shipping_needs(api_as):
    listing = listing_jp()
    ship_to = {**SHIP_TO_CN, "email": "wang@example.test", "line2": "  ", "region": " 上海市 "}

    response = api_as(chinese_buyer()).post("/quotes", _quote_body(listing, ship_to=ship_to))

    assert response.status_code == 201, response.content
    stored = Quote.objects.get(pk=response.json()["id"]).ship_to
    assert "email" not in stored and "line2" not in stored
    assert stored["region"] == "上海市" and stored["country"] == "CN"


def test_buyer_display_currency_that_the_platform_does_not_trade_is_refused(api_as, settings):
    listing = listing_jp()
    buyer = chinese_buyer()
    settings.SHIJI_CURRENCIES = ["JPY", "USD"]  # CNY withdrawn after the buyer chose it

    response = api_as(buyer).post("/quotes", _quote_body(listing))

    assert response.status_code == 422 and "currency" in response.json()["error"]["fields"]
    assert not Quote.objects.exists()


def test_own_listing_cannot_be_quoted(api_as):
    seller = seller_jp()
    listing = listing_jp(seller)

    response = api_as(seller).post("/quotes", _quote_body(listing))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "own_listing"
    assert not Quote.objects.exists()


def test_destination_the_seller_does_not_ship_to_is_no_route(api_as):
    listing = listing_jp(ships_to=["JP", "KR"])

    response = api_as(chinese_buyer()).post("/quotes", _quote_body(listing))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "no_route"
    assert "ship_to.country" in error["fields"]
    assert not Quote.objects.exists()
    # The same listing to a country it does ship to is fine.
    korea = {**SHIP_TO_CN, "country": "KR", "postal_code": "04524", "phone": "+82 10 0000 0000"}
    assert api_as(chinese_buyer()).post("/quotes", _quote_body(listing, ship_to=korea)).status_code == 201


def test_meat_products_are_prohibited_for_china_with_the_reason_in_the_buyers_language(api_as):
    listing = listing_jp(
        category="meat-products",
        title={"ja": "鹿児島の黒豚ハム"},
        description={"ja": "お土産にどうぞ。"},
        tags=["お土産"],
    )

    response = api_as(chinese_buyer()).post("/quotes", _quote_body(listing))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "prohibited_for_destination"
    assert "中国禁止通过邮寄或跨境电商进口肉制品" in error["message"]
    assert not Quote.objects.exists()
    # The rule is China's: the same item may go to Korea.
    korea = {**SHIP_TO_CN, "country": "KR", "postal_code": "04524", "phone": "+82 10 0000 0000"}
    assert api_as(chinese_buyer()).post("/quotes", _quote_body(listing, ship_to=korea)).status_code == 201


def test_prohibited_keyword_in_another_category_is_caught_too(api_as):
    listing = listing_jp(
        category="snacks",
        title={"ja": "ご当地マヨネーズ 3本セット"},
        description={"ja": "未開封です。"},
        tags=[],
    )

    response = api_as(chinese_buyer()).post("/quotes", _quote_body(listing))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "prohibited_for_destination"
    assert not Quote.objects.exists()


def test_more_than_the_stock_is_409_out_of_stock(api_as):
    listing = listing_jp(quantity=2)

    response = api_as(chinese_buyer()).post("/quotes", _quote_body(listing, quantity=3))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "out_of_stock"
    assert not Quote.objects.exists()
    assert api_as(chinese_buyer()).post("/quotes", _quote_body(listing, quantity=2)).status_code == 201


def test_unknown_listing_is_404(api_as):
    response = api_as(chinese_buyer()).post("/quotes", {"listing": "lst_nope", "quantity": 1, "ship_to": SHIP_TO_CN})

    assert response.status_code == 404
    assert not Quote.objects.exists()


def test_quote_needs_a_signed_in_buyer(api):
    listing = listing_jp()

    response = api.post("/quotes", _quote_body(listing))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert not Quote.objects.exists()

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
from shiji.orders.tests.factories import SHIP_TO_CN, listing_jp, seller_jp
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
    """(mid item, item, buyer fee, total) in CNY from demo_rates, computed independently."""
    mid_rate = Decimal("7.2") / Decimal("150")  # JPY → CNY through USD
    customer_rate = mid_rate * (1 + Decimal(margin_percent) / 100)
    mid = (price_jpy * mid_rate).quantize(CENT, rounding=ROUND_HALF_EVEN)
    item = (price_jpy * customer_rate).quantize(CENT, rounding=ROUND_HALF_EVEN)
    fee = (item * Decimal(fee_percent) / 100).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return mid, item, fee, item + fee


# --- pricing ---------------------------------------------------------------------------------


def test_chinese_buyer_gets_a_jpy_listing_priced_in_cny_at_mid_rate_plus_margin(api_as, settings):
    settings.SHIJI_FX_MARGIN_PERCENT = "1.0"
    settings.SHIJI_BUYER_FEE_PERCENT = "3.0"
    listing = listing_jp()  # ¥6,800
    buyer = chinese_buyer()

    before = datetime.now(UTC)
    response = api_as(buyer).post("/quotes", _quote_body(listing))

    assert response.status_code == 201, response.content
    body = response.json()
    # 6800 × 7.2 / 150 = 326.40 at mid; × 1.01 = 329.664 → 329.66; fee 3 % = 9.8898 → 9.89.
    assert _expected_cny(6800, margin_percent="1.0", fee_percent="3.0") == (
        Decimal("326.40"),
        Decimal("329.66"),
        Decimal("9.89"),
        Decimal("339.55"),
    )
    assert body["currency"] == "CNY"
    assert body["lines"]["item"] == {"amount": "329.66", "currency": "CNY"}
    assert body["lines"]["buyer_fee"] == {"amount": "9.89", "currency": "CNY"}
    assert body["lines"]["shipping"] == {"amount": "0.00", "currency": "CNY"}
    assert body["lines"]["duties"] == {"amount": "0.00", "currency": "CNY"}
    assert body["lines"]["taxes"] == {"amount": "0.00", "currency": "CNY"}
    assert body["total"] == {"amount": "339.55", "currency": "CNY"}
    assert body["item_seller"] == {"amount": "6800", "currency": "JPY"}
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
    assert (stored.item_mid_minor, stored.item_minor, stored.buyer_fee_minor, stored.total_minor) == (
        32640,
        32966,
        989,
        33955,
    )


def test_margin_and_buyer_fee_follow_the_settings(api_as, settings):
    settings.SHIJI_FX_MARGIN_PERCENT = "2.5"
    settings.SHIJI_BUYER_FEE_PERCENT = "5.0"
    mid, item, fee, total = _expected_cny(6800 * 2, margin_percent="2.5", fee_percent="5.0")
    listing = listing_jp(quantity=3)

    response = api_as(chinese_buyer()).post("/quotes", _quote_body(listing, quantity=2))

    assert response.status_code == 201, response.content
    body = response.json()
    # 13600 × 0.048 = 652.80; × 1.025 = 669.12; 5 % fee = 33.456 → 33.46; total 702.58.
    assert (mid, item, fee, total) == (Decimal("652.80"), Decimal("669.12"), Decimal("33.46"), Decimal("702.58"))
    assert body["item_seller"] == {"amount": "13600", "currency": "JPY"}
    assert body["lines"]["item"]["amount"] == str(item)
    assert body["lines"]["buyer_fee"]["amount"] == str(fee)
    assert body["total"] == {"amount": str(total), "currency": "CNY"}
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
    assert body["currency"] == "JPY"
    assert body["lines"]["item"] == {"amount": "2104", "currency": "JPY"}
    assert body["lines"]["buyer_fee"] == {"amount": "63", "currency": "JPY"}
    assert body["lines"]["shipping"] == {"amount": "0", "currency": "JPY"}
    assert body["total"] == {"amount": "2167", "currency": "JPY"}
    assert body["item_seller"] == {"amount": "100.00", "currency": "CNY"}
    assert Quote.objects.get(pk=body["id"]).item_mid_minor == 2083


def test_same_currency_quote_has_no_fx_margin(api_as, settings):
    settings.SHIJI_FX_MARGIN_PERCENT = "1.0"
    settings.SHIJI_BUYER_FEE_PERCENT = "3.0"
    listing = listing_jp()
    japanese_buyer = UserFactory()
    ship_to = {**SHIP_TO_CN, "country": "JP", "postal_code": "100-0005", "phone": "+81 90 0000 0000"}

    body = api_as(japanese_buyer).post("/quotes", _quote_body(listing, ship_to=ship_to)).json()

    assert body["lines"]["item"] == {"amount": "6800", "currency": "JPY"}
    assert body["lines"]["buyer_fee"] == {"amount": "204", "currency": "JPY"}
    assert body["total"] == {"amount": "7004", "currency": "JPY"}
    assert Decimal(body["fx_rate"]) == 1


def test_buyer_may_ask_for_another_supported_currency(api_as, settings):
    settings.SHIJI_FX_MARGIN_PERCENT = "1.0"
    settings.SHIJI_BUYER_FEE_PERCENT = "3.0"
    listing = listing_jp()

    response = api_as(chinese_buyer()).post("/quotes", _quote_body(listing, currency="USD"))

    assert response.status_code == 201, response.content
    body = response.json()
    # 6800 / 150 = 45.333… at mid; × 1.01 = 45.786… → 45.79 USD; 3 % = 1.3737 → 1.37.
    assert body["currency"] == "USD"
    assert body["lines"]["item"] == {"amount": "45.79", "currency": "USD"}
    assert body["total"] == {"amount": "47.16", "currency": "USD"}


def test_quote_is_readable_by_its_buyer_only(api_as):
    listing = listing_jp()
    buyer = chinese_buyer()
    quote_id = api_as(buyer).post("/quotes", _quote_body(listing)).json()["id"]

    mine = api_as(buyer).get(f"/quotes/{quote_id}")
    assert mine.status_code == 200 and mine.json()["total"]["amount"] == "339.55"

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
    assert quote["total"]["amount"] == "339.55"

    finance = UserFactory(roles=["finance"])
    moved = api_as(finance).put("/staff/fx-rates", {"base": "USD", "quote": "CNY", "rate": "8.0", "source": "test"})
    assert moved.status_code == 200, moved.content
    # A new quote now sees the new rate: 6800 × 8 / 150 × 1.01 = 366.29; fee 10.99.
    fresh = buyer_api.post("/quotes", _quote_body(listing)).json()
    assert fresh["total"]["amount"] == "377.28"

    order = buyer_api.post("/orders", {"quote": quote["id"]})

    assert order.status_code == 201, order.content
    body = order.json()
    assert body["total"] == {"amount": "339.55", "currency": "CNY"}
    assert body["lines"]["item"] == {"amount": "329.66", "currency": "CNY"}
    assert body["fx_rate"] == quote["fx_rate"]
    assert body["payment"]["amount"] == {"amount": "339.55", "currency": "CNY"}
    assert Payment.objects.get(order_id=body["id"]).amount_minor == 33955


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

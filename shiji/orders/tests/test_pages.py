"""Checkout, the order page and my orders, through the browser-facing views."""

from __future__ import annotations

import re
import zoneinfo
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.tests.factories import demo_rates
from shiji.orders.models import Order, Quote
from shiji.orders.shipping import order_ship
from shiji.orders.tests.factories import SHIP_TO_CN, listing_jp, order_placed, pay, seller_jp
from shiji.shipping.carriers.sandbox import sandbox_carrier_advance

pytestmark = pytest.mark.django_db

PHONE = SHIP_TO_CN["phone"]


def _address(**overrides: Any) -> dict[str, Any]:
    return {"quantity": "1", "line2": "", "region": "", **SHIP_TO_CN, **overrides}


def _get_price(client: Any, listing_id: str, **overrides: Any) -> Any:
    return client.post(f"/listings/{listing_id}/buy/", {**_address(**overrides), "action": "quote"})


def _quote_id(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.search(r"quote=(quo_\w+)", response["Location"])
    assert match, response["Location"]
    return match.group(1)


@pytest.fixture
def listing() -> Any:
    demo_rates()
    return listing_jp(seller_jp(language="ja"))


def test_checkout_renders_in_chinese_with_the_price_in_yuan_and_the_yen_original(client, listing):
    buyer = chinese_buyer()
    client.force_login(buyer)
    html = client.get(f"/listings/{listing.pk}/buy/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "¥329.66" in html and "JP¥6,800" in html  # 6,800 JPY at 150 JPY = 7.2 CNY per USD, + 1 % margin
    assert re.search(r'<option value="CN" selected>中国 \(CN\)</option>', html)  # prefilled, in Chinese
    assert "数量" in html  # the quantity label

    quote_id = _quote_id(_get_price(client, listing.pk))
    quote = Quote.objects.get(pk=quote_id)
    assert (quote.buyer, quote.currency, quote.ship_to["phone"]) == (buyer, "CNY", PHONE)
    page = client.get(f"/listings/{listing.pk}/buy/?quote={quote_id}").content.decode()
    assert "¥329.66" in page  # the item at the locked rate, margin included
    assert "JP¥6,800" in page  # the seller's own price beside it
    assert "1 JPY = 0.04848 CNY" in page
    assert "国际特快专递 EMS" in page  # carrier options named in the buyer's language
    assert 'value="jp-post-small-packet"' in page and "checked" in page
    assert f'value="{quote_id}"' in page and 'value="place"' in page
    assert 'value="王小明"' in page  # the address is kept for another price
    # Duties and taxes are an estimate paid on delivery here, not part of the total.
    assert "¥65.93" in page and "¥424.99" in page


def test_choosing_another_carrier_gives_a_new_price(client, listing):
    client.force_login(chinese_buyer(language="en"))
    before = client.get(f"/listings/{listing.pk}/buy/").content.decode()
    # Before the first price: the route's services, without prices, the cheapest preselected.
    assert re.search(r'<input type="radio" name="carrier_service" value=""[^>]*checked', before)
    assert "EMS" in before and "duties paid in advance (DDP)" in before
    first = _quote_id(_get_price(client, listing.pk))
    assert Quote.objects.get(pk=first).carrier_service == "jp-post-small-packet"
    second = _quote_id(_get_price(client, listing.pk, carrier_service="jp-ems"))
    assert Quote.objects.get(pk=second).carrier_service == "jp-ems"
    page = client.get(f"/listings/{listing.pk}/buy/?quote={second}").content.decode()
    assert re.search(r'value="jp-ems"[^>]*checked', page)
    # Changing the country drops a carrier choice made for the old route.
    third = _quote_id(_get_price(client, listing.pk, carrier_service="jp-sf-international", country="DE"))
    assert Quote.objects.get(pk=third).carrier_service == "jp-post-small-packet"


def test_a_bad_address_keeps_the_values_and_says_what_is_wrong_in_the_buyers_language(client, listing):
    client.force_login(chinese_buyer())
    response = _get_price(client, listing.pk, phone="call me")
    assert response.status_code == 200
    html = response.content.decode()
    assert "请检查收货地址。" in html  # the service's message on top
    assert "只能包含数字、空格、+、- 和括号。" in html  # beside the phone
    assert 'value="call me"' in html and 'value="王小明"' in html and 'value="200120"' in html
    missing = _get_price(client, listing.pk, city="").content.decode()
    assert "此项为必填项。" in missing and 'value="+86 138 0000 0000"' in missing
    assert not Quote.objects.exists()


def test_service_refusals_are_form_errors(client, listing):
    client.force_login(chinese_buyer(language="ja"))
    no_route = listing_jp(listing.seller, ships_to=["CN"])
    html = _get_price(client, no_route.pk, country="US").content.decode()
    assert "出品者はこの商品のUSへの発送に対応していません。" in html  # no_route, in Japanese
    assert "この出品者の発送対象外です。" in html  # beside the country
    assert 'value="浦东新区世纪大道100号"' in html
    too_many = _get_price(client, listing.pk, quantity="2").content.decode()
    assert "在庫が不足しています" in too_many  # out_of_stock
    assert not Quote.objects.exists()


def test_a_customs_limit_is_explained_and_a_ddp_service_can_be_chosen(client):
    demo_rates()
    listing = listing_jp(seller_jp(), price={"amount": "15000", "currency": "JPY"}, quantity=5)
    client.force_login(chinese_buyer(language="en"))
    refused = _get_price(client, listing.pk, quantity="2")  # by post: over China's parcel limit
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Parcels sent to China by post are limited to" in html
    assert 'value="jp-express-ddp"' in html and 'value="2"' in html
    quote_id = _quote_id(_get_price(client, listing.pk, quantity="2", carrier_service="jp-express-ddp"))
    quote = Quote.objects.get(pk=quote_id)
    assert (quote.carrier_service, quote.duties_mode) == ("jp-express-ddp", "prepaid")
    page = client.get(f"/listings/{listing.pk}/buy/?quote={quote_id}").content.decode()
    assert "Paid in advance, included in the total" in page


def test_a_quote_then_an_order_goes_to_the_order_page(client, listing):
    buyer = chinese_buyer()
    client.force_login(buyer)
    quote_id = _quote_id(_get_price(client, listing.pk))
    placed = client.post(f"/listings/{listing.pk}/buy/", {"action": "place", "quote": quote_id})
    order = Order.objects.get(buyer=buyer)
    assert placed.status_code == 302 and placed["Location"] == f"/orders/{order.pk}/"
    assert order.quote_id == quote_id and order.status == "pending_payment"
    again = client.post(f"/listings/{listing.pk}/buy/", {"action": "place", "quote": quote_id})
    assert again["Location"] == f"/orders/{order.pk}/"  # pressed twice: still one order
    assert Order.objects.count() == 1
    html = client.get(f"/orders/{order.pk}/").content.decode()
    assert "待付款" in html and "¥424.99" in html and PHONE in html


def test_an_expired_price_cannot_be_ordered(client, listing):
    client.force_login(chinese_buyer(language="en"))
    quote_id = _quote_id(_get_price(client, listing.pk))
    Quote.objects.filter(pk=quote_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client.get(f"/listings/{listing.pk}/buy/?quote={quote_id}").content.decode()
    assert "This price has expired" in page and 'value="place"' not in page
    response = client.post(f"/listings/{listing.pk}/buy/", {"action": "place", "quote": quote_id}, follow=True)
    assert "This quote has expired" in response.content.decode()
    assert not Order.objects.exists()


def test_the_buyer_pays_in_the_sandbox_from_the_page(client, listing):
    buyer = chinese_buyer(language="en")
    order = order_placed(buyer=buyer, listing=listing)
    client.force_login(buyer)
    assert "Simulate a failed payment" in client.get(f"/orders/{order.pk}/").content.decode()
    failed = client.post(f"/orders/{order.pk}/pay/", {"outcome": "failed"}, follow=True).content.decode()
    assert "declined" in failed and "Your last payment attempt failed" in failed
    order.refresh_from_db()
    assert order.status == "pending_payment"
    paid = client.post(f"/orders/{order.pk}/pay/", {"outcome": "succeeded"})
    assert paid.status_code == 302 and paid["Location"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == "paid"  # the provider's callback ran through the queue after commit
    html = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Paid (in escrow)" in html and "Pay now" not in html


def test_only_the_buyer_pays(client, listing):
    order = order_placed(listing=listing)
    client.force_login(listing.seller)
    assert client.post(f"/orders/{order.pk}/pay/", {"outcome": "succeeded"}).status_code == 404
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_the_seller_ships_from_the_page_and_downloads_the_label(client, listing):
    buyer = chinese_buyer()
    order = pay(order_placed(buyer=buyer, listing=listing))
    client.force_login(listing.seller)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert re.search(r'value="jp-post-small-packet"[^>]*checked', page)  # the quoted service
    assert "王小明" in page and PHONE not in page  # paid: the address, without the phone
    shipped = client.post(f"/orders/{order.pk}/ship/", {"carrier_service": "jp-post-small-packet"})
    assert shipped.status_code == 302
    order.refresh_from_db()
    assert order.status == "shipped"
    html = client.get(f"/orders/{order.pk}/").content.decode()
    match = re.search(r'href="(/api/v1/orders/[^"]+/label)"', html)
    assert match, "no label link"
    label = client.get(match.group(1))
    assert label.status_code == 200 and label["Content-Type"] == "image/png"
    assert b"".join(label.streaming_content).startswith(b"\x89PNG")
    assert PHONE not in html
    assert "+09:00" in html  # the seller's times are in Tokyo time
    # The buyer sees the tracking in their language and zone, but never the label.
    client.force_login(buyer)
    mine = client.get(f"/orders/{order.pk}/").content.decode()
    assert "+08:00" in mine and match.group(1) not in mine and f"/orders/{order.pk}/confirm/" in mine
    assert client.get(match.group(1)).status_code == 404


def test_a_refused_shipment_keeps_the_form_and_says_why(client, listing):
    order = pay(order_placed(buyer=chinese_buyer(), listing=listing))
    client.force_login(listing.seller)
    response = client.post(f"/orders/{order.pk}/ship/", {"carrier_service": "no-such-service"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error"' in html and 'name="carrier_service"' in html
    order.refresh_from_db()
    assert order.status == "paid"


def test_tracking_timeline_and_confirmation(client, listing):
    buyer = chinese_buyer(language="en")
    order = pay(order_placed(buyer=buyer, listing=listing))
    shipment = order_ship(seller=listing.seller, order_id=order.pk)
    at = timezone.now().replace(microsecond=0) - timedelta(hours=5)
    with TestCase.captureOnCommitCallbacks(execute=True):
        sandbox_carrier_advance(shipment.tracking_number, "in_transit", "Narita", at=at)
    client.force_login(buyer)
    html = client.get(f"/orders/{order.pk}/").content.decode()
    local = timezone.localtime(at, timezone=zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert f'datetime="{local.isoformat()}"' in html
    assert "In transit" in html and "Narita" in html and "Label created" in html
    confirmed = client.post(f"/orders/{order.pk}/confirm/")
    assert confirmed.status_code == 302
    order.refresh_from_db()
    assert order.status == "completed"


def test_either_side_cancels_before_shipping(client, listing):
    order = pay(order_placed(buyer=chinese_buyer(), listing=listing))
    client.force_login(listing.seller)
    response = client.post(f"/orders/{order.pk}/cancel/", {"reason": "在庫切れ"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert "在庫切れ" in client.get(f"/orders/{order.pk}/").content.decode()


def test_a_stranger_gets_404(client, listing):
    order = pay(order_placed(listing=listing))
    client.force_login(UserFactory())
    assert client.get(f"/orders/{order.pk}/").status_code == 404
    for action, data in (("pay", {"outcome": "succeeded"}), ("cancel", {}), ("ship", {}), ("confirm", {})):
        assert client.post(f"/orders/{order.pk}/{action}/", data).status_code == 404
    order.refresh_from_db()
    assert order.status == "paid"


def test_the_sellers_page_never_shows_the_buyers_phone(client, listing):
    order = order_placed(buyer=chinese_buyer(), listing=listing)
    client.force_login(listing.seller)
    unpaid = client.get(f"/orders/{order.pk}/").content.decode()
    assert PHONE not in unpaid and "王小明" not in unpaid and "200120" not in unpaid  # not paid: no address
    pay(order)
    paid = client.get(f"/orders/{order.pk}/").content.decode()
    assert "王小明" in paid and PHONE not in paid and "138 0000" not in paid


def test_order_staff_see_the_order_without_actions_and_leave_a_trace(client, listing):
    from shiji.core.models import AuditEvent

    order = pay(order_placed(buyer=chinese_buyer(), listing=listing))
    order_ship(seller=listing.seller, order_id=order.pk)
    staff = UserFactory(language="en", roles=["finance"])
    client.force_login(staff)
    html = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Staff view." in html and "王小明" in html and PHONE not in html
    for action in ("pay", "cancel", "ship", "confirm"):
        assert f"/orders/{order.pk}/{action}/" not in html
    assert f"/api/v1/orders/{order.pk}/label" in html  # order staff may read the label
    assert AuditEvent.objects.filter(action="order.viewed_by_staff", target_id=order.pk, actor=staff).exists()


@pytest.mark.parametrize(
    ("language", "paid_label", "menu"),
    [("ja", "支払い済み（エスクローで保管中）", 'lang="ja"'), ("en", "Paid (in escrow)", 'lang="en"')],
)
def test_pages_render_in_japanese_and_english(client, listing, language, paid_label, menu):
    buyer = chinese_buyer(language=language)
    order = pay(order_placed(buyer=buyer, listing=listing))
    listing.seller.language = language
    listing.seller.save(update_fields=["language"])
    for person in (buyer, listing.seller):
        client.force_login(person)
        html = client.get(f"/orders/{order.pk}/").content.decode()
        assert f"<html {menu}>" in html and paid_label in html
    checkout = client.get(f"/listings/{listing_jp(listing.seller).pk}/buy/")
    assert checkout.status_code == 200 and f"<html {menu}>" in checkout.content.decode()
    client.force_login(buyer)
    assert f"<html {menu}>" in client.get(f"/listings/{listing_jp(listing.seller).pk}/buy/").content.decode()
    assert paid_label in client.get("/my/orders/").content.decode()


def test_my_orders_lists_purchases_and_sales_with_what_to_ship_first(client, listing):
    seller = listing.seller
    buyer = chinese_buyer(language="en")
    paid = pay(order_placed(buyer=buyer, listing=listing))
    unpaid = order_placed(buyer=buyer, listing=listing_jp(seller))
    seller.language = "en"
    seller.save(update_fields=["language"])
    client.force_login(seller)
    html = client.get("/my/orders/?tab=sales").content.decode()
    assert "1 to ship" in html
    to_ship, others = html.split("Other sales", 1)
    assert f"/orders/{paid.pk}/" in to_ship and f"/orders/{unpaid.pk}/" in others
    assert paid.paid_at is not None
    ship_by = timezone.localtime(paid.paid_at + timedelta(days=listing.handling_days))
    assert f'datetime="{ship_by.isoformat()}"' in to_ship
    assert "You have not bought anything yet." in client.get("/my/orders/").content.decode()
    client.force_login(buyer)
    purchases = client.get("/my/orders/").content.decode()
    assert f"/orders/{paid.pk}/" in purchases and f"/orders/{unpaid.pk}/" in purchases
    assert "Nothing to ship right now." in client.get("/my/orders/?tab=sales").content.decode()


@pytest.mark.parametrize("tab", ["purchases", "sales"])
def test_my_orders_queries_do_not_grow_with_the_list(client, listing, tab):
    buyer = chinese_buyer()
    pay(order_placed(buyer=buyer, listing=listing))
    client.force_login(buyer if tab == "purchases" else listing.seller)
    with CaptureQueriesContext(connection) as one:
        client.get(f"/my/orders/?tab={tab}")
    for _ in range(3):
        pay(order_placed(buyer=buyer, listing=listing_jp(listing.seller)))
    with CaptureQueriesContext(connection) as four:
        client.get(f"/my/orders/?tab={tab}")
    assert len(four) == len(one)


def test_the_listing_page_has_a_buy_button_for_buyers_only(client, listing):
    url = f"/listings/{listing.pk}/buy/"
    assert url not in client.get(f"/listings/{listing.pk}/").content.decode()  # signed out
    client.force_login(listing.seller)
    assert url not in client.get(f"/listings/{listing.pk}/").content.decode()
    own = client.get(url).content.decode()
    assert 'value="quote"' not in own  # no checkout form on one's own listing
    client.force_login(chinese_buyer())
    assert url in client.get(f"/listings/{listing.pk}/").content.decode()


def test_checkout_needs_a_signed_in_user(client, listing):
    response = client.get(f"/listings/{listing.pk}/buy/")
    assert response.status_code == 302 and "/login/" in response["Location"]

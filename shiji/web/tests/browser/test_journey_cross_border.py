"""Issue 7, journey 1: a seller in Japan (pages in Japanese) sells to a buyer in China (pages in
Chinese), each in their own browser: listing with a photo, search in Chinese, landed cost,
sandbox payment, label, carrier delivery, receipt, double-blind reviews."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from shiji.accounts.models import User
from shiji.accounts.tests.factories import chinese_buyer
from shiji.catalog.models import Listing
from shiji.catalog.selectors import listing_display_price
from shiji.catalog.tests.factories import demo_rates
from shiji.core.money import Money
from shiji.ledger.check import ledger_check
from shiji.orders.models import Order, Quote
from shiji.orders.states import OrderStatus
from shiji.reputation.models import Review
from shiji.web.tests.browser import steps
from shiji.web.tests.browser.steps import costs_row, flash, in_language, status_badge
from shiji.web.tests.browser.support import PASSWORD, carrier_callback, orm, tr

pytestmark = pytest.mark.django_db(transaction=True)

JA, ZH = "ja", "zh-hans"
TITLE_JA = "昭和レトロ 花柄ワンピース"
TITLE_ZH = "昭和复古碎花连衣裙"
BUYER_EMAIL = "xiaoming@example.cn"
SHIP_TO = {
    "name": "王小明",
    "line1": "浦东新区世纪大道100号",
    "city": "上海",
    "postal_code": "200120",
    "country": "CN",
    "phone": "+86 138 0000 0000",
}


def _world() -> User:
    demo_rates()
    return chinese_buyer(email=BUYER_EMAIL, display_name="小明", password=PASSWORD)


def _money(minor: int, currency: str, language: str) -> str:
    return Money(minor, currency).format(language)


def test_japanese_seller_chinese_buyer(person: Any, shots: Any, live_server: Any, tmp_path: Path) -> None:
    orm(_world)
    seller = person("ja-JP", "Asia/Tokyo")
    buyer = person("zh-CN", "Asia/Shanghai")

    # --- the seller signs up and lists a dress with a photo, in Japanese ------------------------
    steps.register(seller, JA, email="hanako@example.jp", name="花子", country="JP", currency="JPY")
    shots(seller, "seller-registered")
    listing_id = steps.sell(
        seller,
        JA,
        titles={JA: TITLE_JA, ZH: TITLE_ZH},
        price="6800",
        image=steps.photo(tmp_path),
        story="祖母の写真に似ていた一着。",
        shot=shots,
    )
    shots(seller, "seller-published")

    # --- the buyer finds it by searching in Chinese ----------------------------------------------
    steps.sign_in(buyer, BUYER_EMAIL)
    in_language(buyer, ZH)
    cards = steps.search(buyer, ZH, "连衣裙")
    card = cards.filter(has_text=TITLE_ZH)
    expect(card).to_have_count(1)
    display = orm(lambda: listing_display_price(Listing.objects.get(pk=listing_id), "CNY"))
    assert display is not None
    shown = display.money.format(ZH)
    assert re.fullmatch(r"¥[\d,]+\.\d\d", shown), shown  # yuan, with fen
    expect(card.locator(".price strong")).to_have_text(shown)
    expect(card.locator(".original-price")).to_have_text("JP¥6,800")
    shots(buyer, "buyer-search-results")

    card.get_by_role("link").first.click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(TITLE_ZH)
    expect(buyer.locator(".price.big strong")).to_have_text(shown)
    expect(buyer.locator(".price.big .original-price")).to_have_text(
        tr(ZH, "Seller's price: %(price)s", price="JP¥6,800")
    )
    expect(buyer.locator(".gallery img")).to_have_js_property("complete", True)
    assert buyer.locator(".gallery img").evaluate("img => img.naturalWidth") > 0
    shots(buyer, "buyer-listing")

    # --- checkout: the price to the door, duties and taxes included -----------------------------
    buyer.get_by_role("link", name=tr(ZH, "Buy"), exact=True).click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(tr(ZH, "Checkout"))
    quote_id = steps.quote(buyer, ZH, SHIP_TO)
    quote = orm(Quote.objects.get, pk=quote_id)
    assert (quote.currency, quote.item_seller_minor, quote.seller_currency) == ("CNY", 6800, "JPY")
    assert quote.duties_minor + quote.taxes_minor > 0, "a ¥6,800 dress into China owes postal tax"
    expect(costs_row(buyer, ZH, "Shipping").locator("td")).to_have_text(_money(quote.shipping_minor, "CNY", ZH))
    duties = costs_row(buyer, ZH, "Duties and taxes")
    expect(duties.locator("td")).to_contain_text(_money(quote.duties_minor + quote.taxes_minor, "CNY", ZH))
    if quote.duties_mode != "prepaid":
        expect(duties).to_contain_text(
            tr(ZH, "Estimate, not included in the total: paid to the carrier or customs on delivery.")
        )
    expect(costs_row(buyer, ZH, "Buyer protection").locator("td")).to_have_text(
        _money(quote.buyer_fee_minor, "CNY", ZH)
    )
    expect(buyer.locator("table.costs tr.total td")).to_have_text(_money(quote.total_minor, "CNY", ZH))
    shots(buyer, "buyer-checkout-landed-cost")

    # --- the order, paid in the sandbox ---------------------------------------------------------
    order_id = steps.place_and_pay(buyer, ZH)
    shots(buyer, "buyer-order-paid")

    # --- the seller ships and prints the label --------------------------------------------------
    tracking, label_url = steps.ship_with_label(seller, JA, order_id)
    expect(seller.locator("address.ship-to")).to_contain_text("上海")  # the address, once paid
    expect(seller.locator("main")).not_to_contain_text(SHIP_TO["phone"])  # the phone is for the label only
    assert buyer.request.get(label_url).status == 404  # the label is the seller's
    shots(seller, "seller-shipped-label")

    # --- the carrier reports the journey by signed callbacks -------------------------------------
    carrier_callback(live_server.url, tracking, "in_transit", "Tokyo International Exchange")
    assert carrier_callback(live_server.url, tracking, "delivered", "上海浦东")["result"] == "applied"

    # --- the buyer confirms receipt and reviews -------------------------------------------------
    buyer.reload()
    expect(status_badge(buyer)).to_have_text(tr(ZH, OrderStatus.DELIVERED.label))
    shots(buyer, "buyer-delivered")
    steps.confirm_receipt(buyer, ZH)
    steps.review(buyer, ZH, 5, "很喜欢，和照片一样，包装也很用心。")
    expect(flash(buyer)).to_contain_text(
        tr(ZH, "Thank you. Your review stays hidden until the other side writes theirs, or for 14 days.")
    )
    shots(buyer, "buyer-reviewed")
    seller_id = orm(lambda: Listing.objects.get(pk=listing_id).seller_id)
    buyer.goto(f"/u/{seller_id}/")
    expect(buyer.get_by_role("heading", level=1)).to_have_text("花子")
    expect(buyer.locator("article.review")).to_have_count(0)  # double-blind: hidden until the seller writes

    seller.goto(f"/orders/{order_id}/")
    expect(status_badge(seller)).to_have_text(tr(JA, OrderStatus.COMPLETED.label))
    expect(seller.locator("#reviews")).not_to_contain_text("很喜欢")  # double-blind: not yet
    steps.review(seller, JA, 5, "スムーズなお取引をありがとうございました。")
    expect(flash(seller)).to_contain_text(tr(JA, "Thank you. Both reviews are now visible."))
    expect(seller.locator("#reviews")).to_contain_text("很喜欢，和照片一样，包装也很用心。")
    shots(seller, "seller-reviews-revealed")

    # --- the seller's profile shows the buyer's review; the seller's wallet the proceeds --------
    buyer.reload()
    expect(buyer.locator("article.review")).to_contain_text("很喜欢，和照片一样，包装也很用心。")
    expect(buyer.locator("dl.facts").first).to_contain_text("5.00 / 5")
    shots(buyer, "buyer-seller-profile")

    commission = (Decimal(6800) * Decimal(settings.SHIJI_COMMISSION_PERCENT) / 100).quantize(
        Decimal(1), rounding=ROUND_HALF_EVEN
    )
    seller.goto("/my/wallet/")
    expect(seller.locator("main table")).to_contain_text(_money(6800 - int(commission), "JPY", JA))
    shots(seller, "seller-wallet")

    # --- and the database agrees ----------------------------------------------------------------
    def final() -> tuple[str, int, bool]:
        order = Order.objects.get(pk=order_id)
        revealed = Review.objects.filter(order=order, revealed_at__isnull=False).count()
        report = ledger_check()
        return order.status, revealed, report.balanced and report.escrow_matches_orders

    assert orm(final) == (OrderStatus.COMPLETED, 2, True)

"""Issue 7, journey 3: a compact sale entirely in English — a seller in Japan who uses the site in
English sells a tea bowl to a buyer in the United States who pays in dollars (after one declined
sandbox payment), and the parcel is delivered and confirmed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from shiji.accounts.tests.factories import UserFactory
from shiji.catalog.tests.factories import demo_rates
from shiji.core.money import Money
from shiji.ledger.check import ledger_check
from shiji.orders.models import Order, Quote
from shiji.orders.states import OrderStatus
from shiji.web.tests.browser import steps
from shiji.web.tests.browser.steps import costs_row, in_language
from shiji.web.tests.browser.support import PASSWORD, carrier_callback, orm

pytestmark = pytest.mark.django_db(transaction=True)

EN = "en"
TITLE = "Hand-thrown Hagi tea bowl"
BUYER = "alex@example.com"
SHIP_TO = {
    "name": "Alex Morgan",
    "line1": "350 Fifth Avenue",
    "city": "New York",
    "postal_code": "10118",
    "country": "US",
    "phone": "+1 212 555 0100",
}


def _world() -> None:
    demo_rates()
    UserFactory(
        email=BUYER,
        display_name="Alex",
        password=PASSWORD,
        country="US",
        language="en",
        currency="USD",
        timezone="America/New_York",
    )


def test_a_sale_in_english_from_japan_to_the_united_states(
    person: Any, shots: Any, live_server: Any, tmp_path: Path
) -> None:
    orm(_world)
    seller = person("en-GB", "Asia/Tokyo")
    buyer = person("en-US", "America/New_York")

    steps.register(seller, EN, email="ken@example.jp", name="Ken", country="JP", currency="JPY")
    steps.sell(
        seller,
        EN,
        titles={EN: TITLE},
        price="4500",
        image=steps.photo(tmp_path, colour=(120, 80, 50)),
        category="tea-ware",
        weight_g=600,
        size_cm=(20, 20, 12),
    )
    shots(seller, "seller-published")

    steps.sign_in(buyer, BUYER)
    card = steps.search(buyer, EN, "tea bowl").filter(has_text=TITLE)
    expect(card).to_have_count(1)
    expect(card.locator(".price strong")).to_have_text(re.compile(r"^\$\d+\.\d\d$"))  # dollars and cents
    expect(card.locator(".original-price")).to_have_text("¥4,500")
    shots(buyer, "buyer-search-results")

    card.get_by_role("link").first.click()
    expect(buyer.locator(".price.big .original-price")).to_have_text("Seller's price: ¥4,500")
    buyer.get_by_role("link", name="Buy", exact=True).click()
    quote = orm(Quote.objects.get, pk=steps.quote(buyer, EN, SHIP_TO))
    assert (quote.currency, quote.seller_currency) == ("USD", "JPY")
    expect(costs_row(buyer, EN, "Duties and taxes")).to_be_visible()
    expect(buyer.locator("table.costs tr.total td")).to_have_text(Money(quote.total_minor, "USD").format(EN))
    in_language(buyer, EN)
    shots(buyer, "buyer-checkout")

    order_id = steps.place_and_pay(buyer, EN, fail_first=True)
    shots(buyer, "buyer-paid-after-a-declined-attempt")

    tracking, _label_url = steps.ship_with_label(seller, EN, order_id)
    expect(seller.locator("address.ship-to")).to_contain_text("New York")
    shots(seller, "seller-shipped-label")

    carrier_callback(live_server.url, tracking, "delivered", "New York, NY")
    buyer.reload()
    steps.confirm_receipt(buyer, EN)
    expect(buyer.get_by_role("heading", name="Reviews")).to_be_visible()
    buyer.goto("/my/orders/")
    expect(buyer.locator("table.order-table tbody tr").filter(has_text=TITLE)).to_contain_text("Completed")
    shots(buyer, "buyer-orders-completed")

    def final() -> tuple[str, bool]:
        return Order.objects.get(pk=order_id).status, ledger_check().balanced

    assert orm(final) == (OrderStatus.COMPLETED, True)

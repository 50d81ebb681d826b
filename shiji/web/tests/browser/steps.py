"""What people do on the pages, one function per step, in the language of the person's page.

Fields are found by their ``name`` (stable across languages); what the person reads — headings,
buttons, messages, state labels, prices — is checked in their language with ``tr``."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page, expect

from shiji.catalog.models import Category
from shiji.catalog.states import ListingStatus
from shiji.orders.states import OrderStatus
from shiji.shipping.models import Shipment
from shiji.shipping.states import ShipmentStatus
from shiji.web.tests.browser.support import PASSWORD, orm, tr


def photo(folder: Path, name: str = "item.jpg", colour: tuple[int, int, int] = (190, 60, 70)) -> Path:
    """A real JPEG, as a phone would upload it."""
    image = Image.new("RGB", (800, 600), (245, 240, 230))
    draw = ImageDraw.Draw(image)
    draw.ellipse((200, 100, 600, 500), fill=colour)
    draw.rectangle((40, 40, 160, 160), fill=(40, 90, 160))
    path = folder / name
    image.save(path, "JPEG", quality=85)
    return path


def in_language(page: Page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)


def flash(page: Page) -> Locator:
    """The messages shown at the top of the page after an action."""
    return page.locator("ul.messages")


def button(page: Page, language: str, text: str) -> Locator:
    return page.get_by_role("button", name=tr(language, text), exact=True)


def status_badge(page: Page) -> Locator:
    """The state of the order or dispute, next to the page's heading."""
    return page.locator(".section-head .badge")


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.locator("main input[name=email]").fill(email)
    page.locator("main input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def register(page: Page, language: str, *, email: str, name: str, country: str, currency: str) -> None:
    """Sign up on the registration page (its language preselected from the browser's)."""
    page.goto("/register/")
    in_language(page, language)
    expect(page.locator("main select[name=language]")).to_have_value(language)
    page.locator("main input[name=email]").fill(email)
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main input[name=display_name]").fill(name)
    page.locator("main select[name=country]").select_option(country)
    page.locator("main select[name=currency]").select_option(currency)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/register/" not in url)
    expect(flash(page)).to_contain_text(
        tr(language, "Welcome to Shiji! We sent you an e-mail to confirm your address.")
    )


def sell(
    page: Page,
    language: str,
    *,
    titles: dict[str, str],
    price: str,
    image: Path,
    category: str = "dresses",
    weight_g: int = 800,
    size_cm: tuple[int, int, int] = (30, 25, 8),
    story: str = "",
    shot: object = None,
) -> str:
    """List an item through the sell page: details, a photo, publish. Returns the listing id.

    ``titles`` holds the title in the seller's language first, then translations."""
    page.get_by_role("navigation", name=tr(language, "Main")).get_by_role("link", name=tr(language, "Sell")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(language, "Sell an item"))
    form = page.locator("main form").last
    expect(form.locator("select[name=original_language]")).to_have_value(language)
    original, *others = titles
    form.locator("input[name=title]").fill(titles[original])
    for other in others:
        form.locator(f"input[name=title_{other.replace('-', '_')}]").fill(titles[other])
    if story:
        form.locator("textarea[name=story]").fill(story)
    form.locator("select[name=category]").select_option(orm(lambda: Category.objects.get(slug=category).pk))
    form.locator("select[name=condition]").select_option("good")
    form.locator("input[name=price]").fill(price)
    form.locator("input[name=weight_g]").fill(str(weight_g))
    for field, value in zip(("length_cm", "width_cm", "height_cm"), size_cm, strict=True):
        form.locator(f"input[name={field}]").fill(str(value))
    if callable(shot):
        shot(page, "seller-sell-form")
    button(page, language, "Save draft").click()
    page.wait_for_url(re.compile(r"/listings/[^/]+/edit/$"))
    expect(flash(page)).to_contain_text(tr(language, "Draft saved. Add photos, then publish."))
    listing_id = page.url.rstrip("/").split("/")[-2]

    page.locator("input[name=image]").set_input_files(image)
    button(page, language, "Upload").click()
    expect(flash(page)).to_contain_text(tr(language, "Photo added."))
    thumbnail = page.locator("ol.photo-strip img")
    expect(thumbnail).to_have_count(1)
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("img => img.naturalWidth") > 0, "the uploaded photo's thumbnail does not load"

    button(page, language, "Publish").click()
    expect(flash(page)).to_contain_text(tr(language, "Your listing is on sale."))
    expect(page.locator("main .badge").first).to_have_text(tr(language, ListingStatus.ACTIVE.label))
    return listing_id


def search(page: Page, language: str, words: str) -> Locator:
    """Search the market from the search page; the result cards."""
    page.get_by_role("navigation", name=tr(language, "Main")).get_by_role("link", name=tr(language, "Search")).click()
    form = page.get_by_role("search")
    form.locator("input[name=q]").fill(words)
    form.get_by_role("button", name=tr(language, "Search")).click()
    page.wait_for_url(re.compile(r"/search/\?"))
    return page.locator("article.listing-card")


ADDRESS_FIELDS = ("name", "line1", "city", "postal_code", "phone")


def quote(page: Page, language: str, address: dict[str, str]) -> str:
    """On the checkout page: the address, then "Get price". Returns the quote id."""
    for field in ADDRESS_FIELDS:
        page.locator(f"main input[name={field}]").fill(address[field])
    expect(page.locator("main select[name=country]")).to_have_value(address["country"])
    button(page, language, "Get price").click()
    page.wait_for_url(re.compile(r"\?quote="))
    for field in ADDRESS_FIELDS:  # the form keeps what was typed
        expect(page.locator(f"main input[name={field}]")).to_have_value(address[field])
    return page.url.split("quote=")[1]


def costs_row(page: Page, language: str, heading: str) -> Locator:
    """A line of the price breakdown table, found by its heading."""
    return page.locator("table.costs tr").filter(has=page.get_by_role("rowheader", name=tr(language, heading)))


def place_and_pay(page: Page, language: str, *, fail_first: bool = False) -> str:
    """From a priced checkout: place the order, pay in the sandbox (after one declined attempt
    when ``fail_first``). Returns the order id."""
    button(page, language, "Place order").click()
    page.wait_for_url(re.compile(r"/orders/[^/]+/$"))
    in_language(page, language)
    expect(flash(page)).to_contain_text(tr(language, "Your order is placed. Pay now to keep the item for you."))
    expect(status_badge(page)).to_have_text(tr(language, OrderStatus.PENDING_PAYMENT.label))
    if fail_first:
        button(page, language, "Simulate a failed payment").click()
        expect(flash(page)).to_contain_text(tr(language, "The sandbox declined the payment. You can try again."))
        pay_panel = page.locator("section").filter(
            has=page.get_by_role("heading", name=tr(language, "Pay for your order"))
        )
        expect(pay_panel.get_by_role("alert")).to_have_text(
            tr(language, "Your last payment attempt failed. Nothing was charged; you can try again.")
        )
        expect(status_badge(page)).to_have_text(tr(language, OrderStatus.PENDING_PAYMENT.label))
    button(page, language, "Pay now").click()
    expect(flash(page)).to_contain_text(
        tr(language, "Payment sent. The order shows as paid once the payment is confirmed.")
    )
    expect(status_badge(page)).to_have_text(tr(language, OrderStatus.PAID.label))
    return page.url.rstrip("/").split("/")[-1]


def ship_with_label(page: Page, language: str, order_id: str) -> tuple[str, str]:
    """The seller opens the order from their sales, ships it and downloads the label.
    Returns the tracking number and the label's URL."""
    page.goto("/my/orders/?tab=sales")
    in_language(page, language)
    to_ship = page.locator("#to-ship-title + table")
    to_ship.locator(f"a[href='/orders/{order_id}/']").filter(has_text=tr(language, "Ship")).click()
    expect(status_badge(page)).to_have_text(tr(language, OrderStatus.PAID.label))
    expect(page.get_by_role("heading", name=tr(language, "Ship this order"))).to_be_visible()
    expect(page.locator("input[name=carrier_service]:checked")).to_have_count(1)  # the buyer's choice
    button(page, language, "Create the label and ship").click()
    expect(status_badge(page)).to_have_text(tr(language, OrderStatus.SHIPPED.label))
    tracking = orm(lambda: Shipment.objects.get(order_id=order_id).tracking_number)
    expect(flash(page)).to_contain_text(tracking)
    label_link = page.get_by_role("link", name=tr(language, "Download the label"))
    with page.expect_download() as download:
        label_link.click()
    assert Path(download.value.path()).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    label_url = label_link.get_attribute("href") or ""
    label = page.request.get(label_url)
    assert (label.status, label.headers["content-type"]) == (200, "image/png")
    return tracking, label_url


def confirm_receipt(page: Page, language: str) -> None:
    """On the order page, once the carrier has delivered."""
    in_language(page, language)
    expect(status_badge(page)).to_have_text(tr(language, OrderStatus.DELIVERED.label))
    expect(page.locator("ol.timeline li.current")).to_contain_text(tr(language, ShipmentStatus.DELIVERED.label))
    button(page, language, "Confirm receipt").click()
    expect(flash(page)).to_contain_text(tr(language, "Thank you. The seller is paid now."))
    expect(status_badge(page)).to_have_text(tr(language, OrderStatus.COMPLETED.label))


def review(page: Page, language: str, rating: int, text: str) -> None:
    panel = page.locator("#reviews")
    panel.locator(f"input[name=rating][value='{rating}']").check()
    panel.locator("textarea[name=text]").fill(text)
    panel.get_by_role("button", name=tr(language, "Publish the review")).click()

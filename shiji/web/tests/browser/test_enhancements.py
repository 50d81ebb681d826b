"""What htmx and shiji.js add on top of the plain pages, in a real browser: cards that grow in
place with the focus kept, search filters that refresh the results and the address bar, a photo
upload with progress, a translated alert when a request fails, and no Content-Security-Policy
violation on the way."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from shiji.accounts.models import User
from shiji.accounts.tests.factories import PASSWORD as FACTORY_PASSWORD
from shiji.catalog.models import Listing
from shiji.catalog.tests.factories import demo_rates, draft, published
from shiji.orders.tests.factories import seller_jp
from shiji.web.tests.browser import steps
from shiji.web.tests.browser.support import orm, tr

pytestmark = pytest.mark.django_db(transaction=True)

PAGE_SIZE = 24  # cards per page in the market and the search results
TAG = "手ぬぐい"
FIRST_NEW_CARD = f"document.querySelectorAll('#listing-grid > .listing-card')[{PAGE_SIZE}]"


def _csp_violations(page: Page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    return found


def _market_with(count: int) -> list[Listing]:
    demo_rates()
    sellers = [seller_jp(), seller_jp()]
    return [
        published(
            sellers[n % 2], title={"ja": f"手ぬぐい 柄{n:02d}", "zh-hans": f"手巾 花纹{n:02d}"}, tags=["手ぬぐい"]
        )
        for n in range(count)
    ]


def test_more_appends_the_next_cards_in_place_and_moves_the_focus_to_them(person: Any) -> None:
    orm(_market_with, PAGE_SIZE + 3)
    page = person("ja-JP", "Asia/Tokyo")
    violations = _csp_violations(page)
    page.goto("/search/?q=手ぬぐい")
    page.evaluate("window.__notReloaded = true")
    cards = page.locator("#listing-grid > .listing-card")
    expect(cards).to_have_count(PAGE_SIZE)
    more = page.locator("#pager a")
    expect(more).to_have_text(tr("ja", "More results"))

    more.click()

    expect(cards).to_have_count(PAGE_SIZE + 3)
    expect(page.locator("#pager a")).to_have_count(0)  # the last page has no "More"
    assert page.evaluate("window.__notReloaded === true"), "the cards grew without loading another page"
    focused = page.evaluate(f"document.activeElement.closest('.listing-card') === {FIRST_NEW_CARD}")
    assert focused, "focus must land on the first new card"
    titles = page.locator("#listing-grid .listing-card h3").all_inner_texts()
    assert len(set(titles)) == PAGE_SIZE + 3, "no card twice, none lost"
    assert not violations, violations


def test_search_filters_refresh_the_results_and_the_address_bar(person: Any) -> None:
    orm(_market_with, 3)
    page = person("zh-CN", "Asia/Shanghai")
    violations = _csp_violations(page)
    page.goto("/search/?q=手巾")
    results = page.locator("#search-results .listing-card")
    expect(results).to_have_count(3)
    page.evaluate("window.__notReloaded = true")

    page.locator("select[name=condition]").select_option("new")

    expect(page).to_have_url(re.compile(r"condition=new"))
    expect(page.locator("#search-results .empty")).to_be_visible()  # the factory's listings are "good"
    assert page.evaluate("window.__notReloaded === true"), "the results changed without reloading the page"
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=%E6%89%8B%E5%B7%BE|q=手巾"))
    assert not violations, violations


def _seller_with_draft() -> tuple[User, Listing]:
    demo_rates()
    seller = seller_jp(language="ja", country="JP", currency="JPY")
    return seller, draft(seller)


def test_photo_upload_reports_progress_and_updates_the_photo_panel(person: Any, tmp_path: Path) -> None:
    seller, listing = orm(_seller_with_draft)
    page = person("ja-JP", "Asia/Tokyo")
    violations = _csp_violations(page)
    steps.sign_in(page, seller.email, FACTORY_PASSWORD)
    page.goto(f"/listings/{listing.pk}/edit/")
    expect(page.locator("#photos img")).to_have_count(0)
    page.evaluate(
        """window.__progress = 0;
        document.addEventListener('htmx:xhr:progress', () => { window.__progress += 1; });"""
    )
    page.locator("#photos input[type=file]").set_input_files(str(steps.photo(tmp_path, "big.jpg")))

    page.locator("#photos button[type=submit]").click()

    expect(page.locator("#photos img")).to_have_count(1)
    expect(page.locator("#messages")).to_contain_text(tr("ja", "Photo added."))
    assert page.evaluate("window.__progress") > 0, "the upload reported its progress"
    assert page.url.endswith(f"/listings/{listing.pk}/edit/")
    assert orm(lambda: listing.photos.count()) == 1
    assert not violations, violations


def test_a_lost_connection_shows_a_translated_alert_and_keeps_the_page(person: Any) -> None:
    orm(_market_with, 2)
    page = person("zh-CN", "Asia/Shanghai")
    page.goto("/search/?q=手巾")
    expect(page.locator("#search-results .listing-card")).to_have_count(2)

    def fail(route: Route) -> None:
        if route.request.headers.get("hx-request"):
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(re.compile(r".*/search/.*"), fail)
    page.locator("select[name=condition]").select_option("new")

    alert = page.locator("#page-alert")
    expect(alert).to_be_visible()
    expect(alert).to_have_text(tr("zh-hans", "No connection. Check your network and try again."))
    expect(page.locator("#search-results .listing-card")).to_have_count(2)  # what was there stays

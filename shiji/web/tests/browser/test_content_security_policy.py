"""The Content-Security-Policy (shiji.web.security) breaks nothing in a real browser: Chromium
reports every blocked script, style, image or connection as a ``securitypolicyviolation``
event, and none may fire on the market, a listing, the signed-in pages with htmx and the live
WebSocket, the Django admin, or the API's Swagger UI. A control proves the policy is enforced
and the recorder hears it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from shiji.accounts.tests.factories import UserFactory
from shiji.orders.tests.factories import listing_jp, seller_jp
from shiji.web.tests.browser import steps
from shiji.web.tests.browser.support import PASSWORD, orm

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const blocked = event.blockedURI || "inline";
  window.__violations.push(`${event.effectiveDirective} blocked ${blocked} in ${event.sourceFile}`);
});
"""


def _violations(page: Page, url: str, *, ready: str = "main") -> list[str]:
    page.goto(url)
    expect(page.locator(ready).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    return list(page.evaluate("window.__violations"))


def _people() -> dict[str, str]:
    seller = seller_jp(password=PASSWORD)
    listing = listing_jp(seller)
    admin = UserFactory(email="root@shiji.example", password=PASSWORD, is_staff=True, is_superuser=True)
    return {"seller": seller.email, "listing": listing.pk, "admin": admin.email, "admin_id": admin.pk}


def test_pages_the_admin_and_the_api_docs_run_under_the_policy(person: Any) -> None:
    people = orm(_people)
    page = person("en-GB", "Europe/London")
    page.context.add_init_script(RECORD_VIOLATIONS)

    seen = {
        "market": _violations(page, "/"),
        "listing": _violations(page, f"/listings/{people['listing']}/"),
        "api docs": _violations(page, "/api/v1/docs", ready=".opblock"),
    }
    steps.sign_in(page, people["seller"])
    seen["my listings (htmx, live updates)"] = _violations(page, "/my/listings/")
    seen["edit listing (photo upload)"] = _violations(page, f"/listings/{people['listing']}/edit/")

    admin = person("en-GB", "Europe/London")
    admin.context.add_init_script(RECORD_VIOLATIONS)
    steps.sign_in(admin, people["admin"])
    seen["admin index"] = _violations(admin, "/admin/", ready="#content")
    seen["admin list"] = _violations(admin, "/admin/accounts/user/", ready="#changelist")
    seen["admin change form"] = _violations(admin, f"/admin/accounts/user/{people['admin_id']}/change/", ready="form")

    assert {name: found for name, found in seen.items() if found} == {}

    # The control: an inline script added to the page is blocked, and the recorder hears it.
    page.evaluate("""() => {
      const script = document.createElement("script");
      script.textContent = "window.__ran = true";
      document.head.append(script);
    }""")
    page.wait_for_function("window.__violations.length === 1")
    assert page.evaluate("window.__ran === undefined")

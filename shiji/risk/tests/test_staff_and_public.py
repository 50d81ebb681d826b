"""Staff resolve review and hold decisions (queue, roles, what clearing and confirming do), and
the public rules (API and page) in three languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import TestCase

from shiji.catalog.states import ListingStatus
from shiji.core.models import AuditEvent
from shiji.core.money import Money
from shiji.ledger.check import ledger_check
from shiji.ledger.models import JournalEntry, Purpose
from shiji.ledger.selectors import balance
from shiji.ledger.services import platform_account, user_account
from shiji.orders.tests.factories import listing_jp
from shiji.payments.models import Payout, PayoutStatus, SandboxOperation
from shiji.payments.payouts import payout_request_by_seller
from shiji.payments.tests.factories import payout_account
from shiji.risk.models import ReviewStatus, RiskDecision, RiskRule
from shiji.risk.tests.helpers import decisions, order_from, staff
from shiji.risk.tests.test_rules import funded_seller

pytestmark = pytest.mark.django_db


def held_payout() -> tuple[Payout, RiskDecision]:
    seller = funded_seller()
    payout_account(seller, changed_ago=timedelta(hours=1))
    payout = payout_request_by_seller(user=seller, amount=Money(5000, "JPY"))
    return payout, decisions("payout-after-account-change")[0]


def resolve(client, decision: RiskDecision, resolution: str, note: str = "checked"):  # type: ignore[no-untyped-def]
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"/staff/risk/decisions/{decision.pk}/resolve", {"resolution": resolution, "note": note})


# --- the queue and roles ----------------------------------------------------------------------


def test_each_role_sees_only_the_decisions_it_handles(api, api_as):
    _payout, payout_decision = held_payout()
    listing = listing_jp(title={"ja": "高仿 バッグ"})
    listing_decision = decisions("counterfeit-words")[0]

    finance = api_as(staff("finance")).get("/staff/risk/decisions", {"status": "open"})
    moderator = api_as(staff("moderator")).get("/staff/risk/decisions")
    admin = api_as(staff("admin")).get("/staff/risk/decisions", {"status": "open"})

    assert [item["id"] for item in finance.json()["items"]] == [payout_decision.pk]
    assert [item["id"] for item in moderator.json()["items"]] == [listing_decision.pk]
    assert {item["id"] for item in admin.json()["items"]} == {payout_decision.pk, listing_decision.pk}
    item = moderator.json()["items"][0]
    assert item["rules"] == ["counterfeit-words"] and item["subject_id"] == listing.pk
    assert item["review_status"] == "open" and item["facts"]["counterfeit-words"]["matched"] == ["高仿"]

    assert api.get("/staff/risk/decisions").status_code == 401
    assert api_as(staff("arbitrator")).get("/staff/risk/decisions").status_code == 403
    assert api_as(staff("finance")).get("/staff/risk/decisions", {"status": "bogus"}).status_code == 422
    wrong_role = api_as(staff("moderator")).post(
        f"/staff/risk/decisions/{payout_decision.pk}/resolve", {"resolution": "clear"}
    )
    assert wrong_role.status_code == 404  # another role's decision does not exist for this one
    assert api_as(staff("admin")).get("/staff/risk/decisions/rdc_nope").status_code == 404


def test_a_decision_is_resolved_once_with_an_audit_row_and_bad_input_changes_nothing(api_as):
    _payout, decision = held_payout()
    finance = api_as(staff("finance"))

    assert finance.post(f"/staff/risk/decisions/{decision.pk}/resolve", {"resolution": "maybe"}).status_code == 422
    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.OPEN

    done = resolve(finance, decision, "clear")
    assert done.status_code == 200, done.content
    assert done.json()["review_status"] == "cleared" and done.json()["note"] == "checked"
    assert resolve(finance, decision, "confirm").status_code == 409
    assert AuditEvent.objects.filter(action="risk.decision_cleared", target_id=decision.pk).count() == 1
    assert [e.to_state for e in decision.events.order_by("at", "pk")] == ["open", "cleared"]


# --- what clearing and confirming do ----------------------------------------------------------


def test_clearing_a_held_payout_sends_it(api_as):
    payout, decision = held_payout()
    assert resolve(api_as(staff("finance")), decision, "clear").status_code == 200
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    assert SandboxOperation.objects.filter(kind="payout", target_id=payout.pk).exists()
    assert balance(platform_account(Purpose.PAYOUTS_IN_FLIGHT), "JPY").is_zero()


def test_confirming_a_held_payout_cancels_it_and_returns_the_money(api_as):
    payout, decision = held_payout()
    assert resolve(api_as(staff("finance")), decision, "confirm", "account takeover").status_code == 200
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.CANCELLED
    assert not SandboxOperation.objects.filter(kind="payout").exists()
    assert balance(user_account(payout.user_id), "JPY") == Money(20000, "JPY")
    assert balance(platform_account(Purpose.PAYOUTS_IN_FLIGHT), "JPY").is_zero()
    assert JournalEntry.objects.filter(key=f"payout-cancelled:{payout.pk}").exists()
    report = ledger_check()
    assert report.balanced and report.payouts_match, report.problems


def test_clearing_a_held_listing_puts_it_back_on_sale_and_confirming_keeps_it_hidden(api_as):
    moderator = api_as(staff("moderator"))
    kept = listing_jp(title={"ja": "スーパーコピー 時計"})
    cleared = listing_jp(tags=["replica"])
    for listing, resolution in ((cleared, "clear"), (kept, "confirm")):
        [decision] = [d for d in decisions("counterfeit-words") if d.subject_id == listing.pk]
        assert resolve(moderator, decision, resolution).status_code == 200
    cleared.refresh_from_db()
    kept.refresh_from_db()
    assert cleared.status == ListingStatus.ACTIVE and cleared.suppressed_reason == ""
    assert kept.status == ListingStatus.SUPPRESSED


def test_confirming_a_large_order_from_a_new_account_cancels_it_and_clearing_lets_it_be(api_as):
    finance = api_as(staff("finance"))
    orders = [order_from(price={"amount": "80000", "currency": "JPY"}) for _ in range(2)]
    by_order = {d.subject_id: d for d in decisions("new-account-large-order")}
    assert resolve(finance, by_order[orders[0].pk], "confirm").status_code == 200
    assert resolve(finance, by_order[orders[1].pk], "clear").status_code == 200
    for order in orders:
        order.refresh_from_db()
    assert orders[0].status == "cancelled" and orders[1].status == "pending_payment"


# --- staff pages ------------------------------------------------------------------------------


def test_the_backoffice_queue_and_decision_page(client):
    _payout, decision = held_payout()
    person = staff("finance")
    client.force_login(person)
    queue = client.get("/staff/risk/")
    assert queue.status_code == 200
    assert decision.pk in queue.content.decode()
    dashboard = client.get("/staff/")
    assert "/staff/risk/" in dashboard.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = client.post(f"/staff/risk/decisions/{decision.pk}/", {"resolution": "clear", "note": "ok"})
    assert done.status_code == 302
    decision.refresh_from_db()
    assert decision.review_status == ReviewStatus.CLEARED and decision.resolved_by_id == person.pk

    client.force_login(staff("moderator"))
    assert client.get(f"/staff/risk/decisions/{decision.pk}/").status_code == 404


# --- public rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "title"),
    [("zh-hans", "多次支付失败"), ("ja", "支払いの失敗が続く"), ("en", "Repeated failed payments")],
)
def test_the_rules_are_public_in_three_languages(api, client, language, title):
    response = api.get("/risk/rules", headers={"Accept-Language": language})
    assert response.status_code == 200
    rules = {rule["code"]: rule for rule in response.json()["items"]}
    assert len(rules) == 7
    assert rules["failed-payments"] == {
        "code": "failed-payments",
        "point": "payment_callback",
        "title": title,
        "description": rules["failed-payments"]["description"],
        "window_seconds": 3600,
        "threshold": 5,
        "action": "block",
    }
    assert rules["failed-payments"]["description"]

    page = client.get("/rules/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    assert title in page.content.decode()


def test_an_inactive_rule_is_not_listed(api):
    RiskRule.objects.filter(code="failed-payments").update(active=False)
    body = api.get("/risk/rules").json()
    assert "failed-payments" not in {rule["code"] for rule in body["items"]}
    assert len(body["items"]) == 6

"""Filing reports: what can be reported by whom, validation that changes nothing, duplicates,
rate limits, and a reporter seeing only their own reports."""

from __future__ import annotations

import pytest

from shiji.accounts.tests.factories import UserFactory
from shiji.catalog.tests.factories import draft
from shiji.moderation.models import Report, ReportEvent
from shiji.orders.tests.factories import listing_jp

pytestmark = pytest.mark.django_db


def _report(api_as, user, **body):
    return api_as(user).post("/reports", {"reason": "counterfeit", "details": "Logo is wrong.", **body})


def test_a_visible_listing_is_reported_and_the_reporter_follows_it(api_as):
    listing = listing_jp()
    reporter = UserFactory()
    response = _report(api_as, reporter, target_type="listing", target_id=listing.id)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "open" and body["target_id"] == listing.id and body["reason"] == "counterfeit"
    report = Report.objects.get(pk=body["id"])
    assert report.target_owner_id == listing.seller_id
    assert report.target_snapshot == listing.title["ja"]
    assert ReportEvent.objects.filter(subject=report, to_state="open", actor=reporter).exists()
    mine = api_as(reporter).get("/me/reports").json()
    assert [item["id"] for item in mine["items"]] == [report.pk] and mine["next_cursor"] is None
    assert api_as(reporter).get(f"/reports/{report.pk}").json()["status"] == "open"


def test_reporting_the_same_target_again_while_open_returns_the_first_report(api_as):
    listing = listing_jp()
    reporter = UserFactory()
    first = _report(api_as, reporter, target_type="listing", target_id=listing.id)
    again = _report(api_as, reporter, target_type="listing", target_id=listing.id, reason="spam")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["reason"] == "counterfeit"
    assert Report.objects.count() == 1
    # Someone else's report on the same target is a report of its own.
    assert _report(api_as, UserFactory(), target_type="listing", target_id=listing.id).status_code == 201


def test_a_user_can_be_reported_but_not_oneself_nor_ones_own_listing(api_as):
    person, other = UserFactory(), UserFactory()
    assert _report(api_as, other, target_type="user", target_id=person.id, reason="harassment").status_code == 201
    own = _report(api_as, person, target_type="user", target_id=person.id)
    assert own.status_code == 422 and own.json()["error"]["code"] == "own_content"
    listing = listing_jp(seller=person)
    own_listing = _report(api_as, person, target_type="listing", target_id=listing.id)
    assert own_listing.status_code == 422
    assert Report.objects.filter(reporter=person).count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_type": "shop"}, "target_type"),
        ({"reason": "ugly"}, "reason"),
        ({"target_id": "   "}, "target_id"),
        ({"details": "x" * 2001}, "details"),
    ],
)
def test_invalid_reports_are_refused_and_change_nothing(api_as, body, field, server_errors):
    listing = listing_jp()
    response = _report(api_as, UserFactory(), **{"target_type": "listing", "target_id": listing.id, **body})
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert Report.objects.count() == 0 and ReportEvent.objects.count() == 0
    assert server_errors == []


def test_what_the_reporter_cannot_see_is_not_found(api_as):
    seller = UserFactory()
    hidden_draft = draft(seller)
    inactive = UserFactory(is_active=False)
    reporter = UserFactory()
    cases = [
        ("listing", hidden_draft.id),
        ("listing", "lst_nope"),
        ("user", inactive.id),
        ("user", "usr_nope"),
        ("note", "not_anything"),
    ]
    for target_type, target_id in cases:
        response = _report(api_as, reporter, target_type=target_type, target_id=target_id)
        assert response.status_code == 404, (target_type, response.json())
        assert response.json()["error"]["code"] == "not_found"
    assert Report.objects.count() == 0


def test_a_suspended_account_cannot_report(api_as):
    from django.utils import timezone

    reporter = UserFactory(suspended_at=timezone.now(), suspension_reason="spam")
    response = _report(api_as, reporter, target_type="listing", target_id=listing_jp().id)
    assert response.status_code == 403 and response.json()["error"]["code"] == "account_suspended"
    assert Report.objects.count() == 0


def test_reports_are_rate_limited(api_as, settings):
    settings.SHIJI_RATE_LIMITS = True
    reporter = UserFactory()
    people = UserFactory.create_batch(21)
    codes = [_report(api_as, reporter, target_type="user", target_id=p.id).status_code for p in people]
    assert codes[:20] == [201] * 20 and codes[20] == 429
    assert Report.objects.filter(reporter=reporter).count() == 20


def test_a_reporter_sees_only_their_own_reports(api_as):
    listing = listing_jp()
    alice, bob = UserFactory(), UserFactory()
    report_id = _report(api_as, alice, target_type="listing", target_id=listing.id).json()["id"]
    assert api_as(bob).get(f"/reports/{report_id}").status_code == 404
    assert api_as(bob).get("/me/reports").json()["items"] == []
    assert api_as(bob).get("/staff/reports").status_code == 403


def test_reports_need_a_signed_in_user(api):
    assert api.post("/reports", {"target_type": "user", "target_id": "x", "reason": "spam"}).status_code == 401
    assert api.get("/me/reports").status_code == 401

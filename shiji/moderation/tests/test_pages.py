"""Pages: the report form behind the Report button, one's own reports, the moderators' queue
with its action forms, the account page, and the dashboard's queue."""

from __future__ import annotations

import pytest

from shiji.accounts.tests.factories import UserFactory
from shiji.moderation import services
from shiji.moderation.models import ModerationAction, Report
from shiji.orders.tests.factories import listing_jp

pytestmark = pytest.mark.django_db


def _signed_in(client, user):
    client.force_login(user)
    return client


def test_the_report_button_leads_signed_in_visitors_to_the_form(client):
    listing = listing_jp()
    page = client.get(f"/listings/{listing.id}/").content.decode()
    assert "/report/?" not in page  # visitors are not offered it
    _signed_in(client, UserFactory())
    page = client.get(f"/listings/{listing.id}/").content.decode()
    assert f"/report/?type=listing&amp;id={listing.id}" in page
    assert client.get("/report/", {"type": "listing", "id": listing.id}).status_code == 200


def test_reporting_through_the_form(client):
    listing = listing_jp()
    reporter = UserFactory()
    _signed_in(client, reporter)
    url = f"/report/?type=listing&id={listing.id}"
    bad = client.post(url, {"reason": "ugly"})
    assert bad.status_code == 200 and not Report.objects.exists()
    response = client.post(url, {"reason": "counterfeit", "details": "Fake logo."}, follow=True)
    assert response.redirect_chain[-1][0] == f"/listings/{listing.id}/"
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.details) == (reporter, "counterfeit", "Fake logo.")
    mine = client.get("/my/reports/").content.decode()
    assert listing.title["ja"] in mine


def test_the_report_form_needs_sign_in_and_a_visible_target(client):
    listing = listing_jp()
    response = client.get("/report/", {"type": "listing", "id": listing.id})
    assert response.status_code == 302 and "/login/" in response["Location"]
    _signed_in(client, UserFactory())
    assert client.get("/report/", {"type": "listing", "id": "lst_nope"}).status_code == 404
    assert client.get("/report/", {"type": "note", "id": "x"}).status_code == 404


def test_the_queue_shows_targets_with_counts_and_acts(client, moderator):
    listing = listing_jp()
    for reason in ("counterfeit", "counterfeit", "scam_or_fraud"):
        services.report_create(reporter=UserFactory(), target_type="listing", target_id=listing.id, reason=reason)
    _signed_in(client, moderator)
    page = client.get("/staff/moderation/").content.decode()
    assert listing.title["ja"] in page and "× 2" in page and listing.seller.display_name in page
    first = Report.objects.order_by("pk").first()
    response = client.post(f"/staff/moderation/reports/{first.pk}/action/", {"action": "hide", "reason": "Fake."})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == "suppressed"
    assert set(Report.objects.values_list("status", flat=True)) == {"actioned"}
    dashboard = client.get("/staff/").content.decode()
    assert "/staff/moderation/" in dashboard


def test_the_account_page_suspends_and_unsuspends(client, moderator):
    listing = listing_jp()
    seller = listing.seller
    _signed_in(client, moderator)
    url = f"/staff/moderation/users/{seller.id}/"
    assert client.post(url, {"decision": "suspend", "reason": ""}).status_code == 200  # a reason is required
    assert not ModerationAction.objects.exists()
    assert client.post(url, {"decision": "suspend", "reason": "Fakes."}).status_code == 302
    seller.refresh_from_db()
    assert seller.suspended
    assert "Fakes." in client.get(url).content.decode()
    assert client.post(url, {"decision": "unsuspend", "reason": ""}).status_code == 302
    seller.refresh_from_db()
    listing.refresh_from_db()
    assert not seller.suspended and listing.status == "active"


def test_staff_pages_are_for_moderators_only(client):
    _signed_in(client, UserFactory(roles=["finance"]))
    assert client.get("/staff/moderation/").status_code == 403
    assert client.get(f"/staff/moderation/users/{UserFactory().id}/").status_code == 403
    report, _ = services.report_create(
        reporter=UserFactory(), target_type="listing", target_id=listing_jp().id, reason="spam"
    )
    assert client.post(f"/staff/moderation/reports/{report.pk}/action/", {"action": "dismiss"}).status_code == 403
    report.refresh_from_db()
    assert report.status == "open"

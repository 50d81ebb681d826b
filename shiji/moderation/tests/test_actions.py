"""The moderators' queue and its actions: each action's effect, its ModerationAction row and
audit event, every open report on the target resolved together, and who may do it."""

from __future__ import annotations

import pytest

from shiji.accounts.tests.factories import UserFactory
from shiji.catalog.models import Listing
from shiji.core.models import AuditEvent
from shiji.moderation import services
from shiji.moderation.models import ModerationAction, Report, ReportEvent
from shiji.notifications.models import Notification
from shiji.notifications.texts import notification_text
from shiji.orders.tests.factories import listing_jp

pytestmark = pytest.mark.django_db


def _file(reporter, target_type, target_id, reason="counterfeit"):
    report, created = services.report_create(
        reporter=reporter, target_type=target_type, target_id=target_id, reason=reason, details="see photos"
    )
    assert created
    return report


def test_the_queue_lists_open_reports_oldest_first_with_the_targets_report_count(api_as, moderator):
    listing = listing_jp()
    person = UserFactory()
    first = _file(UserFactory(), "listing", listing.id)
    second = _file(UserFactory(), "user", person.id, reason="harassment")
    third = _file(UserFactory(), "listing", listing.id, reason="scam_or_fraud")
    body = api_as(moderator).get("/staff/reports", {"status": "open"}).json()
    assert [item["id"] for item in body["items"]] == [first.pk, second.pk, third.pk]
    by_id = {item["id"]: item for item in body["items"]}
    assert by_id[first.pk]["target_reports"] == 2
    assert by_id[first.pk]["target"]["label"] == listing.title["ja"]
    assert by_id[first.pk]["target"]["owner"] == listing.seller_id
    assert by_id[first.pk]["target"]["url"] == f"/listings/{listing.id}/"
    assert by_id[first.pk]["details"] == "see photos"
    assert api_as(moderator).get("/staff/reports", {"status": "dismissed"}).json()["items"] == []
    assert api_as(moderator).get("/staff/reports", {"status": "bogus"}).status_code == 422


def test_non_moderators_are_refused_every_staff_endpoint(api_as):
    report = _file(UserFactory(), "listing", listing_jp().id)
    someone = api_as(UserFactory(roles=["arbitrator"]))
    assert someone.get("/staff/reports").status_code == 403
    assert someone.post(f"/staff/reports/{report.pk}/action", {"action": "dismiss"}).status_code == 403
    assert someone.post(f"/staff/users/{report.target_owner_id}/suspend", {"reason": "x"}).status_code == 403
    assert someone.post(f"/staff/users/{report.target_owner_id}/unsuspend", {}).status_code == 403
    report.refresh_from_db()
    assert report.status == "open" and not ModerationAction.objects.exists()


def test_dismiss_resolves_every_open_report_on_the_target_and_leaves_it_alone(api_as, moderator):
    listing = listing_jp()
    reports = [_file(UserFactory(), "listing", listing.id) for _ in range(3)]
    other = _file(UserFactory(), "listing", listing_jp().id)
    response = api_as(moderator).post(f"/staff/reports/{reports[1].pk}/action", {"action": "dismiss"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert sorted(body["action"]["reports"]) == sorted(r.pk for r in reports)
    assert {r["status"] for r in body["reports"]} == {"dismissed"}
    for report in reports:
        report.refresh_from_db()
        assert report.status == "dismissed" and report.resolved_by == moderator and report.resolved_at
        assert ReportEvent.objects.filter(subject=report, to_state="dismissed", actor=moderator).exists()
    other.refresh_from_db()
    assert other.status == "open"
    listing.refresh_from_db()
    assert listing.status == "active"
    record = ModerationAction.objects.get()
    assert (record.action, record.target_type, record.target_id) == ("dismiss", "listing", listing.id)
    audit = AuditEvent.objects.get(action="moderation.dismiss")
    assert audit.actor == moderator and audit.target_id == record.pk and audit.data["target_id"] == listing.id
    # Resolved is final: acting on it again is an illegal state.
    again = api_as(moderator).post(f"/staff/reports/{reports[0].pk}/action", {"action": "hide", "reason": "x"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"


def test_hide_suppresses_a_listing_and_tells_the_seller_why(api_as, moderator):
    listing = listing_jp()
    report = _file(UserFactory(), "listing", listing.id)
    response = api_as(moderator).post(
        f"/staff/reports/{report.pk}/action", {"action": "hide", "reason": "Counterfeit brand logo."}
    )
    assert response.status_code == 200, response.json()
    listing.refresh_from_db()
    assert listing.status == "suppressed" and listing.suppressed_reason == "Counterfeit brand logo."
    report.refresh_from_db()
    assert report.status == "actioned" and report.resolution == "Counterfeit brand logo."
    assert AuditEvent.objects.filter(action="moderation.hide", actor=moderator).exists()
    notice = Notification.objects.get(user=listing.seller, kind="moderation.hidden")
    text = notification_text(notice)
    assert "Counterfeit brand logo." in text and listing.title["ja"] in text
    # The reporter sees the outcome, not the moderator's words.
    mine = api_as(report.reporter).get("/me/reports").json()["items"][0]
    assert mine["status"] == "actioned" and "resolution" not in mine


def test_hide_is_not_an_action_for_an_account_and_a_reason_is_required(api_as, moderator):
    person = UserFactory()
    report = _file(UserFactory(), "user", person.id, reason="harassment")
    client = api_as(moderator)
    hide = client.post(f"/staff/reports/{report.pk}/action", {"action": "hide", "reason": "x"})
    assert hide.status_code == 422 and "action" in hide.json()["error"]["fields"]
    no_reason = client.post(f"/staff/reports/{report.pk}/action", {"action": "warn", "reason": "  "})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["error"]["fields"]
    unknown = client.post(f"/staff/reports/{report.pk}/action", {"action": "ban", "reason": "x"})
    assert unknown.status_code == 422
    assert client.post("/staff/reports/rep_nope/action", {"action": "dismiss"}).status_code == 404
    report.refresh_from_db()
    assert report.status == "open"
    assert not ModerationAction.objects.exists() and not AuditEvent.objects.filter(action__startswith="moderation")


def test_warn_notifies_the_owner_and_counts_warnings(api_as, moderator):
    listing = listing_jp()
    seller = listing.seller
    first = _file(UserFactory(), "listing", listing.id, reason="wrong_category")
    client = api_as(moderator)
    body = client.post(f"/staff/reports/{first.pk}/action", {"action": "warn", "reason": "Use Ceramics."}).json()
    assert body["action"]["owner_warnings"] == 1
    second = _file(UserFactory(), "user", seller.id, reason="spam")
    body = client.post(f"/staff/reports/{second.pk}/action", {"action": "warn", "reason": "Stop spamming."}).json()
    assert body["action"]["owner_warnings"] == 2
    notices = list(Notification.objects.filter(user=seller, kind="moderation.warned").order_by("created_at"))
    assert [n.data["count"] for n in notices] == [1, 2]
    assert "Stop spamming." in notification_text(notices[1])
    assert ModerationAction.objects.filter(action="warn", target_owner=seller).count() == 2
    assert AuditEvent.objects.filter(action="moderation.warn").count() == 2
    listing.refresh_from_db()
    assert listing.status == "active"  # a warning hides nothing
    queue = client.get("/staff/reports", {"status": "actioned"}).json()["items"]
    assert {item["target"]["owner_warnings"] for item in queue} == {2}


def test_suspend_from_a_report_suspends_the_owner(api_as, moderator):
    listing = listing_jp()
    report = _file(UserFactory(), "listing", listing.id, reason="scam_or_fraud")
    body = (
        api_as(moderator)
        .post(f"/staff/reports/{report.pk}/action", {"action": "suspend", "reason": "Fake goods, repeatedly."})
        .json()
    )
    assert body["action"]["action"] == "suspend" and body["action"]["target_owner"] == listing.seller_id
    listing.seller.refresh_from_db()
    assert listing.seller.suspended and listing.seller.suspension_reason == "Fake goods, repeatedly."
    listing.refresh_from_db()
    assert listing.status == "suppressed"
    assert AuditEvent.objects.filter(action="moderation.suspend", actor=moderator).exists()
    assert Notification.objects.filter(user=listing.seller, kind="moderation.suspended").exists()


def test_messages_are_reported_by_participants_and_hidden_through_messaging(api_as, moderator):
    from shiji.messaging.models import Message
    from shiji.messaging.services import inquiry_start

    listing = listing_jp()
    buyer = UserFactory()
    message = inquiry_start(buyer=buyer, listing_id=listing.id, text="Is the box included?").message
    assert _file_api(api_as, UserFactory(), "message", message.pk).status_code == 404  # not a participant
    assert _file_api(api_as, buyer, "message", message.pk).status_code == 422  # one's own message
    response = _file_api(api_as, listing.seller, "message", message.pk, reason="harassment")
    assert response.status_code == 201, response.json()
    report = Report.objects.get()
    assert report.target_owner == buyer and report.target_snapshot == "Is the box included?"
    body = api_as(moderator).get("/staff/reports").json()["items"][0]
    assert body["target"]["label"] == "Is the box included?" and body["target"]["url"] is None
    hide = api_as(moderator).post(f"/staff/reports/{report.pk}/action", {"action": "hide", "reason": "Abusive."})
    assert hide.status_code == 200, hide.json()
    message = Message.objects.get(pk=message.pk)
    assert message.hidden_at is not None and message.hidden_reason == "Abusive."
    assert Notification.objects.filter(user=buyer, kind="moderation.hidden").exists()
    assert AuditEvent.objects.filter(action="moderation.hide", data__target_id=message.pk).exists()


def test_revealed_reviews_are_reported_and_hidden_through_reputation(api_as, moderator):
    from shiji.reputation.models import Review
    from shiji.reputation.services import review_create
    from shiji.reputation.tests.helpers import completed_order

    order = completed_order()
    sealed = review_create(author=order.buyer, order_id=order.pk, rating=1, text="Terrible seller, scam!!")
    assert _file_api(api_as, UserFactory(), "review", sealed.pk).status_code == 404  # sealed: nobody sees it
    review_create(author=order.seller, order_id=order.pk, rating=5, text="Quick payment.")
    response = _file_api(api_as, order.seller, "review", sealed.pk, reason="offensive")
    assert response.status_code == 201, response.json()
    report = Report.objects.get()
    assert report.target_owner == order.buyer
    hide = api_as(moderator).post(f"/staff/reports/{report.pk}/action", {"action": "hide", "reason": "Insult."})
    assert hide.status_code == 200, hide.json()
    assert Review.objects.get(pk=sealed.pk).hidden_at is not None
    report.refresh_from_db()
    assert report.status == "actioned"


def _file_api(api_as, user, target_type, target_id, reason="spam"):
    return api_as(user).post("/reports", {"target_type": target_type, "target_id": target_id, "reason": reason})


def test_a_listing_reported_then_removed_can_still_be_dismissed(api_as, moderator):
    listing = listing_jp()
    report = _file(UserFactory(), "listing", listing.id)
    Listing.objects.filter(pk=listing.pk).update(status="removed")
    response = api_as(moderator).post(f"/staff/reports/{report.pk}/action", {"action": "dismiss"})
    assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.status == "removed"


def test_the_staff_list_and_queue_page_take_a_fixed_number_of_queries(api_as, moderator, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> tuple[int, int]:
        staff = api_as(moderator)
        client.force_login(moderator)
        with CaptureQueriesContext(connection) as api_run:
            assert staff.get("/staff/reports", {"limit": 100}).status_code == 200
        with CaptureQueriesContext(connection) as page_run:
            assert client.get("/staff/moderation/").status_code == 200
        return len(api_run), len(page_run)

    for _ in range(2):
        _file(UserFactory(), "listing", listing_jp().id)
    _file(UserFactory(), "user", UserFactory().id)
    few = queries()
    for _ in range(4):
        _file(UserFactory(), "listing", listing_jp().id)
        _file(UserFactory(), "user", UserFactory().id)
    assert queries() == few

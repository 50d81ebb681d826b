"""The dispute pages: the order page's panel, the dispute page for both sides and the
arbitrator, and the backoffice queue with its decision form."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory
from shiji.core.tests import images
from shiji.disputes import services
from shiji.disputes.models import Dispute, Evidence
from shiji.disputes.tests.helpers import arbitrator, escrow, shipped_order
from shiji.orders.models import Order

pytestmark = pytest.mark.django_db


def login(client, user):  # type: ignore[no-untyped-def]
    """Sign in as ``user`` reading the pages in English (the assertions quote English text)."""
    User.objects.filter(pk=user.pk).update(language="en")
    user.language = "en"
    client.force_login(user)


def test_the_buyer_opens_a_dispute_from_the_order_page(client):
    order = shipped_order()
    login(client, order.seller)
    assert "disputes/open" not in client.get(f"/orders/{order.pk}/").content.decode()
    login(client, order.buyer)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert f"/orders/{order.pk}/dispute/open/" in page

    response = client.post(
        f"/orders/{order.pk}/dispute/open/", {"reason": "damaged", "description": "Crushed box, broken lid."}
    )

    dispute = Dispute.objects.get(order=order)
    assert response.status_code == 302 and response["Location"] == f"/disputes/{dispute.pk}/"
    assert Order.objects.get(pk=order.pk).status == "disputed"
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert f"/disputes/{dispute.pk}/" in page and "/dispute/open/" not in page


def test_a_refused_opening_says_why_and_changes_nothing(client):
    order = shipped_order()
    login(client, order.buyer)
    response = client.post(
        f"/orders/{order.pk}/dispute/open/", {"reason": "not_received", "description": "Nothing came."}, follow=True
    )
    assert response.status_code == 200
    assert "not received from" in response.content.decode()
    assert not Dispute.objects.exists()


def test_seller_offers_and_buyer_accepts_on_the_page(client):
    order = shipped_order()
    dispute = services.dispute_open(buyer=order.buyer, order_id=order.pk, reason="damaged", description="dent")
    login(client, order.seller)
    page = client.get(f"/disputes/{dispute.pk}/").content.decode()
    assert "Offer a refund" in page
    too_much = client.post(f"/disputes/{dispute.pk}/act/offer/", {"refund": "999.00"})
    assert too_much.status_code == 200 and "At most" in too_much.content.decode()

    sent = client.post(f"/disputes/{dispute.pk}/act/offer/", {"refund": "50.00"})
    assert sent.status_code == 302
    login(client, order.buyer)
    assert "Accept the offer" in client.get(f"/disputes/{dispute.pk}/").content.decode()
    client.post(f"/disputes/{dispute.pk}/act/accept/")

    assert Dispute.objects.get(pk=dispute.pk).status == "settled"
    assert Order.objects.get(pk=order.pk).refunded_minor == 5000


def test_a_message_with_a_photo_from_the_page(client):
    order = shipped_order()
    dispute = services.dispute_open(buyer=order.buyer, order_id=order.pk, reason="damaged", description="dent")
    login(client, order.buyer)

    response = client.post(
        f"/disputes/{dispute.pk}/act/message/",
        {"text": "Here", "image": SimpleUploadedFile("a.jpg", images.jpeg_with_gps(), "image/jpeg")},
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.message is not None and evidence.message.text == "Here"
    login(client, order.seller)
    page = client.get(f"/disputes/{dispute.pk}/").content.decode()
    assert f"/api/v1/disputes/{dispute.pk}/evidence/{evidence.pk}" in page
    assert client.get(f"/api/v1/disputes/{dispute.pk}/evidence/{evidence.pk}").status_code == 200


def test_strangers_do_not_see_the_dispute_page(client):
    order = shipped_order()
    dispute = services.dispute_open(buyer=order.buyer, order_id=order.pk, reason="damaged", description="dent")
    login(client, cast(User, UserFactory()))
    assert client.get(f"/disputes/{dispute.pk}/").status_code == 404
    assert client.post(f"/disputes/{dispute.pk}/act/escalate/").status_code == 404


def test_the_arbitrator_works_the_queue_by_deadline_and_decides(client):
    urgent, later = shipped_order(), shipped_order()
    ids = []
    for order, days in ((later, 4), (urgent, 1)):
        dispute = services.dispute_open(buyer=order.buyer, order_id=order.pk, reason="damaged", description="x")
        services.dispute_escalate(user=order.buyer, dispute_id=dispute.pk)
        Dispute.objects.filter(pk=dispute.pk).update(deadline_at=timezone.now() + timedelta(days=days))
        ids.append(dispute.pk)
    judge = arbitrator()
    login(client, judge)
    dashboard = client.get("/staff/").content.decode()
    assert "/staff/disputes/" in dashboard

    queue = client.get("/staff/disputes/").content.decode()

    assert queue.index(ids[1]) < queue.index(ids[0])
    page = client.get(f"/disputes/{ids[1]}/").content.decode()
    assert "Record the decision" in page
    blank = client.post(f"/staff/disputes/{ids[1]}/decide/", {"outcome": "release", "reason": ""})
    assert blank.status_code == 200 and Dispute.objects.get(pk=ids[1]).status == "escalated"
    decided = client.post(f"/staff/disputes/{ids[1]}/decide/", {"outcome": "release", "reason": "As described."})
    assert decided.status_code == 302
    assert Dispute.objects.get(pk=ids[1]).status == "decided"
    assert escrow(urgent.pk) == 0
    login(client, urgent.buyer)
    assert "As described." in client.get(f"/disputes/{ids[1]}/").content.decode()


def test_the_queue_is_for_arbitrators(client):
    login(client, cast(User, UserFactory(roles=["moderator"])))
    assert client.get("/staff/disputes/").status_code == 403
    order = shipped_order()
    dispute = services.dispute_open(buyer=order.buyer, order_id=order.pk, reason="damaged", description="x")
    services.dispute_escalate(user=order.buyer, dispute_id=dispute.pk)
    login(client, order.buyer)
    assert (
        client.post(f"/staff/disputes/{dispute.pk}/decide/", {"outcome": "refund_full", "reason": "me"}).status_code
        == 403
    )
    assert Dispute.objects.get(pk=dispute.pk).status == "escalated"


def test_the_history_and_the_queue_show_labels_not_codes(client):
    order = shipped_order()
    dispute = services.dispute_open(buyer=order.buyer, order_id=order.pk, reason="damaged", description="x")
    services.dispute_escalate(user=order.buyer, dispute_id=dispute.pk)
    login(client, arbitrator())

    page = client.get(f"/disputes/{dispute.pk}/").content.decode()
    queue = client.get("/staff/disputes/").content.decode()

    assert "<strong>Waiting for the seller</strong>" in page and "<strong>open</strong>" not in page
    assert "<td>Buyer</td>" in queue and "<td>buyer</td>" not in queue

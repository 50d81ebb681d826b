"""The disputes API (API.md, Trust): who may open one and when, who sees it, the thread with
redacted text and private photo evidence, offers and escalation, and the arbitrators' queue."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory
from shiji.core.tests import images
from shiji.disputes.models import Dispute, Evidence
from shiji.disputes.services import transit_days_max
from shiji.disputes.tests.helpers import HELD_MINOR, arbitrator, cny, escrow, shipped_order
from shiji.notifications.models import Notification
from shiji.orders.models import Order, OrderEvent
from shiji.orders.tests.factories import order_placed, pay

pytestmark = pytest.mark.django_db

REASON = {"reason": "damaged", "description": "The box arrived crushed."}


def _open(api_as: Any, order: Order, body: dict[str, str] | None = None) -> Any:
    return api_as(order.buyer).post(f"/orders/{order.pk}/disputes", body or REASON)


def _stranger() -> User:
    return cast(User, UserFactory())


# --- opening ---------------------------------------------------------------------------------


def test_the_buyer_opens_a_dispute_and_the_order_stops(api_as):
    order = shipped_order()

    response = _open(api_as, order)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["reason"], body["order"]) == ("open", "damaged", order.pk)
    assert body["held"] == cny("339.55")
    assert body["deadline_at"] == body["answer_due_at"]
    order.refresh_from_db()
    assert order.status == "disputed"
    assert OrderEvent.objects.filter(subject=order, from_state="shipped", to_state="disputed").exists()
    assert Notification.objects.filter(user=order.seller, kind="dispute.opened.seller").exists()
    assert api_as(order.buyer).get(f"/orders/{order.pk}/dispute").json()["id"] == body["id"]


def test_only_the_buyer_opens_and_only_once(api_as):
    order = shipped_order()
    assert _open(api_as, order).status_code == 201  # the buyer may
    again = _open(api_as, order)
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"
    other = shipped_order()
    assert api_as(other.seller).post(f"/orders/{other.pk}/disputes", REASON).status_code == 403
    assert api_as(_stranger()).post(f"/orders/{other.pk}/disputes", REASON).status_code == 404
    assert api_as(_stranger()).post("/orders/ord_nope/disputes", REASON).status_code == 404
    assert Order.objects.get(pk=other.pk).status == "shipped"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "changed_my_mind", "description": "x"}, "reason"),
        ({"reason": "damaged", "description": "   "}, "description"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(api_as, body, field):
    order = shipped_order()
    response = _open(api_as, order, body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert not Dispute.objects.exists()


def test_no_dispute_before_shipping(api_as):
    order = pay(order_placed())
    response = _open(api_as, order)
    assert response.status_code == 409
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_not_received_waits_for_the_transit_estimate_plus_ten_days(api_as):
    order = shipped_order()
    body = {"reason": "not_received", "description": "Nothing arrived."}
    early = _open(api_as, order, body)
    assert early.status_code == 409
    assert Order.objects.get(pk=order.pk).status == "shipped"
    days = transit_days_max(order)
    assert days > 0
    Order.objects.filter(pk=order.pk).update(shipped_at=timezone.now() - timedelta(days=days + 9, hours=23))
    assert _open(api_as, order, body).status_code == 409

    Order.objects.filter(pk=order.pk).update(shipped_at=timezone.now() - timedelta(days=days + 10, minutes=1))

    assert _open(api_as, order, body).status_code == 201


def test_other_reasons_may_be_opened_from_shipping_until_five_days_after_delivery(api_as):
    order = shipped_order()
    delivered = timezone.now() - timedelta(days=5, minutes=1)
    Order.objects.filter(pk=order.pk).update(status="delivered", delivered_at=delivered)
    late = _open(api_as, order)
    assert late.status_code == 409
    Order.objects.filter(pk=order.pk).update(delivered_at=timezone.now() - timedelta(days=4, hours=23))

    response = _open(api_as, order)

    assert response.status_code == 201
    assert Order.objects.get(pk=order.pk).status == "disputed"


# --- who sees it -----------------------------------------------------------------------------


def test_parties_and_arbitrators_see_the_dispute_nobody_else(api_as):
    order = shipped_order()
    dispute = _open(api_as, order).json()
    for user in (order.buyer, order.seller, arbitrator()):
        assert api_as(user).get(f"/disputes/{dispute['id']}").status_code == 200
    for user in (_stranger(), cast(User, UserFactory(roles=["finance"])), cast(User, UserFactory(roles=["moderator"]))):
        assert api_as(user).get(f"/disputes/{dispute['id']}").status_code == 404
        assert api_as(user).get(f"/orders/{order.pk}/dispute").status_code == 404
    assert api_as(order.buyer).get("/disputes/dsp_nope").status_code == 404


# --- the thread ------------------------------------------------------------------------------


def test_messages_are_redacted_and_closed_disputes_take_no_more(api_as):
    order = shipped_order()
    dispute = _open(api_as, order).json()
    path = f"/disputes/{dispute['id']}/messages"

    response = api_as(order.seller).post(path, {"text": "Call me on +81 90 1234 5678 or mail seller@example.com"})

    assert response.status_code == 201, response.content
    text = response.json()["text"]
    assert "1234" not in text and "seller@example.com" not in text
    assert response.json()["redacted"]
    assert response.json()["role"] == "seller"
    assert api_as(arbitrator()).post(path, {"text": "Please send photos."}).json()["role"] == "arbitrator"
    assert api_as(order.buyer).post(path, {"text": "  "}).status_code == 422
    assert api_as(_stranger()).post(path, {"text": "hi"}).status_code == 404
    api_as(order.buyer).post(f"/disputes/{dispute['id']}/withdraw")
    assert api_as(order.buyer).post(path, {"text": "after"}).status_code == 409
    thread = api_as(order.buyer).get(f"/disputes/{dispute['id']}").json()["messages"]
    assert [m["role"] for m in thread] == ["seller", "arbitrator"]


def test_photo_evidence_is_stripped_private_and_shown_once_sent(api_as, client):
    order = shipped_order()
    dispute = _open(api_as, order).json()
    buyer, seller = api_as(order.buyer), api_as(order.seller)

    upload = buyer.post_multipart(
        f"/disputes/{dispute['id']}/evidence",
        {"image": SimpleUploadedFile("gps.jpg", images.jpeg_with_gps(), "image/jpeg")},
    )

    assert upload.status_code == 201, upload.content
    url = upload.json()["url"].removeprefix("/api/v1")
    evidence = Evidence.objects.get(pk=upload.json()["id"])
    with evidence.image.open("rb") as stored:
        content = stored.read()
    assert b"PhoneMaker" not in content
    with pytest.raises(ValueError, match="private"):
        _ = evidence.image.url  # private storage has no public URL
    # A draft is its uploader's alone.
    assert seller.get(url).status_code == 404
    fetched = buyer.get(url)
    assert fetched.status_code == 200 and fetched["X-Content-Type-Options"] == "nosniff"
    # Someone else's photo cannot be attached.
    assert seller.post(f"/disputes/{dispute['id']}/messages", {"attachments": [evidence.pk]}).status_code == 422

    sent = buyer.post(f"/disputes/{dispute['id']}/messages", {"text": "See the dent.", "attachments": [evidence.pk]})

    assert sent.status_code == 201, sent.content
    assert [a["id"] for a in sent.json()["attachments"]] == [evidence.pk]
    response = seller.get(url)
    assert response.status_code == 200
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.format == "JPEG" and len(image.getexif()) == 0
    assert api_as(arbitrator()).get(url).status_code == 200
    assert api_as(_stranger()).get(url).status_code == 404
    assert client.get(upload.json()["url"]).status_code == 401
    # Sent once: it cannot be attached again.
    assert buyer.post(f"/disputes/{dispute['id']}/messages", {"attachments": [evidence.pk]}).status_code == 422


def test_evidence_must_be_an_image(api_as):
    order = shipped_order()
    dispute = _open(api_as, order).json()
    for name, data in (("x.svg", images.SVG), ("x.jpg", images.HTML_AS_JPEG)):
        response = api_as(order.buyer).post_multipart(
            f"/disputes/{dispute['id']}/evidence", {"image": SimpleUploadedFile(name, data, "image/jpeg")}
        )
        assert response.status_code == 422
    assert not Evidence.objects.exists()
    assert (
        api_as(_stranger())
        .post_multipart(
            f"/disputes/{dispute['id']}/evidence",
            {"image": SimpleUploadedFile("a.jpg", images.jpeg_with_gps(), "image/jpeg")},
        )
        .status_code
        == 404
    )


# --- offers and escalation -------------------------------------------------------------------


def test_offers_are_the_sellers_and_bounded_by_what_is_held(api_as):
    order = shipped_order()
    dispute = _open(api_as, order).json()
    path = f"/disputes/{dispute['id']}/offer"
    assert api_as(order.buyer).post(path, {"refund": cny("10.00"), "return_required": False}).status_code == 403
    assert api_as(order.seller).post(path, {"refund": cny("339.56"), "return_required": False}).status_code == 422
    assert api_as(order.seller).post(path, {"refund": cny("0.00"), "return_required": False}).status_code == 422
    wrong = {"refund": {"amount": "1000", "currency": "JPY"}, "return_required": False}
    assert api_as(order.seller).post(path, wrong).status_code == 422
    assert api_as(order.buyer).post(f"/disputes/{dispute['id']}/accept").status_code == 409  # nothing offered
    first = api_as(order.seller).post(path, {"refund": cny("50.00"), "return_required": False})
    better = api_as(order.seller).post(path, {"refund": cny("80.00"), "return_required": False})
    assert first.status_code == better.status_code == 200
    assert better.json()["offer"]["refund"] == cny("80.00")
    assert Notification.objects.filter(user=order.buyer, kind="dispute.offered.buyer").count() == 2
    # A standing offer may only get better for the buyer, who might be accepting it this moment.
    lower = api_as(order.seller).post(path, {"refund": cny("20.00"), "return_required": False})
    with_return = api_as(order.seller).post(path, {"refund": cny("90.00"), "return_required": True})
    assert lower.status_code == with_return.status_code == 422
    shown = api_as(order.buyer).get(f"/disputes/{dispute['id']}").json()["offer"]
    assert (shown["refund"], shown["return_required"]) == (cny("80.00"), False)
    assert escrow(order.pk) == HELD_MINOR


def test_either_party_escalates_once(api_as):
    order = shipped_order()
    dispute = _open(api_as, order).json()
    path = f"/disputes/{dispute['id']}/escalate"
    assert api_as(_stranger()).post(path).status_code == 404
    assert api_as(arbitrator()).post(path).status_code == 403

    response = api_as(order.seller).post(path, {"note": "The buyer will not answer."})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["escalated_by"]) == ("escalated", "seller")
    assert Notification.objects.filter(user=order.buyer, kind="dispute.escalated.buyer").exists()
    assert api_as(order.buyer).post(path).status_code == 409
    offer = {"refund": cny("10.00"), "return_required": False}
    assert api_as(order.seller).post(f"/disputes/{dispute['id']}/offer", offer).status_code == 409


# --- the arbitrators' queue ------------------------------------------------------------------


def test_the_staff_queue_lists_escalated_disputes_by_deadline(api_as):
    disputes = []
    for _ in range(3):
        order = shipped_order()
        dispute = _open(api_as, order).json()
        api_as(order.buyer).post(f"/disputes/{dispute['id']}/escalate")
        disputes.append(dispute["id"])
    # The second one is the most urgent, the first the least.
    now = timezone.now()
    for dispute_id, days in zip(disputes, (5, 1, 3), strict=True):
        Dispute.objects.filter(pk=dispute_id).update(deadline_at=now + timedelta(days=days))
    quiet = _open(api_as, shipped_order()).json()  # open, not escalated
    judge = api_as(arbitrator())

    first = judge.get("/staff/disputes", {"limit": 2})
    assert first.status_code == 200
    assert [d["id"] for d in first.json()["items"]] == [disputes[1], disputes[2]]
    rest = judge.get("/staff/disputes", {"limit": 2, "cursor": first.json()["next_cursor"]}).json()
    assert ([d["id"] for d in rest["items"]], rest["next_cursor"]) == ([disputes[0]], None)
    assert [d["id"] for d in judge.get("/staff/disputes", {"status": "open"}).json()["items"]] == [quiet["id"]]
    assert len(judge.get("/staff/disputes", {"status": "active"}).json()["items"]) == 4
    for user in (_stranger(), cast(User, UserFactory(roles=["finance"]))):
        assert api_as(user).get("/staff/disputes").status_code == 403
    assert judge.get("/staff/disputes", {"cursor": "!!"}).status_code == 422

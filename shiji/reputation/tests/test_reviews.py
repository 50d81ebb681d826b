"""Double-blind reviews (PRODUCT.md §7; API.md "Trust"): sealed until both sides have written or
the 14-day window has closed, on every read path; one reply; moderators hide with a reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory
from shiji.core.models import AuditEvent
from shiji.notifications.models import Notification
from shiji.orders.models import Order
from shiji.orders.tests.factories import mark_shipped, order_placed, pay
from shiji.reputation.models import Review, ReviewEvent
from shiji.reputation.services import review_hide, reviews_reveal_due
from shiji.reputation.tasks import reviews_reveal
from shiji.reputation.tests.helpers import completed_order, ok

pytestmark = pytest.mark.django_db

BUYER_SAYS = "Lovely kimono, packed with great care"
SELLER_SAYS = "Quick payment, friendly buyer"


def _public_reads(api: Any, api_as: Any, client: Any, order: Order, staff: list[User]) -> list[str]:
    """Everything anyone other than the author can read about the seller and the order."""
    seller, buyer = order.seller, order.buyer
    texts = []
    for reader in (api, api_as(seller), api_as(buyer), *(api_as(s) for s in staff)):
        texts.append(reader.get(f"/users/{seller.pk}/reviews").content.decode())
        texts.append(reader.get(f"/users/{buyer.pk}/reviews").content.decode())
    texts.append(api_as(seller).get(f"/orders/{order.pk}/reviews").content.decode())
    for person in (seller, *staff):
        client.force_login(person)
        texts.append(client.get(f"/orders/{order.pk}/").content.decode())
        texts.append(client.get(f"/u/{seller.pk}/").content.decode())
    client.logout()
    texts.append(client.get(f"/u/{seller.pk}/").content.decode())
    return texts


def test_a_review_is_invisible_through_every_read_path_until_reveal(api, api_as, client):
    order = completed_order()
    seller, buyer = order.seller, order.buyer
    arbitrator = UserFactory(roles=["arbitrator"], language="en")
    moderator = UserFactory(roles=["moderator"], language="en")
    admin = UserFactory(roles=["admin"], language="en")

    written = ok(api_as(buyer).post(f"/orders/{order.pk}/review", {"rating": 5, "text": BUYER_SAYS}), 201)

    assert written["status"] == "waiting" and written["revealed_at"] is None
    for text in _public_reads(api, api_as, client, order, [arbitrator, moderator, admin]):
        assert BUYER_SAYS not in text
    for reader in (api, api_as(seller), api_as(moderator)):
        assert ok(reader.get(f"/users/{seller.pk}/reviews")) == {"items": [], "next_cursor": None}
        profile = ok(reader.get(f"/users/{seller.pk}"))
        assert profile["rating"] == {"average": None, "count": 0}
        assert profile["rating_as_seller"] == {"average": None, "count": 0}
        reputation = ok(reader.get(f"/users/{seller.pk}/reputation"))
        assert reputation["rating"] == {"average": None, "count": 0}
        assert reputation["rating_as_seller"] == {"average": None, "count": 0}
    # The counterpart sees nothing of it, not even that it exists; staff neither.
    assert ok(api_as(seller).get(f"/orders/{order.pk}/reviews"))["items"] == []
    assert ok(api_as(arbitrator).get(f"/orders/{order.pk}/reviews"))["items"] == []
    assert api_as(moderator).get(f"/staff/reviews/{written['id']}").status_code == 404
    assert api_as(seller).post(f"/reviews/{written['id']}/reply", {"text": "Thanks"}).status_code == 404
    assert api_as(moderator).post(f"/staff/reviews/{written['id']}/hide", {"reason": "x"}).status_code == 404
    # Its author sees it, marked as waiting.
    mine = ok(api_as(buyer).get(f"/orders/{order.pk}/reviews"))["items"]
    assert [(r["id"], r["status"], r["text"]) for r in mine] == [(written["id"], "waiting", BUYER_SAYS)]
    client.force_login(buyer)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert BUYER_SAYS in page and "Waiting for the other side" in page
    assert User.objects.get(pk=seller.pk).rating_count == 0

    # The seller writes theirs: both are revealed at once, everywhere.
    with TestCase.captureOnCommitCallbacks(execute=True):
        second = ok(api_as(seller).post(f"/orders/{order.pk}/review", {"rating": 4, "text": SELLER_SAYS}), 201)

    assert second["status"] == "revealed"
    seller_reviews = ok(api.get(f"/users/{seller.pk}/reviews"))["items"]
    assert [(r["id"], r["rating"], r["text"], r["side"]) for r in seller_reviews] == [
        (written["id"], 5, BUYER_SAYS, "buyer_to_seller")
    ]
    assert [r["text"] for r in ok(api.get(f"/users/{buyer.pk}/reviews"))["items"]] == [SELLER_SAYS]
    assert ok(api.get(f"/users/{seller.pk}"))["rating"] == {"average": 5.0, "count": 1}
    assert ok(api.get(f"/users/{seller.pk}/reputation"))["rating_as_seller"] == {"average": 5.0, "count": 1}
    assert ok(api.get(f"/users/{buyer.pk}"))["rating_as_buyer"] == {"average": 4.0, "count": 1}
    assert {r["text"] for r in ok(api_as(seller).get(f"/orders/{order.pk}/reviews"))["items"]} == {
        BUYER_SAYS,
        SELLER_SAYS,
    }
    client.force_login(seller)
    assert BUYER_SAYS in client.get(f"/orders/{order.pk}/").content.decode()
    client.logout()
    assert BUYER_SAYS in client.get(f"/u/{seller.pk}/").content.decode()
    # Both sides are told, once each.
    told = Notification.objects.filter(kind="review.revealed", subject_id=order.pk)
    assert sorted(told.values_list("user_id", flat=True)) == sorted([buyer.pk, seller.pk])
    events = ReviewEvent.objects.filter(subject_id=written["id"]).values_list("from_state", "to_state")
    assert list(events) == [("", "waiting"), ("waiting", "revealed")]


def test_the_window_closing_reveals_a_lone_review_through_the_periodic_job(api, api_as):
    order = completed_order(days_ago=13.9)
    review = ok(api_as(order.buyer).post(f"/orders/{order.pk}/review", {"rating": 2, "text": "Slow"}), 201)

    assert reviews_reveal.call_local() == 0  # still inside the 14 days
    assert ok(api.get(f"/users/{order.seller_id}/reviews"))["items"] == []

    Order.objects.filter(pk=order.pk).update(completed_at=timezone.now() - timedelta(days=14, seconds=1))
    assert reviews_reveal.call_local() == 1
    assert [r["id"] for r in ok(api.get(f"/users/{order.seller_id}/reviews"))["items"]] == [review["id"]]
    assert ok(api.get(f"/users/{order.seller_id}"))["rating"] == {"average": 2.0, "count": 1}
    # The other side can no longer write, and running the job again changes nothing.
    late = api_as(order.seller).post(f"/orders/{order.pk}/review", {"rating": 5, "text": "Too late"})
    assert late.status_code == 409 and late.json()["error"]["code"] == "invalid_state"
    assert reviews_reveal_due() == 0
    assert User.objects.get(pk=order.seller_id).rating_count == 1


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 0, "text": "x"},
        {"rating": 6, "text": "x"},
        {"rating": "five", "text": "x"},
        {"rating": 4.5, "text": "x"},
        {"rating": True, "text": "x"},
        {"rating": 5, "text": ""},
        {"rating": 5, "text": "   "},
        {"rating": 5, "text": "x" * 2001},
        {"rating": 5},
        {"text": "no rating"},
    ],
)
def test_bad_input_is_refused_and_changes_nothing(api_as, body, server_errors):
    order = completed_order()

    response = api_as(order.buyer).post(f"/orders/{order.pk}/review", body)

    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert not Review.objects.exists()
    assert server_errors == []


def test_only_a_completed_order_within_14_days_once_per_side_by_its_parties(api_as):
    paid = pay(order_placed())
    not_yet = api_as(paid.buyer).post(f"/orders/{paid.pk}/review", {"rating": 5, "text": "Early"})
    assert not_yet.status_code == 409 and not_yet.json()["error"]["code"] == "invalid_state"
    mark_shipped(paid)
    assert api_as(paid.buyer).post(f"/orders/{paid.pk}/review", {"rating": 5, "text": "Early"}).status_code == 409

    order = completed_order()
    stranger = api_as(UserFactory()).post(f"/orders/{order.pk}/review", {"rating": 1, "text": "Spite"})
    assert stranger.status_code == 404
    staff = api_as(UserFactory(roles=["arbitrator"])).post(f"/orders/{order.pk}/review", {"rating": 1, "text": "No"})
    assert staff.status_code == 403
    assert api_as(order.buyer).post(f"/orders/{order.pk}/review", {"rating": 5, "text": "Great"}).status_code == 201
    again = api_as(order.buyer).post(f"/orders/{order.pk}/review", {"rating": 1, "text": "Changed my mind"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reviewed"
    assert list(Review.objects.values_list("rating", flat=True)) == [5]

    closed = completed_order(days_ago=14.01)
    gone = api_as(closed.buyer).post(f"/orders/{closed.pk}/review", {"rating": 5, "text": "Late"})
    assert gone.status_code == 409
    assert not Review.objects.filter(order=closed).exists()


def _revealed_pair(api_as: Any) -> tuple[Order, dict[str, Any], dict[str, Any]]:
    order = completed_order()
    by_buyer = ok(api_as(order.buyer).post(f"/orders/{order.pk}/review", {"rating": 3, "text": BUYER_SAYS}), 201)
    by_seller = ok(api_as(order.seller).post(f"/orders/{order.pk}/review", {"rating": 5, "text": SELLER_SAYS}), 201)
    return order, by_buyer, by_seller


def test_the_reviewed_person_replies_once_in_public(api, api_as):
    order, by_buyer, _ = _revealed_pair(api_as)
    path = f"/reviews/{by_buyer['id']}/reply"

    assert api_as(order.buyer).post(path, {"text": "I reply to myself"}).status_code == 403
    assert api_as(UserFactory()).post(path, {"text": "Me too"}).status_code == 403
    assert api_as(order.seller).post(path, {"text": "  "}).status_code == 422
    replied = ok(api_as(order.seller).post(path, {"text": "Sorry for the slow packing"}))
    assert replied["reply"]["text"] == "Sorry for the slow packing"
    twice = api_as(order.seller).post(path, {"text": "And another thing"})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_replied"

    public = ok(api.get(f"/users/{order.seller_id}/reviews"))["items"]
    assert public[0]["reply"]["text"] == "Sorry for the slow packing"


def test_a_moderator_hides_a_review_with_a_reason_and_it_leaves_the_rating(api, api_as):
    order, by_buyer, _ = _revealed_pair(api_as)
    moderator = UserFactory(roles=["moderator"])
    path = f"/staff/reviews/{by_buyer['id']}/hide"
    assert ok(api.get(f"/users/{order.seller_id}"))["rating"] == {"average": 3.0, "count": 1}

    assert api_as(order.seller).post(path, {"reason": "I dislike it"}).status_code == 403
    assert api_as(UserFactory(roles=["arbitrator"])).post(path, {"reason": "x"}).status_code == 403
    assert api_as(moderator).post(path, {"reason": ""}).status_code == 422
    assert api_as(moderator).post(path, {}).status_code == 422
    assert Review.objects.get(pk=by_buyer["id"]).hidden_at is None

    hidden = ok(api_as(moderator).post(path, {"reason": "Insults"}))

    assert hidden["status"] == "hidden" and hidden["hidden_reason"] == "Insults"
    assert ok(api.get(f"/users/{order.seller_id}/reviews"))["items"] == []
    assert ok(api.get(f"/users/{order.seller_id}"))["rating"] == {"average": None, "count": 0}
    assert ok(api_as(order.seller).get(f"/orders/{order.pk}/reviews"))["items"][0]["text"] == SELLER_SAYS
    assert len(ok(api_as(order.seller).get(f"/orders/{order.pk}/reviews"))["items"]) == 1
    # Its author still sees it, marked hidden with the reason.
    own = ok(api_as(order.buyer).get(f"/orders/{order.pk}/reviews"))["items"]
    assert {(r["status"], r["hidden_reason"]) for r in own if r["id"] == by_buyer["id"]} == {("hidden", "Insults")}
    audit = AuditEvent.objects.get(action="review.hide")
    assert (audit.actor_id, audit.target_id, audit.data) == (moderator.pk, by_buyer["id"], {"reason": "Insults"})
    again = api_as(moderator).post(path, {"reason": "Again"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"

    shown = ok(api_as(moderator).post(f"/staff/reviews/{by_buyer['id']}/unhide", {"reason": "Appeal upheld"}))
    assert shown["status"] == "revealed"
    assert ok(api.get(f"/users/{order.seller_id}"))["rating"] == {"average": 3.0, "count": 1}
    assert AuditEvent.objects.filter(action="review.unhide").count() == 1


def test_review_hide_is_a_service_for_the_moderation_queue(api_as):
    _, by_buyer, _ = _revealed_pair(api_as)
    moderator = UserFactory(roles=["moderator"])

    review = review_hide(moderator=moderator, review_id=by_buyer["id"], reason="Reported: contact details")

    assert review.hidden_by == moderator and review.hidden_reason == "Reported: contact details"
    assert ok(api_as(moderator).get(f"/staff/reviews/{by_buyer['id']}"))["hidden_reason"] == review.hidden_reason


def test_public_reviews_are_paginated_and_filtered_by_role(api, api_as):
    seller = UserFactory(verification_level=1)
    for n in range(3):
        order = completed_order(seller=seller)
        ok(api_as(order.buyer).post(f"/orders/{order.pk}/review", {"rating": 5, "text": f"Buyer {n}"}), 201)
        ok(api_as(seller).post(f"/orders/{order.pk}/review", {"rating": 4, "text": f"Seller {n}"}), 201)
    bought = completed_order(buyer=seller)
    ok(api_as(seller).post(f"/orders/{bought.pk}/review", {"rating": 5, "text": "As a buyer"}), 201)
    ok(api_as(bought.seller).post(f"/orders/{bought.pk}/review", {"rating": 2, "text": "Paid late"}), 201)

    first = ok(api.get(f"/users/{seller.pk}/reviews", {"limit": 2, "role": "seller"}))
    rest = ok(api.get(f"/users/{seller.pk}/reviews", {"limit": 2, "role": "seller", "cursor": first["next_cursor"]}))
    assert [r["text"] for r in first["items"] + rest["items"]] == ["Buyer 2", "Buyer 1", "Buyer 0"]
    assert rest["next_cursor"] is None
    assert [r["text"] for r in ok(api.get(f"/users/{seller.pk}/reviews", {"role": "buyer"}))["items"]] == ["Paid late"]
    reputation = ok(api.get(f"/users/{seller.pk}/reputation"))
    assert reputation["rating"] == {"average": 4.25, "count": 4}
    assert reputation["rating_as_seller"] == {"average": 5.0, "count": 3}
    assert reputation["rating_as_buyer"] == {"average": 2.0, "count": 1}
    assert api.get(f"/users/{seller.pk}/reviews", {"cursor": "%%%"}).status_code == 422
    assert api.get("/users/usr_00000000000000000000000000/reviews").status_code == 404


def test_review_and_reply_through_the_order_page(client):
    order = completed_order()
    client.force_login(order.buyer)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert f'action="/orders/{order.pk}/review/"' in page
    assert client.get(f"/orders/{order.pk}/review/").status_code == 200
    client.force_login(UserFactory())
    assert client.get(f"/orders/{order.pk}/review/").status_code == 404
    assert client.post(f"/orders/{order.pk}/review/", {"rating": "1", "text": "Spite"}).status_code == 404
    client.force_login(order.buyer)

    bad = client.post(f"/orders/{order.pk}/review/", {"rating": "9", "text": "Nice"})
    assert bad.status_code == 422 and not Review.objects.exists()
    response = client.post(f"/orders/{order.pk}/review/", {"rating": "4", "text": "Nice and quick"})
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    assert Review.objects.get().rating == 4

    client.force_login(order.seller)
    seller_page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Nice and quick" not in seller_page
    client.post(f"/orders/{order.pk}/review/", {"rating": "5", "text": "Ideal buyer"})
    seller_page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Nice and quick" in seller_page
    by_buyer = Review.objects.get(author=order.buyer)
    assert f'action="/reviews/{by_buyer.pk}/reply/"' in seller_page

    client.post(f"/reviews/{by_buyer.pk}/reply/", {"text": "Thank you!"})
    by_buyer.refresh_from_db()
    assert by_buyer.reply_text == "Thank you!"
    client.logout()
    profile = client.get(f"/u/{order.seller_id}/").content.decode()
    assert "Nice and quick" in profile and "Thank you!" in profile


def test_review_lists_cost_the_same_queries_for_one_review_or_many(api_as, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seller = UserFactory(verification_level=1, language="en")

    def add_reviewed_order() -> None:
        order = completed_order(seller=seller)
        by_buyer = ok(api_as(order.buyer).post(f"/orders/{order.pk}/review", {"rating": 4, "text": "Fine"}), 201)
        ok(api_as(seller).post(f"/orders/{order.pk}/review", {"rating": 5, "text": "Fine too"}), 201)
        ok(api_as(seller).post(f"/reviews/{by_buyer['id']}/reply", {"text": "Thanks"}))

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    add_reviewed_order()
    paths = [f"/api/v1/users/{seller.pk}/reviews", f"/u/{seller.pk}/"]
    with_one = [queries(path) for path in paths]
    for _ in range(3):
        add_reviewed_order()
    assert [queries(path) for path in paths] == with_one

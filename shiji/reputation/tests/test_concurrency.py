"""Reviews and the score under real concurrency (threads, own connections, real transactions, on
PostgreSQL): both sides writing at the same moment never both miss each other; one side
double-posting writes once; a seller's simultaneous shipments never pass the daily cap."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from conftest import ApiClient
from shiji.accounts.models import User
from shiji.accounts.services import token_create
from shiji.accounts.tests.factories import chinese_buyer
from shiji.catalog.tests.factories import demo_rates
from shiji.core.tests.concurrency import race, report
from shiji.notifications.models import Notification
from shiji.orders.shipping import order_ship
from shiji.orders.tests.factories import listing_jp, order_placed, pay, seller_jp
from shiji.reputation.models import Review, ReviewEvent, ScoreReason, ServiceScoreChange
from shiji.reputation.tests.helpers import completed_order

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

ROUNDS = 8


def test_both_sides_reviewing_at_the_same_moment_reveal_both(server_errors):
    demo_rates()
    seller = seller_jp()
    orders = [completed_order(seller=seller) for _ in range(ROUNDS)]
    seller_token = token_create(user=seller)

    for n, order in enumerate(orders):
        buyer_token = token_create(user=order.buyer)

        def by_buyer(token: str = buyer_token, order_id: str = order.pk) -> Any:
            return ApiClient(token).post(f"/orders/{order_id}/review", {"rating": 5, "text": "Buyer's view"})

        def by_seller(order_id: str = order.pk) -> Any:
            return ApiClient(seller_token).post(f"/orders/{order_id}/review", {"rating": 4, "text": "Seller's view"})

        responses = race([by_buyer, by_seller])
        assert [r.status_code for r in responses] == [201, 201], report(n, responses, errors=server_errors)

        reviews = list(Review.objects.filter(order=order))
        assert len(reviews) == 2 and all(r.revealed_at is not None for r in reviews), report(n, reviews, errors=[])
        assert ReviewEvent.objects.filter(subject__order=order, to_state="revealed").count() == 2
        assert Notification.objects.filter(kind="review.revealed", subject_id=order.pk).count() == 2

    seller.refresh_from_db()
    assert (seller.rating_count, seller.rating_total) == (ROUNDS, 5 * ROUNDS)
    assert sum(User.objects.filter(pk__in=[o.buyer_id for o in orders]).values_list("rating_total", flat=True)) == (
        4 * ROUNDS
    )
    assert server_errors == []


def test_one_side_posting_twice_at_once_writes_one_review(server_errors):
    demo_rates()
    order = completed_order()
    token = token_create(user=order.buyer)

    def post(text: str) -> Any:
        return ApiClient(token).post(f"/orders/{order.pk}/review", {"rating": 3, "text": text})

    responses = race([lambda: post("first"), lambda: post("second"), lambda: post("third")])

    assert sorted(r.status_code for r in responses) == [201, 409, 409], report(responses, errors=server_errors)
    assert Review.objects.filter(order=order).count() == 1
    assert Review.objects.get(order=order).revealed_at is None
    assert server_errors == []


def test_simultaneous_shipments_never_pass_three_points_a_day():
    demo_rates()
    seller = seller_jp()
    orders = [pay(order_placed(buyer=chinese_buyer(), listing=listing_jp(seller))) for _ in range(6)]
    if timezone.now().hour == 23 and timezone.now().minute >= 58:  # pragma: no cover - avoid midnight
        pytest.skip("too close to the end of the UTC day")

    race([lambda order_id=o.pk: order_ship(seller=seller, order_id=order_id) for o in orders])

    changes = ServiceScoreChange.objects.filter(user=seller)
    assert changes.count() == 6
    assert changes.filter(reason=ScoreReason.SHIPPED_ON_TIME).count() == 3
    assert changes.filter(reason=ScoreReason.CAPPED).count() == 3
    assert User.objects.get(pk=seller.pk).service_score == 73
    assert sorted(changes.values_list("score_after", flat=True)) == [71, 72, 73, 73, 73, 73]

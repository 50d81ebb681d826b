"""The service score instead of fines (PRODUCT.md §7): each rule and bound through the real order
flows, the daily cap, the history with reasons, and the commission change at 75."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.tests.factories import demo_rates
from shiji.ledger.models import Purpose
from shiji.ledger.selectors import balance
from shiji.ledger.services import platform_account
from shiji.orders import flow
from shiji.orders.models import Order
from shiji.orders.tests.factories import listing_jp, order_placed, pay, seller_jp, ship
from shiji.reputation.models import ScoreReason, ServiceScoreChange
from shiji.reputation.services import POINTS, _score_apply, shipping_reason
from shiji.reputation.tests.helpers import ok

pytestmark = pytest.mark.django_db

R = ScoreReason


@pytest.fixture(autouse=True)
def _fees(settings: Any) -> None:
    settings.SHIJI_FX_MARGIN_PERCENT = "1.0"
    settings.SHIJI_BUYER_FEE_PERCENT = "3.0"
    settings.SHIJI_COMMISSION_PERCENT = "8.0"
    settings.SHIJI_COMMISSION_RELIABLE_PERCENT = "6.0"
    settings.SHIJI_RELIABLE_SCORE = 75
    demo_rates()


def _paid(seller: User, *, paid_ago: timedelta = timedelta(0), handling_days: int = 3) -> Order:
    order = pay(order_placed(buyer=chinese_buyer(), listing=listing_jp(seller, handling_days=handling_days)))
    if paid_ago:
        Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - paid_ago)
        order.refresh_from_db()
    return order


def _ship(seller: User, *, paid_ago: timedelta = timedelta(0), handling_days: int = 3) -> Order:
    order = _paid(seller, paid_ago=paid_ago, handling_days=handling_days)
    ship(order)
    return order


def _history(user: User) -> list[tuple[str, int, int]]:
    return list(
        ServiceScoreChange.objects.filter(user=user).order_by("pk").values_list("reason", "delta", "score_after")
    )


def _score(user: User) -> int:
    return User.objects.get(pk=user.pk).service_score


# --- the lateness rule, exactly ------------------------------------------------------------------

PAID = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("shipped_after_due", "reason"),
    [
        (-timedelta(days=2), R.SHIPPED_ON_TIME),
        (timedelta(0), R.SHIPPED_ON_TIME),  # on the due moment itself
        (timedelta(seconds=1), R.SHIPPED_LATE_MINOR),  # a day begun is a day late
        (timedelta(days=1), R.SHIPPED_LATE_MINOR),
        (timedelta(days=2), R.SHIPPED_LATE_MINOR),
        (timedelta(days=2, seconds=1), R.SHIPPED_LATE_MAJOR),
        (timedelta(days=30), R.SHIPPED_LATE_MAJOR),
    ],
)
def test_lateness_is_counted_in_days_begun_after_paid_plus_handling_days(shipped_after_due, reason):
    due = PAID + timedelta(days=3)
    assert shipping_reason(paid_at=PAID, shipped_at=due + shipped_after_due, handling_days=3) == reason


@given(
    handling=st.integers(min_value=1, max_value=30),
    seconds=st.integers(min_value=-30 * 86400, max_value=60 * 86400),
)
def test_lateness_never_costs_more_than_two_points(handling, seconds):
    shipped = PAID + timedelta(days=handling, seconds=seconds)
    reason = shipping_reason(paid_at=PAID, shipped_at=shipped, handling_days=handling)
    assert POINTS[reason] >= -2
    assert (reason == R.SHIPPED_ON_TIME) == (seconds <= 0)
    assert (reason == R.SHIPPED_LATE_MAJOR) == (seconds > 2 * 86400)


# --- each rule through the real flows ------------------------------------------------------------


def test_a_seller_starts_at_70_and_gains_a_point_for_shipping_on_time():
    seller = seller_jp()
    assert seller.service_score == 70

    order = _ship(seller, paid_ago=timedelta(days=2, hours=23))

    assert _score(seller) == 71
    assert _history(seller) == [(R.SHIPPED_ON_TIME, 1, 71)]
    assert ServiceScoreChange.objects.get(user=seller).order_id == order.pk


def test_shipping_late_loses_one_point_up_to_two_days_and_two_beyond():
    seller = seller_jp()

    _ship(seller, paid_ago=timedelta(days=4, hours=12))  # 1.5 days late
    _ship(seller, paid_ago=timedelta(days=5, hours=12))  # 2.5 days late
    _ship(seller, paid_ago=timedelta(days=20))  # 17 days late: still −2
    _ship(seller, paid_ago=timedelta(days=1, hours=12), handling_days=1)  # 0.5 day late on a 1-day listing

    assert _history(seller) == [
        (R.SHIPPED_LATE_MINOR, -1, 69),
        (R.SHIPPED_LATE_MAJOR, -2, 67),
        (R.SHIPPED_LATE_MAJOR, -2, 65),
        (R.SHIPPED_LATE_MINOR, -1, 64),
    ]
    assert _score(seller) == 64


def test_a_seller_cancelling_loses_two_points_the_buyer_or_the_system_cancelling_costs_nothing():
    seller = seller_jp()
    by_seller = _paid(seller)
    by_buyer = _paid(seller)
    unpaid = order_placed(buyer=chinese_buyer(), listing=listing_jp(seller))

    flow.order_cancel(user=seller, order_id=by_seller.pk, reason="Broke it while packing")
    flow.order_cancel(user=by_buyer.buyer, order_id=by_buyer.pk)
    Order.objects.filter(pk=unpaid.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert flow.order_expire(order_id=unpaid.pk) is True

    assert _history(seller) == [(R.SELLER_CANCELLED, -2, 68)]
    assert ServiceScoreChange.objects.get(user=seller).order_id == by_seller.pk
    assert _score(seller) == 68


def test_refunding_everything_before_shipping_counts_as_the_seller_cancelling():
    from shiji.core.money import Money

    seller = seller_jp()
    order = _paid(seller)

    everything = Money(order.captured_minor, order.currency)
    flow.order_refund(user=seller, order_id=order.pk, amount=everything, reason="Sold out")

    assert _history(seller) == [(R.SELLER_CANCELLED, -2, 68)]


def test_at_most_three_on_time_points_a_utc_day_and_the_fourth_is_recorded_as_capped(monkeypatch):
    clock = {"now": timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)}
    monkeypatch.setattr("django.utils.timezone.now", lambda: clock["now"])
    seller = seller_jp()

    for _ in range(4):
        _ship(seller)
    clock["now"] += timedelta(hours=11, minutes=59)  # 23:59 the same UTC day
    _ship(seller)
    clock["now"] += timedelta(minutes=2)  # the next UTC day
    _ship(seller)
    _ship(seller, paid_ago=timedelta(days=4))  # late: not capped, never

    assert _history(seller) == [
        (R.SHIPPED_ON_TIME, 1, 71),
        (R.SHIPPED_ON_TIME, 1, 72),
        (R.SHIPPED_ON_TIME, 1, 73),
        (R.CAPPED, 0, 73),
        (R.CAPPED, 0, 73),
        (R.SHIPPED_ON_TIME, 1, 74),
        (R.SHIPPED_LATE_MINOR, -1, 73),
    ]


def test_the_score_is_bounded_between_0_and_100():
    top = seller_jp(service_score=100)
    _ship(top)
    assert _history(top) == [(R.SHIPPED_ON_TIME, 0, 100)]

    bottom = seller_jp(service_score=1)
    _ship(bottom, paid_ago=timedelta(days=10))
    flow.order_cancel(user=bottom, order_id=_paid(bottom).pk)
    assert _history(bottom) == [(R.SHIPPED_LATE_MAJOR, -1, 0), (R.SELLER_CANCELLED, 0, 0)]
    assert _score(bottom) == 0
    _ship(bottom)
    assert _score(bottom) == 1  # good work always brings it back


_EVENTS = st.lists(
    st.tuples(st.sampled_from([r for r in ScoreReason if r != R.CAPPED]), st.integers(min_value=0, max_value=3)),
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.integers(min_value=0, max_value=100), events=_EVENTS)
def test_any_sequence_of_events_keeps_the_score_in_bounds_and_the_history_consistent(start, events):
    user = UserFactory(service_score=start)
    base = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    # Events happen in time order (days generated at random, then sorted).
    for n, (reason, day) in enumerate(sorted(events, key=lambda event: event[1])):
        _score_apply(user_id=user.pk, order=None, reason=reason, now=base + timedelta(days=day, seconds=n))

    changes = list(ServiceScoreChange.objects.filter(user=user).order_by("created_at", "pk"))
    score = start
    on_time_per_day: dict[int, int] = {}
    for change in changes:
        assert 0 <= change.score_after <= 100
        assert change.delta == change.score_after - score
        assert -2 <= change.delta <= 1
        wanted = POINTS[change.reason]
        assert change.score_after == max(0, min(100, score + wanted))
        if change.reason == R.SHIPPED_ON_TIME:
            day = (change.created_at - base).days
            on_time_per_day[day] = on_time_per_day.get(day, 0) + change.delta
        score = change.score_after
    assert all(points <= 3 for points in on_time_per_day.values())
    assert _score(user) == score


# --- the badge and the commission --------------------------------------------------------------


@pytest.mark.parametrize(
    ("score_before", "score_at_completion", "commission_yen"),
    [(73, 74, 544), (74, 75, 408)],  # 8 % or 6 % of ¥6,800
)
def test_the_commission_drops_when_the_score_reaches_75(api_as, score_before, score_at_completion, commission_yen):
    seller = seller_jp(service_score=score_before)
    order = _ship(seller)  # on time: +1
    assert _score(seller) == score_at_completion
    revenue_before = balance(platform_account(Purpose.REVENUE), "JPY").minor

    assert api_as(order.buyer).post(f"/orders/{order.pk}/confirm").status_code == 200

    order.refresh_from_db()
    assert order.commission_minor == commission_yen
    assert balance(platform_account(Purpose.REVENUE), "JPY").minor - revenue_before == commission_yen
    available = ok(api_as(seller).get("/me/balances"))
    assert available == [{"currency": "JPY", "available": str(6800 - commission_yen), "pending": "0"}]
    reliable = score_at_completion >= 75
    assert ok(api_as(seller).get(f"/users/{seller.pk}"))["reliable"] is reliable
    assert ok(api_as(seller).get("/me/service-score"))["reliable"] is reliable


# --- what the seller and the public see --------------------------------------------------------


def test_the_seller_sees_the_score_history_with_a_reason_for_each_change(api, api_as):
    seller = seller_jp()
    on_time = _ship(seller)
    late = _ship(seller, paid_ago=timedelta(days=7))
    cancelled = _paid(seller)
    flow.order_cancel(user=seller, order_id=cancelled.pk)

    body = ok(api_as(seller).get("/me/service-score", headers={"Accept-Language": "en"}))

    assert (body["score"], body["reliable"], body["reliable_from"]) == (67, False, 75)
    assert [(h["reason"], h["delta"], h["score_after"], h["order"]) for h in body["history"]] == [
        ("seller_cancelled", -2, 67, cancelled.pk),
        ("shipped_late_major", -2, 69, late.pk),
        ("shipped_on_time", 1, 71, on_time.pk),
    ]
    assert body["history"][0]["reason_text"] == "Order cancelled by the seller"
    assert body["history"][0]["at"].endswith("Z")
    first = ok(api_as(seller).get("/me/service-score", {"limit": 2}))
    rest = ok(api_as(seller).get("/me/service-score", {"limit": 2, "cursor": first["next_cursor"]}))
    assert [h["order"] for h in first["history"] + rest["history"]] == [cancelled.pk, late.pk, on_time.pk]
    assert rest["next_cursor"] is None
    # Private to the seller: anyone else reads their own (empty) history, the public needs a token.
    assert ok(api_as(UserFactory()).get("/me/service-score"))["history"] == []
    assert api.get("/me/service-score").status_code == 401


def test_on_time_and_dispute_rates_on_the_reputation(api, api_as, monkeypatch):
    seller = seller_jp()
    assert ok(api.get(f"/users/{seller.pk}/reputation"))["on_time_rate"] is None
    assert ok(api.get(f"/users/{seller.pk}/reputation"))["dispute_rate"] == 0
    orders = [_ship(seller), _ship(seller), _ship(seller, paid_ago=timedelta(days=5))]
    for order in orders[:2]:
        assert api_as(order.buyer).post(f"/orders/{order.pk}/confirm").status_code == 200
    monkeypatch.setattr("shiji.disputes.selectors.disputes_lost_by_seller", lambda seller_id: 1)

    body = ok(api.get(f"/users/{seller.pk}/reputation"))

    assert (body["shipped"], body["on_time_rate"]) == (3, 0.6667)
    assert (body["completed_sales"], body["disputes_lost"], body["dispute_rate"]) == (2, 1, 0.5)
    assert body["service_score"] == 70 + 1 + 1 - 2
    profile = ok(api.get(f"/users/{seller.pk}"))
    assert (profile["on_time_rate"], profile["dispute_rate"]) == (0.6667, 0.5)


def test_the_score_page_shows_the_badge_the_rules_and_the_history(client):
    seller = seller_jp(service_score=74, language="en")
    _ship(seller)
    assert client.get("/my/score/").status_code == 302  # sign in first
    client.force_login(seller)

    page = client.get("/my/score/").content.decode()

    assert "Reliable seller" in page and "Shipped within the handling time" in page
    assert "+1" in page and "75" in page
    assert client.get("/my/score/?cursor=%%%").status_code == 200


def test_the_score_page_tells_how_far_the_badge_is(client):
    client.force_login(seller_jp(service_score=70, language="en"))

    page = client.get("/my/score/").content.decode()

    assert "5 more points and you reach 75" in page and "Reliable seller" not in page
    assert "No changes yet" in page

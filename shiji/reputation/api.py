"""HTTP API of reputation (API.md, Trust): reviews, reputation and the service score."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Status

from shiji.accounts.models import User
from shiji.accounts.selectors import user_get_public
from shiji.api.auth import AUTH, api_user
from shiji.api.openapi import errors
from shiji.api.pagination import paginate_by_id
from shiji.core.time import iso_utc
from shiji.orders.selectors import access_order
from shiji.reputation import selectors, services
from shiji.reputation.models import Review, ScoreReason, ServiceScoreChange
from shiji.reputation.schemas import (
    OrderReviewsOut,
    ReplyIn,
    ReputationOut,
    ReviewHideIn,
    ReviewIn,
    ReviewOut,
    ReviewPage,
    ServiceScoreOut,
)

router = Router(auth=AUTH)
staff_router = Router(auth=AUTH)


def review_out(review: Review, *, viewer: User | None = None) -> dict[str, Any]:
    """A review as the API shows it; callers pass only reviews ``viewer`` may see."""
    mine = viewer is not None and viewer.pk == review.author_id
    return {
        "id": review.pk,
        "order": review.order_id,
        "side": review.side,
        "author": {"id": review.author_id, "display_name": review.author.display_name},
        "subject": {"id": review.subject_id, "display_name": review.subject.display_name},
        "rating": review.rating,
        "text": review.text,
        "status": review.state,
        "created_at": iso_utc(review.created_at),
        "revealed_at": iso_utc(review.revealed_at),
        "reply": {"text": review.reply_text, "at": iso_utc(review.replied_at)} if review.replied_at else None,
        "hidden_reason": review.hidden_reason if review.hidden_at and mine else None,
    }


def reputation_out(user: User) -> dict[str, Any]:
    rep = selectors.reputation_for(user)
    return {
        "user": user.pk,
        "rating": rep.rating.as_dict(),
        "rating_as_seller": rep.as_seller.as_dict(),
        "rating_as_buyer": rep.as_buyer.as_dict(),
        "completed_sales": rep.completed_sales,
        "shipped": rep.shipped,
        "on_time_rate": float(rep.on_time_rate) if rep.on_time_rate is not None else None,
        "disputes_lost": rep.disputes_lost,
        "dispute_rate": float(rep.dispute_rate),
        "service_score": rep.service_score,
        "reliable": rep.reliable,
    }


def score_change_out(change: ServiceScoreChange) -> dict[str, Any]:
    return {
        "at": iso_utc(change.created_at),
        "delta": change.delta,
        "score_after": change.score_after,
        "reason": change.reason,
        "reason_text": str(ScoreReason(change.reason).label),
        "order": change.order_id,
    }


@router.post("/orders/{order_id}/review", response={201: ReviewOut, **errors(403, 404, 409)})
def review_create(request: HttpRequest, order_id: str, payload: ReviewIn) -> Status[Any]:
    """Buyer or seller, once each, within 14 days of completion. Sealed until the other side
    has written theirs or the window has closed."""
    user = api_user(request)
    review = services.review_create(author=user, order_id=order_id, rating=payload.rating, text=payload.text)
    return Status(201, review_out(review, viewer=user))


@router.get("/orders/{order_id}/reviews", response={200: OrderReviewsOut, **errors(404)})
def order_reviews(request: HttpRequest, order_id: str) -> dict[str, Any]:
    """The reviews of an order that the viewer may see: their own (even sealed) and the other
    side's once revealed."""
    user = api_user(request)
    order = access_order(user=user, order_id=order_id)
    panel = selectors.review_panel_for(viewer=user, order=order)
    return {
        "items": [review_out(review, viewer=user) for review in panel.visible],
        "can_review": panel.can_write,
        "review_window_closes_at": iso_utc(panel.closes_at),
    }


@router.get("/users/{user_id}/reviews", auth=None, response={200: ReviewPage, **errors(404)})
def user_reviews(
    request: HttpRequest,
    user_id: str,
    role: Literal["seller", "buyer"] | None = None,
    cursor: str | None = None,
    limit: int | None = Query(None),
) -> dict[str, Any]:
    """Only revealed, not hidden reviews the user received (``role``: as a seller or a buyer)."""
    user = user_get_public(user_id=user_id)
    page = paginate_by_id(selectors.reviews_public(user_id=user.pk, role=role), cursor=cursor, limit=limit)
    return {
        "items": [review_out(review) for review in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get("/users/{user_id}/reputation", auth=None, response={200: ReputationOut, **errors(404)})
def user_reputation(request: HttpRequest, user_id: str) -> dict[str, Any]:
    return reputation_out(user_get_public(user_id=user_id))


@router.post("/reviews/{review_id}/reply", response={200: ReviewOut, **errors(403, 404, 409)})
def review_reply(request: HttpRequest, review_id: str, payload: ReplyIn) -> dict[str, Any]:
    """The reviewed person, once, after the review is revealed."""
    user = api_user(request)
    return review_out(services.review_reply(user=user, review_id=review_id, text=payload.text), viewer=user)


@router.get("/me/service-score", response=ServiceScoreOut)
def my_service_score(
    request: HttpRequest, cursor: str | None = None, limit: int | None = Query(None)
) -> dict[str, Any]:
    """The score, the badge and every change with its reason, newest first."""
    user = User.objects.get(pk=api_user(request).pk)  # fresh: the score may have moved meanwhile
    page = paginate_by_id(selectors.service_score_history(user=user), cursor=cursor, limit=limit)
    return {
        "score": user.service_score,
        "reliable": user.reliable,
        "reliable_from": settings.SHIJI_RELIABLE_SCORE,
        "history": [score_change_out(change) for change in page.items],
        "next_cursor": page.next_cursor,
    }


@staff_router.get("/reviews/{review_id}", response={200: ReviewOut, **errors(403, 404)})
def staff_review_get(request: HttpRequest, review_id: str) -> dict[str, Any]:
    """Moderators: a revealed review (hidden or not). Sealed reviews do not exist for staff."""
    review = selectors.access_review_for_moderator(moderator=api_user(request), review_id=review_id)
    return {**review_out(review), "hidden_reason": review.hidden_reason or None}


@staff_router.post("/reviews/{review_id}/hide", response={200: ReviewOut, **errors(403, 404, 409)})
def staff_review_hide(request: HttpRequest, review_id: str, payload: ReviewHideIn) -> dict[str, Any]:
    """Moderators: hide a revealed review, with a reason (audited)."""
    review = services.review_hide(moderator=api_user(request), review_id=review_id, reason=payload.reason)
    return {**review_out(review), "hidden_reason": review.hidden_reason}


@staff_router.post("/reviews/{review_id}/unhide", response={200: ReviewOut, **errors(403, 404, 409)})
def staff_review_unhide(request: HttpRequest, review_id: str, payload: ReviewHideIn) -> dict[str, Any]:
    """Moderators: show a hidden review again, with a reason (audited)."""
    review = services.review_unhide(moderator=api_user(request), review_id=review_id, reason=payload.reason)
    return review_out(review)

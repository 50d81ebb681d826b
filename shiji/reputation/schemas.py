"""Schemas of the reputation API (API.md "Trust")."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class ReviewIn(Schema):
    rating: int = Field(ge=1, le=5, strict=True)
    text: str = Field(min_length=1, max_length=2000)


class ReplyIn(Schema):
    text: str = Field(min_length=1, max_length=2000)


class ReviewHideIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class PersonOut(Schema):
    id: str
    display_name: str


class ReplyOut(Schema):
    text: str
    at: str


class ReviewOut(Schema):
    id: str
    order: str
    side: str  # buyer_to_seller | seller_to_buyer
    author: PersonOut
    subject: PersonOut
    rating: int
    text: str
    status: str  # waiting (sealed, only its author sees it) | revealed | hidden
    created_at: str
    revealed_at: str | None
    reply: ReplyOut | None
    hidden_reason: str | None


class ReviewPage(Schema):
    items: list[ReviewOut]
    next_cursor: str | None


class OrderReviewsOut(Schema):
    items: list[ReviewOut]
    can_review: bool
    review_window_closes_at: str | None


class RatingOut(Schema):
    average: float | None
    count: int


class ReputationOut(Schema):
    user: str
    rating: RatingOut
    rating_as_seller: RatingOut
    rating_as_buyer: RatingOut
    completed_sales: int
    shipped: int
    on_time_rate: float | None
    disputes_lost: int
    dispute_rate: float
    service_score: int
    reliable: bool


class ScoreChangeOut(Schema):
    at: str
    delta: int
    score_after: int
    reason: str
    reason_text: str
    order: str | None


class ServiceScoreOut(Schema):
    score: int
    reliable: bool
    reliable_from: int
    history: list[ScoreChangeOut]
    next_cursor: str | None

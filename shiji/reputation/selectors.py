"""Reads of reputation. A sealed review (not revealed yet) is seen by its author only — every
read below goes through ``reviews_public`` or ``review_visible_to``, which enforce that."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.accounts.roles import Role, require_role
from shiji.accounts.selectors import rating_average, user_rating_average
from shiji.core.errors import NotFound
from shiji.orders.models import Order
from shiji.orders.states import OrderStatus
from shiji.reputation.models import SHIPPING_REASONS, Review, ReviewSide, ReviewState, ScoreReason, ServiceScoreChange
from shiji.reputation.services import review_window_closes_at

ROLE_SIDES = {"seller": ReviewSide.BUYER_TO_SELLER, "buyer": ReviewSide.SELLER_TO_BUYER}


@dataclass(frozen=True)
class Rating:
    average: Decimal | None
    count: int

    def as_dict(self) -> dict[str, float | int | None]:
        """The API's ``{average, count}`` (average a number with 2 decimals, or null)."""
        return {"average": float(self.average) if self.average is not None else None, "count": self.count}


@dataclass(frozen=True)
class Reputation:
    rating: Rating  # over every visible review received (the denormalised User counters)
    as_seller: Rating  # received from buyers
    as_buyer: Rating  # received from sellers
    completed_sales: int
    shipped: int
    shipped_on_time: int
    on_time_rate: Decimal | None  # None until something shipped
    disputes_lost: int
    dispute_rate: Decimal  # 0 when there are no completed sales
    service_score: int
    reliable: bool


def _ratio(part: int, whole: int) -> Decimal:
    return (Decimal(part) / whole).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)


def reviews_public(*, user_id: str, role: str | None = None) -> QuerySet[Review]:
    """Revealed, not hidden reviews ``user_id`` received (as a seller, a buyer, or both)."""
    queryset = Review.objects.filter(subject_id=user_id, revealed_at__isnull=False, hidden_at__isnull=True)
    if role in ROLE_SIDES:
        queryset = queryset.filter(side=ROLE_SIDES[role])
    return queryset.select_related("author", "subject")


def review_visible_to(review: Review, viewer: User | None) -> bool:
    """The author always sees their own review (sealed or hidden); everyone else only once it is
    revealed and not hidden. Staff get no exception for sealed reviews."""
    if viewer is not None and review.author_id == viewer.pk:
        return True
    return review.state == ReviewState.REVEALED


def reviews_of_order_for(*, viewer: User, order: Order) -> list[Review]:
    """The reviews of ``order`` that ``viewer`` may see (the caller checked access to the order)."""
    reviews = Review.objects.filter(order=order).select_related("author", "subject").order_by("created_at")
    return [review for review in reviews if review_visible_to(review, viewer)]


def access_review_for_moderator(*, moderator: User, review_id: str) -> Review:
    """A revealed review (hidden or not) for a moderator; a sealed one does not exist for staff."""
    require_role(moderator, Role.MODERATOR)
    review = (
        Review.objects.select_related("author", "subject", "order").filter(pk=review_id, revealed_at__isnull=False)
    ).first()
    if review is None:
        raise NotFound(_("No such review."))
    return review


def ratings_by_side(user_id: str) -> dict[str, Rating]:
    rows = (
        Review.objects.filter(subject_id=user_id, revealed_at__isnull=False, hidden_at__isnull=True)
        .values("side")
        .annotate(count=Count("pk"), total=Sum("rating"))
    )
    found = {row["side"]: Rating(rating_average(row["total"] or 0, row["count"]), row["count"]) for row in rows}
    empty = Rating(None, 0)
    return {
        "seller": found.get(ReviewSide.BUYER_TO_SELLER, empty),
        "buyer": found.get(ReviewSide.SELLER_TO_BUYER, empty),
    }


def shipping_counts(user_id: str) -> tuple[int, int]:
    """(shipped, shipped on time) — each shipped order is classified once, when it ships, in the
    service-score history (on time = shipped by paid_at + handling days)."""
    counts = ServiceScoreChange.objects.filter(user_id=user_id, reason__in=SHIPPING_REASONS).aggregate(
        shipped=Count("pk"),
        on_time=Count("pk", filter=Q(reason__in=(ScoreReason.SHIPPED_ON_TIME, ScoreReason.CAPPED))),
    )
    return counts["shipped"], counts["on_time"]


def reputation_for(user: User) -> Reputation:
    from shiji.disputes.selectors import disputes_lost_by_seller

    sides = ratings_by_side(user.pk)
    shipped, on_time = shipping_counts(user.pk)
    lost = disputes_lost_by_seller(user.pk)
    sales = user.completed_sales
    return Reputation(
        rating=Rating(user_rating_average(user), user.rating_count),
        as_seller=sides["seller"],
        as_buyer=sides["buyer"],
        completed_sales=sales,
        shipped=shipped,
        shipped_on_time=on_time,
        on_time_rate=_ratio(on_time, shipped) if shipped else None,
        disputes_lost=lost,
        # A lost dispute usually ends in a refund, not a completed sale: the rate is capped at 1.
        dispute_rate=min(Decimal(1), _ratio(lost, sales)) if sales else Decimal(0),
        service_score=user.service_score,
        reliable=user.reliable,
    )


def service_score_history(*, user: User) -> QuerySet[ServiceScoreChange]:
    return ServiceScoreChange.objects.filter(user=user)


@dataclass(frozen=True)
class ReviewPanel:
    """What the order page shows of the reviews to ``viewer``."""

    is_party: bool
    can_write: bool
    closes_at: datetime | None
    mine: Review | None
    theirs: Review | None  # the other side's review, only once revealed and not hidden
    visible: list[Review]  # every review of the order the viewer may see, oldest first
    waiting: bool  # my review is sealed until the other side writes or the window closes
    can_reply: bool


def review_panel_for(*, viewer: User, order: Order) -> ReviewPanel:
    visible = reviews_of_order_for(viewer=viewer, order=order)
    is_party = viewer.pk in (order.buyer_id, order.seller_id)
    mine = next((r for r in visible if r.author_id == viewer.pk), None)
    theirs = next((r for r in visible if r.author_id != viewer.pk), None) if is_party else None
    closes = review_window_closes_at(order)
    open_window = order.status == OrderStatus.COMPLETED and closes is not None and timezone.now() < closes
    return ReviewPanel(
        is_party=is_party,
        can_write=is_party and open_window and mine is None,
        closes_at=closes if open_window else None,
        mine=mine,
        theirs=theirs,
        visible=visible,
        waiting=mine is not None and mine.revealed_at is None,
        can_reply=theirs is not None and theirs.subject_id == viewer.pk and theirs.replied_at is None,
    )


def access_review(*, user: User, review_id: str) -> Review:
    """A review ``user`` may see (their own, or a revealed and not hidden one); else not found."""
    review = Review.objects.select_related("author", "subject", "order").filter(pk=review_id).first()
    if review is None or not review_visible_to(review, user):
        raise NotFound(_("No such review."))
    return review

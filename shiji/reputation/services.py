"""Writes of reputation: double-blind reviews (write, reveal, reply, hide) and the seller's
service score. Rules and formulas: docs/domains/reputation.md."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.accounts.roles import Role, require_role
from shiji.accounts.services import user_rating_adjust, user_set_service_score
from shiji.core.audit import audit_record
from shiji.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from shiji.notifications.services import notify
from shiji.orders.models import Order
from shiji.orders.selectors import access_order
from shiji.orders.states import OrderStatus
from shiji.reputation.errors import AlreadyReplied, AlreadyReviewed
from shiji.reputation.models import Review, ReviewEvent, ReviewSide, ReviewState, ScoreReason, ServiceScoreChange

REVIEW_WINDOW = timedelta(days=14)
TEXT_MAX = 2000  # a review, a reply, and a moderator's reason (as in shiji.moderation)
SCORE_MIN, SCORE_MAX = 0, 100
ON_TIME_DAILY_CAP = 3
LATE_MINOR_MAX_DAYS = 2
POINTS: dict[str, int] = {
    ScoreReason.SHIPPED_ON_TIME: +1,
    ScoreReason.SHIPPED_LATE_MINOR: -1,
    ScoreReason.SHIPPED_LATE_MAJOR: -2,
    ScoreReason.SELLER_CANCELLED: -2,
    ScoreReason.CAPPED: 0,
}


# --- reviews ---------------------------------------------------------------------------------


def review_window_closes_at(order: Order) -> datetime | None:
    """The end of the 14 days after completion in which both sides may review."""
    return order.completed_at + REVIEW_WINDOW if order.completed_at else None


def _clean_text(value: object, *, field: str, required_message: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(required_message, fields={field: [_("Required.")]})
    if len(text) > TEXT_MAX:
        too_long = _("At most %(max)d characters.") % {"max": TEXT_MAX}
        raise InvalidInput(too_long, fields={field: [too_long]})
    return text


def _clean_rating(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidInput(_("Give a rating from 1 to 5 stars."), fields={"rating": [_("From 1 to 5.")]})
    return value


def _item_title(order: Order, user: User) -> str:
    titles: dict[str, str] = order.listing.title or {}
    return titles.get(user.language) or titles.get(order.listing.original_language) or next(iter(titles.values()), "")


def _reveal(order: Order, reviews: Iterable[Review], *, note: str) -> list[Review]:
    """Unseal ``reviews`` of the locked ``order``: they count from now on; both sides are told."""
    now = timezone.now()
    revealed = []
    for review in reviews:
        if Review.objects.filter(pk=review.pk, revealed_at__isnull=True).update(revealed_at=now) != 1:
            continue
        review.revealed_at = now
        ReviewEvent.objects.create(
            subject=review, from_state=ReviewState.WAITING, to_state=ReviewState.REVEALED, note=note
        )
        user_rating_adjust(user_id=review.subject_id, count=1, total=review.rating)
        revealed.append(review)
    if revealed:
        for user in (order.buyer, order.seller):
            notify(
                user_id=user.pk,
                kind="review.revealed",
                subject_type="order",
                subject_id=order.pk,
                data={"item": _item_title(order, user)[:120]},
            )
    return revealed


def review_create(*, author: User, order_id: str, rating: object, text: object) -> Review:
    """The buyer or the seller reviews the other side of a completed order, once, within 14
    days of completion. The second review of an order reveals both in the same transaction: the
    order row is locked, so two people writing at once cannot both miss each other."""
    order = access_order(user=author, order_id=order_id)  # anyone else: not found
    if author.pk not in (order.buyer_id, order.seller_id):
        raise Forbidden(_("Only the buyer or the seller can review this order."))
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("listing", "buyer", "seller").get(pk=order_id)
        if order.status != OrderStatus.COMPLETED or order.completed_at is None:
            raise InvalidState(_("You can review an order once it is completed."))
        closes = review_window_closes_at(order)
        if closes is not None and timezone.now() >= closes:
            raise InvalidState(_("The 14 days for reviewing this order are over."))
        if Review.objects.filter(order=order, author=author).exists():
            raise AlreadyReviewed()
        clean_rating = _clean_rating(rating)
        clean_text = _clean_text(text, field="text", required_message=_("Write a few words about the exchange."))
        by_buyer = author.pk == order.buyer_id
        review = Review.objects.create(
            order=order,
            author=author,
            subject_id=order.seller_id if by_buyer else order.buyer_id,
            side=ReviewSide.BUYER_TO_SELLER if by_buyer else ReviewSide.SELLER_TO_BUYER,
            rating=clean_rating,
            text=clean_text,
        )
        ReviewEvent.objects.create(subject=review, actor=author, from_state="", to_state=ReviewState.WAITING)
        other = Review.objects.filter(order=order, revealed_at__isnull=True).exclude(pk=review.pk).first()
        if other is not None:
            _reveal(order, [other, review], note=_("Both sides have written their review."))
    return review


def review_reveal_order(*, order_id: str, now: datetime | None = None) -> int:
    """Reveal the sealed reviews of an order whose review window has closed (the periodic job).
    Returns how many were revealed; 0 when the window is still open or nothing is sealed."""
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("listing", "buyer", "seller").get(pk=order_id)
        closes = review_window_closes_at(order)
        if closes is None or closes > now:
            return 0
        sealed = list(Review.objects.filter(order=order, revealed_at__isnull=True).order_by("created_at"))
        return len(_reveal(order, sealed, note=_("The review window has closed.")))


def reviews_reveal_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Reveal every sealed review whose 14-day window has closed."""
    now = now or timezone.now()
    order_ids = list(
        Review.objects.filter(revealed_at__isnull=True, order__completed_at__lte=now - REVIEW_WINDOW)
        .values_list("order_id", flat=True)
        .distinct()[:limit]
    )
    return sum(review_reveal_order(order_id=order_id, now=now) for order_id in order_ids)


def review_reply(*, user: User, review_id: str, text: object) -> Review:
    """The reviewed person answers a revealed review, once, publicly."""
    with transaction.atomic():
        review = Review.objects.select_for_update().filter(pk=review_id).first()
        if review is None or (review.state != ReviewState.REVEALED and review.author_id != user.pk):
            raise NotFound(_("No such review."))
        if review.subject_id != user.pk:
            raise Forbidden(_("Only the reviewed person can reply to a review."))
        if review.replied_at is not None:
            raise AlreadyReplied()
        clean = _clean_text(text, field="text", required_message=_("Write your reply."))
        now = timezone.now()
        if Review.objects.filter(pk=review.pk, replied_at__isnull=True).update(reply_text=clean, replied_at=now) != 1:
            raise AlreadyReplied()
        review.reply_text, review.replied_at = clean, now
        ReviewEvent.objects.create(
            subject=review, actor=user, from_state=review.state, to_state=review.state, note=_("Replied.")
        )
    return review


def _review_for_moderator(moderator: User, review_id: str, reason: object) -> tuple[Review, str]:
    require_role(moderator, Role.MODERATOR)
    clean = _clean_text(reason, field="reason", required_message=_("Say why."))
    review = Review.objects.select_for_update().filter(pk=review_id).first()
    # A sealed review is invisible to staff too: for them it does not exist yet.
    if review is None or review.revealed_at is None:
        raise NotFound(_("No such review."))
    return review, clean


def review_hide(*, moderator: User, review_id: str, reason: object) -> Review:
    """A moderator hides a revealed review (it leaves every public list and the rating)."""
    with transaction.atomic():
        review, clean = _review_for_moderator(moderator, review_id, reason)
        if review.hidden_at is not None:
            raise InvalidState(_("This review is already hidden."))
        now = timezone.now()
        Review.objects.filter(pk=review.pk).update(hidden_at=now, hidden_reason=clean, hidden_by=moderator)
        review.hidden_at, review.hidden_reason, review.hidden_by = now, clean, moderator
        ReviewEvent.objects.create(
            subject=review, actor=moderator, from_state=ReviewState.REVEALED, to_state=ReviewState.HIDDEN, note=clean
        )
        user_rating_adjust(user_id=review.subject_id, count=-1, total=-review.rating)
        audit_record(action="review.hide", actor=moderator, target=review, data={"reason": clean})
    return review


def review_unhide(*, moderator: User, review_id: str, reason: object) -> Review:
    """A moderator shows a hidden review again (it counts in the rating again)."""
    with transaction.atomic():
        review, clean = _review_for_moderator(moderator, review_id, reason)
        if review.hidden_at is None:
            raise InvalidState(_("This review is not hidden."))
        Review.objects.filter(pk=review.pk).update(hidden_at=None, hidden_reason="", hidden_by=None)
        review.hidden_at, review.hidden_reason, review.hidden_by = None, "", None
        ReviewEvent.objects.create(
            subject=review, actor=moderator, from_state=ReviewState.HIDDEN, to_state=ReviewState.REVEALED, note=clean
        )
        user_rating_adjust(user_id=review.subject_id, count=1, total=review.rating)
        audit_record(action="review.unhide", actor=moderator, target=review, data={"reason": clean})
    return review


# --- service score ---------------------------------------------------------------------------


def shipping_reason(*, paid_at: datetime, shipped_at: datetime, handling_days: int) -> str:
    """On time when shipped by ``paid_at + handling_days``; otherwise late by whole days begun
    (``ceil``): up to 2 days is a minor lateness, beyond a major one."""
    late = shipped_at - (paid_at + timedelta(days=handling_days))
    if late <= timedelta(0):
        return ScoreReason.SHIPPED_ON_TIME
    days_late = math.ceil(late / timedelta(days=1))
    return ScoreReason.SHIPPED_LATE_MINOR if days_late <= LATE_MINOR_MAX_DAYS else ScoreReason.SHIPPED_LATE_MAJOR


def _utc_day(at: datetime) -> tuple[datetime, datetime]:
    start = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def _score_apply(
    *, user_id: str, order: Order | None, reason: str, now: datetime | None = None
) -> ServiceScoreChange | None:
    """Move the score of ``user_id`` for one event, under a lock of the user's row; record the
    points actually applied (after the daily cap and the 0–100 bounds) and the score after."""
    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().only("pk", "service_score").get(pk=user_id)
        if order is not None and ServiceScoreChange.objects.filter(order=order).exists():
            return None  # an order moves the score once
        if reason == ScoreReason.SHIPPED_ON_TIME:
            start, end = _utc_day(now)
            given = (
                ServiceScoreChange.objects.filter(
                    user_id=user_id, reason=ScoreReason.SHIPPED_ON_TIME, created_at__gte=start, created_at__lt=end
                ).aggregate(total=Sum("delta"))["total"]
                or 0
            )
            if given >= ON_TIME_DAILY_CAP:
                reason = ScoreReason.CAPPED
        before = user.service_score
        after = max(SCORE_MIN, min(SCORE_MAX, before + POINTS[reason]))
        if after != before:
            user_set_service_score(user_id=user_id, score=after)
        return ServiceScoreChange.objects.create(
            user_id=user_id, order=order, delta=after - before, score_after=after, reason=reason, created_at=now
        )


def service_score_order_shipped(*, order: Order) -> ServiceScoreChange | None:
    """The seller shipped: +1 on time (at most 3 a day), −1 up to 2 days late, −2 beyond."""
    if order.paid_at is None or order.shipped_at is None:
        return None
    reason = shipping_reason(
        paid_at=order.paid_at, shipped_at=order.shipped_at, handling_days=order.listing.handling_days
    )
    return _score_apply(user_id=order.seller_id, order=order, reason=reason)


def service_score_order_cancelled(*, order: Order, by: str) -> ServiceScoreChange | None:
    """A cancellation the seller caused costs them 2 points; the buyer's or the system's costs
    the seller nothing."""
    if by != "seller":
        return None
    return _score_apply(user_id=order.seller_id, order=order, reason=ScoreReason.SELLER_CANCELLED)

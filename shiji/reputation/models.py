"""Double-blind reviews, the public reputation and the seller's service score.

A review stays sealed (``revealed_at`` null) until the other side has written theirs or the
14-day window after completion has closed; only then does anyone but its author see it, and only
then does it count in the reviewed person's rating. See docs/domains/reputation.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shiji.core.ids import OpaqueIdField
from shiji.core.models import StateEvent


class ReviewSide(models.TextChoices):
    BUYER_TO_SELLER = "buyer_to_seller", _("The buyer reviews the seller")
    SELLER_TO_BUYER = "seller_to_buyer", _("The seller reviews the buyer")


class ReviewState(models.TextChoices):
    """Derived from the timestamps; recorded in ``ReviewEvent`` rows."""

    WAITING = "waiting", _("Waiting for the other side")
    REVEALED = "revealed", _("Visible")
    HIDDEN = "hidden", _("Hidden by a moderator")


class Review(models.Model):
    id = OpaqueIdField(prefix="rev")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_written")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_received")
    side = models.CharField(max_length=20, choices=ReviewSide.choices)
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    revealed_at = models.DateTimeField(null=True, blank=True)
    reply_text = models.TextField(blank=True, max_length=2000)
    replied_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "author"], name="review_once_per_side"),
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
            models.CheckConstraint(
                condition=models.Q(hidden_at__isnull=True) | models.Q(revealed_at__isnull=False),
                name="review_hidden_only_once_revealed",
            ),
        ]
        indexes = [
            models.Index(fields=["subject", "revealed_at"]),
            models.Index(fields=["revealed_at", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.rating}/5 on {self.order_id}"

    @property
    def state(self) -> str:
        if self.revealed_at is None:
            return ReviewState.WAITING
        if self.hidden_at is not None:
            return ReviewState.HIDDEN
        return ReviewState.REVEALED


class ReviewEvent(StateEvent):
    """Written, revealed, replied to, hidden, shown again."""

    subject = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")


class ScoreReason(models.TextChoices):
    SHIPPED_ON_TIME = "shipped_on_time", _("Shipped within the handling time")
    SHIPPED_LATE_MINOR = "shipped_late_minor", _("Shipped up to 2 days late")
    SHIPPED_LATE_MAJOR = "shipped_late_major", _("Shipped more than 2 days late")
    SELLER_CANCELLED = "seller_cancelled", _("Order cancelled by the seller")
    CAPPED = "capped", _("Shipped on time, but today's 3 points were already earned")


# Reasons that record one shipped order (on time or late): the on-time rate counts them.
SHIPPING_REASONS = (
    ScoreReason.SHIPPED_ON_TIME,
    ScoreReason.SHIPPED_LATE_MINOR,
    ScoreReason.SHIPPED_LATE_MAJOR,
    ScoreReason.CAPPED,
)


class ServiceScoreChange(models.Model):
    """One line of a seller's service-score history: what happened, how many points it moved the
    score (after the 0–100 bounds and the daily cap), and the score after it. Append-only."""

    id = OpaqueIdField(prefix="ssc")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="score_changes")
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="score_changes"
    )
    delta = models.SmallIntegerField()
    score_after = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=32, choices=ScoreReason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # An order moves its seller's score once: shipped (on time, late, capped) or cancelled.
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(order__isnull=False), name="service_score_once_per_order"
            ),
            models.CheckConstraint(condition=models.Q(score_after__lte=100), name="service_score_after_lte_100"),
            models.CheckConstraint(condition=models.Q(delta__gte=-2, delta__lte=1), name="service_score_delta_bounds"),
        ]
        indexes = [models.Index(fields=["user", "reason", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.delta:+d} → {self.score_after} ({self.reason})"

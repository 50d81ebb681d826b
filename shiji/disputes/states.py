"""The dispute lifecycle (docs/domains/disputes.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DisputeReason(models.TextChoices):
    NOT_RECEIVED = "not_received", _("Not received")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    COUNTERFEIT = "counterfeit", _("Counterfeit")
    DAMAGED = "damaged", _("Damaged")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the seller")
    OFFERED = "offered", _("Offer made")
    RETURN_PENDING = "return_pending", _("Waiting for the return")
    RETURN_SHIPPED = "return_shipped", _("Return on its way")
    ESCALATED = "escalated", _("With an arbitrator")
    SETTLED = "settled", _("Settled")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Outcome(models.TextChoices):
    REFUND_FULL = "refund_full", _("Full refund")
    REFUND_PARTIAL = "refund_partial", _("Partial refund")
    RELEASE = "release", _("Payment released to the seller")


S = DisputeStatus
TRANSITIONS: dict[str, set[str]] = {
    S.OPEN: {S.OFFERED, S.ESCALATED, S.WITHDRAWN},
    # The seller may improve an offer the buyer has not answered yet.
    S.OFFERED: {S.OFFERED, S.RETURN_PENDING, S.SETTLED, S.ESCALATED, S.WITHDRAWN},
    S.RETURN_PENDING: {S.RETURN_SHIPPED, S.ESCALATED, S.WITHDRAWN},
    S.RETURN_SHIPPED: {S.SETTLED, S.ESCALATED},
    S.ESCALATED: {S.DECIDED, S.WITHDRAWN},
    S.SETTLED: set(),
    S.DECIDED: set(),
    S.WITHDRAWN: set(),
}
ACTIVE_STATUSES = (S.OPEN, S.OFFERED, S.RETURN_PENDING, S.RETURN_SHIPPED, S.ESCALATED)
ESCALATABLE_STATUSES = (S.OPEN, S.OFFERED, S.RETURN_PENDING, S.RETURN_SHIPPED)
# The seller makes or improves an offer until the buyer accepts it or an arbitrator takes over.
OFFERABLE_STATUSES = (S.OPEN, S.OFFERED)
# Once the return parcel is on its way the buyer no longer withdraws.
WITHDRAWABLE_STATUSES = (S.OPEN, S.OFFERED, S.RETURN_PENDING, S.ESCALATED)
CLOSED_STATUSES = (S.SETTLED, S.DECIDED, S.WITHDRAWN)

"""Reads of disputes: who may see one, the staff queue, and what reputation counts."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.accounts.roles import Role, require_role, user_has_role
from shiji.core.errors import NotFound
from shiji.core.money import Money
from shiji.disputes.models import Dispute, Evidence
from shiji.disputes.states import ACTIVE_STATUSES, DisputeStatus, Outcome


def disputes_lost_by_seller(seller_id: str) -> int:
    """Disputes decided for the buyer: an arbitrator's full or partial refund, or the seller's
    silence (decided as a full refund by the platform). Settled offers are not lost."""
    return Dispute.objects.filter(
        seller_id=seller_id,
        status=DisputeStatus.DECIDED,
        outcome__in=(Outcome.REFUND_FULL, Outcome.REFUND_PARTIAL),
    ).count()


def party_of(dispute: Dispute, user: User) -> str | None:
    """``buyer``, ``seller``, ``arbitrator`` or None for anyone else."""
    if user.pk == dispute.buyer_id:
        return "buyer"
    if user.pk == dispute.seller_id:
        return "seller"
    if user_has_role(user, Role.ARBITRATOR):
        return "arbitrator"
    return None


def access_dispute(*, user: User, dispute_id: str) -> Dispute:
    """The buyer, the seller and arbitrators; anyone else gets 'not found'."""
    dispute = Dispute.objects.select_related("order", "buyer", "seller", "order__listing").filter(pk=dispute_id).first()
    if dispute is None or party_of(dispute, user) is None:
        raise NotFound(_("No such dispute."))
    return dispute


def dispute_for_order(*, user: User, order_id: str) -> Dispute:
    """The order's dispute for those who may see it. Anyone else gets the very answer an order
    without a dispute (or no order at all) gets: whether a stranger's order is disputed is not
    theirs to learn."""
    dispute = Dispute.objects.filter(order_id=order_id).values_list("pk", flat=True).first()
    try:
        return access_dispute(user=user, dispute_id=dispute or "")
    except NotFound:
        raise NotFound(_("No dispute for this order.")) from None


def dispute_of_order(order_id: str) -> Dispute | None:
    """For the order page (the caller already may see the order)."""
    return Dispute.objects.filter(order_id=order_id).first()


def access_evidence(*, user: User, dispute_id: str, evidence_id: str) -> Evidence:
    dispute = access_dispute(user=user, dispute_id=dispute_id)
    evidence = Evidence.objects.filter(pk=evidence_id, dispute=dispute).first()
    if evidence is None:
        raise NotFound(_("No such photo."))
    # A photo not yet sent with a message is its uploader's draft.
    if evidence.message_id is None and evidence.uploaded_by_id != user.pk:
        raise NotFound(_("No such photo."))
    return evidence


def staff_disputes(*, staff: User, status: str | None = None) -> QuerySet[Dispute]:
    """Arbitrators: disputes by deadline, soonest first (those without one last). Default:
    escalated ones, which wait for a decision."""
    require_role(staff, Role.ARBITRATOR)
    queryset = Dispute.objects.select_related("order", "buyer", "seller")
    if status == "active":
        queryset = queryset.filter(status__in=ACTIVE_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.filter(status=DisputeStatus.ESCALATED)
    return queryset.order_by(F("deadline_at").asc(nulls_last=True), "created_at", "id")


def disputes_due(*, statuses: tuple[str, ...], before: datetime, limit: int = 500) -> list[str]:
    return list(
        Dispute.objects.filter(status__in=statuses, deadline_at__lte=before)
        .order_by("deadline_at")
        .values_list("id", flat=True)[:limit]
    )


def resolution_text(dispute: Dispute) -> str:
    """Why the dispute ended, in the reader's language. A deadline the platform applied (seller
    silence, an unconfirmed return) is worded at display time; an arbitrator's or a party's
    reason is shown as they wrote it."""
    if dispute.decided_by_id is None and dispute.escalated_by == "system" and dispute.status == DisputeStatus.DECIDED:
        days = max(1, round((dispute.answer_due_at - dispute.created_at).total_seconds() / 86400))
        return _("The seller did not answer within %(days)s days.") % {"days": days}
    if (
        dispute.status == DisputeStatus.SETTLED
        and dispute.return_shipped_at is not None
        and dispute.return_received_at is None
        and dispute.refund_minor
    ):
        return _("The seller did not confirm the return in time; %(amount)s refunded.") % {
            "amount": Money(dispute.refund_minor, dispute.currency)
        }
    return dispute.resolution_reason

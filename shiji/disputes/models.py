"""Disputes and arbitration: reasons, evidence, the seller's answer, offers, returns and the arbitrator's decision.

One dispute per order. Amounts are integer minor units in the order's (buyer's) currency.
``deadline_at`` is whatever is due next (the seller's answer, the seller's confirmation of a
returned parcel, the arbitrator's decision): the staff queue and the timed job read it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from shiji.core.ids import OpaqueIdField
from shiji.core.models import StateEvent
from shiji.core.storage import private_storage
from shiji.disputes.states import DisputeReason, DisputeStatus, Outcome


class Dispute(models.Model):
    id = OpaqueIdField(prefix="dsp")
    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="dispute")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disputes_opened")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disputes_received")
    reason = models.CharField(max_length=20, choices=DisputeReason.choices)
    description = models.TextField()
    status = models.CharField(max_length=20, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(default=timezone.now)
    # The seller's first answer (a message or an offer) stops the silence clock.
    answer_due_at = models.DateTimeField()
    seller_answered_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The seller's current offer.
    offer_refund_minor = models.BigIntegerField(null=True, blank=True)
    offer_return_required = models.BooleanField(default=False)
    offered_at = models.DateTimeField(null=True, blank=True)
    # The return parcel (when the accepted offer asks for the item back).
    return_carrier = models.CharField(max_length=60, blank=True)
    return_tracking_number = models.CharField(max_length=60, blank=True)
    return_shipped_at = models.DateTimeField(null=True, blank=True)
    return_received_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_by = models.CharField(max_length=10, blank=True)  # buyer, seller or system
    # How it ended: the money outcome, the amount refunded, the reason both sides see.
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    refund_minor = models.BigIntegerField(null=True, blank=True)
    resolution_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "deadline_at"]),
            models.Index(fields=["seller", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.pk} ({self.status})"


class DisputeEvent(StateEvent):
    subject = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")


class DisputeMessage(models.Model):
    """One message of the thread. ``author`` None is the platform speaking."""

    id = OpaqueIdField(prefix="dmsg")
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=12)  # buyer, seller, arbitrator, system
    text = models.TextField()
    redacted = models.JSONField(default=list, blank=True)  # kinds of contact details removed
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.role}: {self.text[:40]}"


def _evidence_path(instance: Evidence, filename: str) -> str:
    return f"disputes/{instance.dispute_id}/{instance.pk}.jpg"


class Evidence(models.Model):
    """A photo, cleaned by the image pipeline (no EXIF), in private storage; attached to a
    message once it is sent."""

    id = OpaqueIdField(prefix="dev")
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        DisputeMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    image = models.FileField(storage=private_storage, upload_to=_evidence_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.pk} ({self.dispute_id})"

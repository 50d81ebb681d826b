"""Identity verification requests. The document image lives in private storage (never under
MEDIA_ROOT) and only the last four characters of the document number are ever stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from shiji.core.ids import OpaqueIdField
from shiji.core.models import StateEvent
from shiji.identity.states import DocumentType, VerificationStatus


class VerificationRequest(models.Model):
    id = OpaqueIdField(prefix="ver")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verifications")
    status = models.CharField(max_length=16, choices=VerificationStatus.choices, default=VerificationStatus.PENDING)
    legal_name = models.CharField(max_length=200)
    document_type = models.CharField(max_length=32, choices=DocumentType.choices)
    document_last4 = models.CharField(max_length=4)
    document_path = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="one_pending_verification_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"


class VerificationEvent(StateEvent):
    subject = models.ForeignKey(VerificationRequest, on_delete=models.CASCADE, related_name="events")

"""Risk events: things that look wrong (a callback for the wrong amount, a refund the provider
could not make), recorded for staff. The rule engine of PRODUCT.md §7 builds on these rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from shiji.core.ids import OpaqueIdField


class RiskEvent(models.Model):
    id = OpaqueIdField(prefix="rsk")
    kind = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_type = models.CharField(max_length=48, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_type}:{self.subject_id}"

"""Reports and the moderators' actions: dismiss, hide, warn, suspend."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from shiji.core.ids import OpaqueIdField
from shiji.core.models import StateEvent
from shiji.moderation.states import ActionKind, ReportReason, ReportStatus, TargetType


class ModerationAction(models.Model):
    """One decision of a moderator on a target (or an account), with the reports it resolved."""

    id = OpaqueIdField(prefix="mda")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=ActionKind.choices)
    target_type = models.CharField(max_length=16, choices=TargetType.choices)
    target_id = models.CharField(max_length=64)
    # Whose content or account it was (warned, suspended, told); None when the target has no owner.
    target_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_actions"
    )
    reason = models.TextField(blank=True)
    report_ids = models.JSONField(default=list, blank=True)
    # Listings a suspension hid, or lifting it put back.
    listing_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["target_owner", "action"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class Report(models.Model):
    id = OpaqueIdField(prefix="rep")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_filed")
    target_type = models.CharField(max_length=16, choices=TargetType.choices)
    target_id = models.CharField(max_length=64)
    target_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the reporter saw (title, name, message text) when they reported it, for the queue.
    target_snapshot = models.TextField(blank=True)
    reason = models.CharField(max_length=32, choices=ReportReason.choices)
    details = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True)  # the moderator's reason; staff only
    action = models.ForeignKey(
        ModerationAction, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )

    class Meta:
        indexes = [
            models.Index(fields=["status", "target_type", "target_id"]),
            models.Index(fields=["reporter", "-created_at"]),
        ]
        constraints = [
            # One open report per reporter and target: a second one returns the first.
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"],
                condition=models.Q(status="open"),
                name="report_one_open_per_reporter_and_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.target_type}:{self.target_id} ({self.status})"


class ReportEvent(StateEvent):
    subject = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")


class Suspension(models.Model):
    """One suspension of an account, from suspend to unsuspend (``lifted_at``)."""

    id = OpaqueIdField(prefix="sus")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suspensions")
    reason = models.TextField()
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(lifted_at__isnull=True), name="suspension_one_current_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.user_id}"


class SuspendedListing(models.Model):
    """A listing the suspension hid, and the exact suppression event it made: unsuspend puts
    back only listings whose latest change is still that event (not ones hidden separately)."""

    suspension = models.ForeignKey(Suspension, on_delete=models.CASCADE, related_name="listings")
    listing = models.ForeignKey("catalog.Listing", on_delete=models.CASCADE, related_name="+")
    suppression_event_id = models.BigIntegerField()
    reinstated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["suspension", "listing"], name="suspended_listing_once"),
        ]

    def __str__(self) -> str:
        return f"{self.suspension_id} {self.listing_id}"

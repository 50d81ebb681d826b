"""Core tables: the audit log, stored idempotency keys, and the abstract base every domain's
state-event table uses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from shiji.core.ids import OpaqueIdField


class AuditEvent(models.Model):
    """Who did what to which object, when and from where. Append-only."""

    id = OpaqueIdField(prefix="aud")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=48, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"


class StateEvent(models.Model):
    """One state transition: who moved the object, when, from which state to which, and why.

    Each stateful domain model gets a concrete subclass with a foreign key named ``subject``.
    """

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(max_length=32)
    to_state = models.CharField(max_length=32)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class IdempotencyKey(models.Model):
    """The first response to a POST that carried an ``Idempotency-Key`` header (API.md).

    Written in the same transaction as the effect it guards (see ``shiji.core.idempotency``);
    ``status_code`` 0 marks a row whose transaction has not stored its response yet.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=120)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} ({self.status_code})"

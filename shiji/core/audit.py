"""Audit events for money, risk, identity, moderation and privacy actions (PRODUCT.md inv. 5)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from shiji.core.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one audit row. ``actor`` is a user or None for the system."""
    target_type = target._meta.label_lower if target is not None else ""
    target_id = str(target.pk) if target is not None else ""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        ip=client_ip(request),
        data=data or {},
    )

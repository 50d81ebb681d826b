"""Telling people: a row they see in the app, a push to their open pages, an e-mail — all after
the transaction that caused it commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.core.errors import NotFound
from shiji.core.jobs import enqueue_on_commit
from shiji.core.realtime import user_push_on_commit
from shiji.notifications.models import Notification
from shiji.notifications.selectors import user_notifications


def notify(
    *, user_id: str, kind: str, subject_type: str = "", subject_id: str = "", data: dict[str, Any] | None = None
) -> Notification:
    from shiji.notifications.tasks import notification_email_send

    notification = Notification.objects.create(
        user_id=user_id, kind=kind, subject_type=subject_type, subject_id=subject_id, data=data or {}
    )
    user_push_on_commit(
        user_id=user_id,
        event="notification",
        data={"id": notification.pk, "kind": kind, "subject_type": subject_type, "subject_id": subject_id},
    )
    enqueue_on_commit(notification_email_send, notification.pk)
    return notification


def notification_mark_read(*, user: User, notification_id: str | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of ``user`` read; returns how many
    changed. Someone else's (or no such) notification is 'not found'."""
    queryset = user_notifications(user=user, unread=True)
    if notification_id is not None:
        if not user_notifications(user=user).filter(pk=notification_id).exists():
            raise NotFound(_("No such notification."))
        queryset = queryset.filter(pk=notification_id)
    with transaction.atomic():
        return queryset.update(read_at=timezone.now())

"""Reads of a user's notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from shiji.accounts.models import User
from shiji.notifications.models import Notification


def user_notifications(*, user: User, unread: bool = False) -> QuerySet[Notification]:
    """``user``'s own notifications (only the unread ones with ``unread``)."""
    queryset = Notification.objects.filter(user=user)
    return queryset.filter(read_at__isnull=True) if unread else queryset

"""What each kind of notification says, in the reader's language (rendered when shown, so a
person who changes language sees their notifications in the new one)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from shiji.core.discovery import app_hooks
from shiji.notifications.models import Notification


class _Blank(dict[str, Any]):
    """Placeholders a notification's data lacks read as empty text rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def _texts() -> dict[str, str]:
    texts: dict[str, str] = {}
    for provider in app_hooks("notification_texts", "notification_texts"):
        texts.update(provider())
    return texts


def notification_text(notification: Notification) -> str:
    template = _texts().get(notification.kind)
    if template is None:
        return notification.kind
    return template % _Blank(notification.data)


# Where a notification about each kind of subject leads (URL name, and the id as its argument).
_SUBJECT_PAGES = {
    "order": "orders:detail",
    "conversation": "messaging:conversation",
    "dispute": "disputes:detail",
    "listing": "catalog:listing",
    "user": "accounts:profile",
}


def notification_path(notification: Notification) -> str | None:
    """The page a notification is about, or None when it has none (or none the reader can open)."""
    name = _SUBJECT_PAGES.get(notification.subject_type)
    if name is None or not notification.subject_id:
        return None
    try:
        return reverse(name, args=[notification.subject_id])
    except NoReverseMatch:
        return None

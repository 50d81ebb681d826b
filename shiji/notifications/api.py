"""GET /me/notifications, POST /me/notifications/{id}/read, POST /me/notifications/read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from shiji.api.auth import api_user
from shiji.api.openapi import errors
from shiji.api.pagination import paginate_by_id
from shiji.core.time import iso_utc
from shiji.notifications.models import Notification
from shiji.notifications.selectors import user_notifications
from shiji.notifications.services import notification_mark_read
from shiji.notifications.texts import notification_path, notification_text

router = Router()


class NotificationOut(Schema):
    id: str
    kind: str
    text: str
    subject_type: str
    subject_id: str
    url: str | None
    created_at: str
    read: bool


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class MarkedOut(Schema):
    marked: int


def notification_out(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "text": notification_text(notification),
        "subject_type": notification.subject_type,
        "subject_id": notification.subject_id,
        "url": notification_path(notification),
        "created_at": iso_utc(notification.created_at),
        "read": notification.read_at is not None,
    }


@router.get("/notifications", response=NotificationPage)
def notification_list(
    request: HttpRequest, cursor: str | None = None, limit: int | None = Query(None), unread: bool = False
) -> dict[str, Any]:
    user = api_user(request)
    page = paginate_by_id(user_notifications(user=user, unread=unread), cursor=cursor, limit=limit)
    return {
        "items": [notification_out(n) for n in page.items],
        "next_cursor": page.next_cursor,
        "unread": user_notifications(user=user, unread=True).count(),
    }


@router.post("/notifications/{notification_id}/read", response={200: MarkedOut, **errors(404)})
def notification_read(request: HttpRequest, notification_id: str) -> dict[str, int]:
    return {"marked": notification_mark_read(user=api_user(request), notification_id=notification_id)}


@router.post("/notifications/read", response=MarkedOut)
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": notification_mark_read(user=api_user(request))}

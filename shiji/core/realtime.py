"""Pushes to a signed-in user's open pages over WebSockets, sent after commit."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def user_group(user_id: str) -> str:
    return f"user.{user_id}"


def user_push_on_commit(*, user_id: str, event: str, data: dict[str, Any]) -> None:
    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(user_group(user_id), {"type": "user.event", "event": event, "data": data})

    transaction.on_commit(send)

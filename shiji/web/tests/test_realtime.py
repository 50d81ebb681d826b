"""The signed-in user's WebSocket channel."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from config.asgi import application
from shiji.accounts.tests.factories import UserFactory
from shiji.core.realtime import user_push_on_commit
from shiji.web.consumers import UserEventsConsumer

pytestmark = pytest.mark.django_db(transaction=True)


async def _connect(user):
    communicator = WebsocketCommunicator(UserEventsConsumer.as_asgi(), "/ws/me/")
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


def test_anonymous_visitors_are_refused():
    import asyncio

    async def run():
        _communicator, connected, code = await _connect(AnonymousUser())
        assert not connected
        assert code == 4401

    asyncio.run(run())


def test_a_signed_in_user_receives_events_pushed_after_commit():
    import asyncio

    async def run():
        user = await database_sync_to_async(UserFactory)()
        communicator, connected, _ = await _connect(user)
        assert connected
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from() == {"type": "pong"}
        await database_sync_to_async(user_push_on_commit)(user_id=user.id, event="order.paid", data={"order": "ord_1"})
        assert await communicator.receive_json_from(timeout=2) == {"type": "order.paid", "data": {"order": "ord_1"}}
        await communicator.disconnect()

    asyncio.run(run())


def test_the_asgi_application_routes_websockets():
    import asyncio

    async def run():
        communicator = WebsocketCommunicator(application, "/ws/me/", headers=[(b"origin", b"http://127.0.0.1")])
        connected, code = await communicator.connect()
        assert not connected and code == 4401  # routed to the consumer, which refuses anonymous users

    asyncio.run(run())

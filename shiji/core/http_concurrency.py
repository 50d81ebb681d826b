"""A bound on the HTTP requests one ASGI process runs at once.

Django runs each ASGI request's synchronous code in a thread of its own, with a database
connection of its own (config/asgi.py turns persistent connections off there), and nothing
bounds how many run together: 200 clients at once ask PostgreSQL for up to 200 connections,
and past its ``max_connections`` requests fail with "too many clients". Behind this wrapper
the requests over the limit wait their turn (first come, first served) in the event loop,
which costs nothing, instead of failing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]  # (scope, receive, send); servers and Django differ in detail


class ConcurrencyLimit:
    """Run at most ``limit`` calls of ``app`` at once (per process and event loop)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:  # made on the loop that serves
            self._slots, self._loop = asyncio.Semaphore(self.limit), loop
        async with self._slots:
            await self.app(scope, receive, send)

"""At most N HTTP requests of an ASGI process run Django at once; the others wait their turn."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

import pytest

from shiji.core.http_concurrency import ConcurrencyLimit


async def _receive() -> MutableMapping[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: MutableMapping[str, Any]) -> None:
    return None


def test_requests_over_the_limit_wait_and_then_all_run_in_arrival_order() -> None:
    async def scenario() -> tuple[list[int], list[int], list[int]]:
        inside: list[int] = []
        entered: list[int] = []
        finished: list[int] = []
        two_inside = asyncio.Event()
        release = asyncio.Event()

        async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
            inside.append(scope["n"])
            entered.append(scope["n"])
            if len(inside) == 2:
                two_inside.set()
            await release.wait()
            inside.remove(scope["n"])
            finished.append(scope["n"])

        limited = ConcurrencyLimit(app, 2)
        calls = [asyncio.create_task(limited({"type": "http", "n": n}, _receive, _send)) for n in range(5)]
        await asyncio.wait_for(two_inside.wait(), timeout=5)
        for _ in range(10):  # give the waiting requests every chance to (wrongly) get in
            await asyncio.sleep(0)
        waiting_while_full = list(inside)
        release.set()
        await asyncio.wait_for(asyncio.gather(*calls), timeout=5)
        return waiting_while_full, entered, finished

    inside_while_full, entered, finished = asyncio.run(scenario())
    assert inside_while_full == [0, 1]
    assert entered == [0, 1, 2, 3, 4]
    assert sorted(finished) == [0, 1, 2, 3, 4]


def test_a_limit_below_one_is_refused() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        return None

    with pytest.raises(ValueError, match="at least 1"):
        ConcurrencyLimit(app, 0)

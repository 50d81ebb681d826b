"""Racers released together by a barrier, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection


def race(attempts: Sequence[Callable[[], Any]], names: Sequence[str] | None = None) -> list[Any]:
    """Run every attempt in its own thread, all released at once by a barrier; returns each
    attempt's result, in order. An attempt that raises (or hangs) fails the test."""
    barrier = threading.Barrier(len(attempts))
    results: list[Any] = [None] * len(attempts)
    raised: list[BaseException] = []

    def worker(index: int, attempt: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = attempt()
        except BaseException as exc:
            raised.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(n, attempt), name=names[n] if names else f"racer-{n}")
        for n, attempt in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racer is stuck"
    assert raised == [], raised
    return results


def report(*context: Any, errors: Sequence[str]) -> str:
    """An assertion message: what was seen, then the logged tracebacks of any 500s."""
    return "\n".join([*map(repr, context), *errors])

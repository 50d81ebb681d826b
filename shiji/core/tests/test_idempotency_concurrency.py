"""Racing duplicates of one idempotent POST (real threads, real transactions): exactly one
effect, and every duplicate gets the first response — or a 409 when its body differs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from shiji.core.audit import audit_record
from shiji.core.idempotency import IdempotencyConflict, idempotent
from shiji.core.models import AuditEvent, IdempotencyKey

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 50
SCOPE = "POST /orders"


def race(payloads: list[dict[str, Any]], attempt: Callable[[dict[str, Any]], Any]) -> list[tuple[int, Any]]:
    """Run ``attempt(payload)`` in one thread per payload, all released at once; returns
    ``(index, result or exception)`` per thread."""
    barrier = threading.Barrier(len(payloads))
    outcomes: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def worker(index: int, payload: dict[str, Any]) -> None:
        try:
            barrier.wait()
            result: Any = attempt(payload)
        except BaseException as exc:
            result = exc
        finally:
            connection.close()
        with lock:
            outcomes.append((index, result))

    threads = [threading.Thread(target=worker, args=(n, p)) for n, p in enumerate(payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert len(outcomes) == len(payloads)
    return outcomes


def attempt_for(user: Any) -> Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]:
    def run_for(payload: dict[str, Any]) -> Callable[[], tuple[int, dict[str, Any]]]:
        def run() -> tuple[int, dict[str, Any]]:
            event = audit_record(action="test.race", actor=user, data=payload)
            return 201, {"id": event.id}

        return run

    def attempt(payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with transaction.atomic():
            return idempotent(user=user, key="race-key", scope=SCOPE, payload=payload, run=run_for(payload))

    return attempt


@pytest.fixture
def user() -> Any:
    return get_user_model().objects.create_user("racer@example.test", display_name="Racer", country="CN")


def test_concurrent_duplicates_make_one_effect_and_identical_responses(user):
    outcomes = race([{"quote": "quo_1"}] * THREADS, attempt_for(user))

    errors = [result for _, result in outcomes if isinstance(result, BaseException)]
    assert errors == []
    event = AuditEvent.objects.get(action="test.race")
    assert [result for _, result in outcomes] == [(201, {"id": event.id})] * THREADS
    row = IdempotencyKey.objects.get(key="race-key")
    assert (row.status_code, row.response) == (201, {"id": event.id})


def test_concurrent_duplicates_with_two_bodies_make_one_effect_and_conflicts(user):
    payload_a, payload_b = {"quote": "quo_a"}, {"quote": "quo_b"}
    payloads = [payload_a if n % 2 == 0 else payload_b for n in range(THREADS)]

    outcomes = race(payloads, attempt_for(user))

    event = AuditEvent.objects.get(action="test.race")
    winner = event.data
    assert winner in (payload_a, payload_b)
    for index, result in outcomes:
        if payloads[index] == winner:
            assert result == (201, {"id": event.id})
        else:
            assert isinstance(result, IdempotencyConflict), result
    assert sum(isinstance(result, IdempotencyConflict) for _, result in outcomes) == THREADS // 2

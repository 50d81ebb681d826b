"""Racing duplicates of one idempotent POST (real threads, real transactions): exactly one
effect, and every duplicate gets the first response — or a 409 when its body differs."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from shiji.core.audit import audit_record
from shiji.core.idempotency import IdempotencyConflict, idempotent
from shiji.core.models import AuditEvent, IdempotencyKey
from shiji.core.tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 50
SCOPE = "POST /orders"


def attempt_for(user: Any) -> Callable[[dict[str, Any]], tuple[int, dict[str, Any]] | IdempotencyConflict]:
    def run_for(payload: dict[str, Any]) -> Callable[[], tuple[int, dict[str, Any]]]:
        def run() -> tuple[int, dict[str, Any]]:
            event = audit_record(action="test.race", actor=user, data=payload)
            return 201, {"id": event.id}

        return run

    def attempt(payload: dict[str, Any]) -> tuple[int, dict[str, Any]] | IdempotencyConflict:
        try:
            with transaction.atomic():
                return idempotent(user=user, key="race-key", scope=SCOPE, payload=payload, run=run_for(payload))
        except IdempotencyConflict as exc:  # the expected refusal of a different body: a result
            return exc

    return attempt


def race_payloads(payloads: list[dict[str, Any]], attempt: Callable[[dict[str, Any]], Any]) -> list[Any]:
    """``attempt(payload)`` in one thread per payload, all released at once; results in order."""
    return race([partial(attempt, payload) for payload in payloads])


@pytest.fixture
def user() -> Any:
    return get_user_model().objects.create_user("racer@example.test", display_name="Racer", country="CN")


def test_concurrent_duplicates_make_one_effect_and_identical_responses(user):
    outcomes = race_payloads([{"quote": "quo_1"}] * THREADS, attempt_for(user))

    errors = [result for result in outcomes if isinstance(result, BaseException)]
    assert errors == []
    event = AuditEvent.objects.get(action="test.race")
    assert outcomes == [(201, {"id": event.id})] * THREADS
    row = IdempotencyKey.objects.get(key="race-key")
    assert (row.status_code, row.response) == (201, {"id": event.id})


def test_concurrent_duplicates_with_two_bodies_make_one_effect_and_conflicts(user):
    payload_a, payload_b = {"quote": "quo_a"}, {"quote": "quo_b"}
    payloads = [payload_a if n % 2 == 0 else payload_b for n in range(THREADS)]

    outcomes = race_payloads(payloads, attempt_for(user))

    event = AuditEvent.objects.get(action="test.race")
    winner = event.data
    assert winner in (payload_a, payload_b)
    for index, result in enumerate(outcomes):
        if payloads[index] == winner:
            assert result == (201, {"id": event.id})
        else:
            assert isinstance(result, IdempotencyConflict), result
    assert sum(isinstance(result, IdempotencyConflict) for result in outcomes) == THREADS // 2

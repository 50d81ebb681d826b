"""Idempotency-Key: the first response is replayed, a different request is a 409, a failed
attempt leaves no key, and old keys are purged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone
from huey.api import PeriodicTask

from shiji.core.audit import audit_record
from shiji.core.errors import Conflict, InvalidInput, ShijiError
from shiji.core.idempotency import (
    IDEMPOTENCY_HEADER,
    IdempotencyConflict,
    IdempotencyInProgress,
    idempotency_key_from,
    idempotency_purge,
    idempotent,
    request_fingerprint,
)
from shiji.core.models import AuditEvent, IdempotencyKey

SCOPE = "POST /orders"


def make_user(name: str) -> Any:
    return get_user_model().objects.create_user(f"{name}@example.test", display_name=name, country="JP")


@pytest.fixture
def user() -> Any:
    return make_user("buyer")


class Effect:
    """A run() that records one audit row per call and answers 201 with its id."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.calls = 0

    def __call__(self) -> tuple[int, dict[str, Any]]:
        self.calls += 1
        event = audit_record(action="test.effect", actor=self.user, data={"call": self.calls})
        return 201, {"id": event.id}


def effects() -> int:
    return AuditEvent.objects.filter(action="test.effect").count()


@pytest.mark.django_db
def test_same_key_and_payload_runs_once_and_replays_the_first_response(user):
    run = Effect(user)
    payload = {"quote": "quo_1", "amount": Decimal("61.20")}

    first = idempotent(user=user, key="k-1", scope=SCOPE, payload=payload, run=run)
    second = idempotent(user=user, key="k-1", scope=SCOPE, payload=dict(reversed(payload.items())), run=run)

    assert run.calls == 1
    assert effects() == 1
    assert first == second
    assert first[0] == 201
    row = IdempotencyKey.objects.get(key="k-1")
    assert (row.status_code, row.response, row.scope) == (first[0], first[1], SCOPE)
    assert row.request_hash == request_fingerprint(SCOPE, payload)


@pytest.mark.django_db
def test_first_response_is_returned_as_it_is_stored(user):
    at = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)

    def run() -> tuple[int, dict[str, Any]]:
        return 201, {"total": Decimal("61.20"), "at": at, "lines": ("a", "b")}

    first = idempotent(user=user, key="k-json", scope=SCOPE, payload={}, run=run)
    replay = idempotent(user=user, key="k-json", scope=SCOPE, payload={}, run=run)

    assert first == replay == (201, {"total": "61.20", "at": "2026-11-21T10:00:00Z", "lines": ["a", "b"]})


@pytest.mark.django_db
def test_same_key_with_a_different_payload_is_a_conflict_without_a_second_effect(user):
    run = Effect(user)
    idempotent(user=user, key="k-2", scope=SCOPE, payload={"quote": "quo_1"}, run=run)

    with pytest.raises(IdempotencyConflict) as caught:
        idempotent(user=user, key="k-2", scope=SCOPE, payload={"quote": "quo_2"}, run=run)

    assert isinstance(caught.value, Conflict)
    assert (caught.value.status, caught.value.code) == (409, "idempotency_conflict")
    assert run.calls == 1
    assert effects() == 1


@pytest.mark.django_db
def test_same_key_in_another_scope_is_a_conflict(user):
    run = Effect(user)
    idempotent(user=user, key="k-3", scope="POST /orders", payload={"x": 1}, run=run)

    with pytest.raises(IdempotencyConflict):
        idempotent(user=user, key="k-3", scope="POST /me/payouts", payload={"x": 1}, run=run)
    assert run.calls == 1


@pytest.mark.django_db
def test_keys_are_per_user(user):
    other = make_user("other")
    run_a, run_b = Effect(user), Effect(other)

    a = idempotent(user=user, key="shared", scope=SCOPE, payload={"x": 1}, run=run_a)
    b = idempotent(user=other, key="shared", scope=SCOPE, payload={"x": 1}, run=run_b)

    assert (run_a.calls, run_b.calls) == (1, 1)
    assert effects() == 2
    assert a != b
    assert IdempotencyKey.objects.filter(key="shared").count() == 2


@pytest.mark.django_db
def test_without_a_key_every_call_runs(user):
    run = Effect(user)
    for _ in range(3):
        idempotent(user=user, key=None, scope=SCOPE, payload={"x": 1}, run=run)
    assert run.calls == 3
    assert effects() == 3
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_a_failed_attempt_leaves_no_key_and_a_retry_runs_again(user):
    def failing() -> tuple[int, dict[str, Any]]:
        audit_record(action="test.effect", actor=user)
        raise ShijiError("out of stock", code="out_of_stock", status=409)

    with transaction.atomic(), pytest.raises(ShijiError):
        idempotent(user=user, key="k-retry", scope=SCOPE, payload={"x": 1}, run=failing)

    assert not IdempotencyKey.objects.exists()
    assert effects() == 0

    run = Effect(user)
    response = idempotent(user=user, key="k-retry", scope=SCOPE, payload={"x": 1}, run=run)
    assert run.calls == 1
    assert response == (201, {"id": AuditEvent.objects.get(action="test.effect").id})


@pytest.mark.django_db
def test_reusing_the_key_inside_its_own_run_is_refused_as_in_progress(user):
    def reentrant() -> tuple[int, dict[str, Any]]:
        return idempotent(user=user, key="k-nested", scope=SCOPE, payload={"x": 1}, run=Effect(user))

    with pytest.raises(IdempotencyInProgress) as caught:
        idempotent(user=user, key="k-nested", scope=SCOPE, payload={"x": 1}, run=reentrant)

    assert (caught.value.status, caught.value.code) == (409, "idempotency_in_progress")
    assert not IdempotencyKey.objects.exists()
    assert effects() == 0


def test_fingerprint_is_canonical():
    payload = {"b": [1, {"y": "元", "x": Decimal("1.50")}], "a": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}
    same = {"a": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "b": [1, {"x": Decimal("1.50"), "y": "元"}]}

    assert request_fingerprint(SCOPE, payload) == request_fingerprint(SCOPE, same)
    assert len(request_fingerprint(SCOPE, payload)) == 64
    assert request_fingerprint(SCOPE, payload) != request_fingerprint("POST /refunds", payload)
    assert request_fingerprint(SCOPE, {"x": Decimal("1.50")}) != request_fingerprint(SCOPE, {"x": Decimal("1.5")})
    assert request_fingerprint(SCOPE, {"x": "1"}) != request_fingerprint(SCOPE, {"x": 1})


def request_with(key: str | None) -> Any:
    headers = {} if key is None else {IDEMPOTENCY_HEADER: key}
    return RequestFactory().post("/api/v1/orders", headers=headers)


@pytest.mark.parametrize("key", ["k", "order-2026-11-21_a.b:c", "with inner space", "x" * 255, "~!@#$%^&*()"])
def test_valid_keys_are_read_from_the_header(key):
    assert idempotency_key_from(request_with(key)) == key


def test_a_missing_header_is_no_key():
    assert idempotency_key_from(request_with(None)) is None


@pytest.mark.parametrize(
    "key",
    ["", "x" * 256, "x" * 300, "clé", "订单-1", "tab\there", "nul\x00", "bell\x07", "del\x7f", " lead", "trail "],
)
def test_invalid_keys_are_422(key):
    with pytest.raises(InvalidInput) as caught:
        idempotency_key_from(request_with(key))
    assert (caught.value.status, caught.value.code) == (422, "invalid")
    assert list(caught.value.fields) == [IDEMPOTENCY_HEADER]
    assert caught.value.fields[IDEMPOTENCY_HEADER]


@pytest.mark.django_db
def test_purge_deletes_keys_older_than_the_ttl(user, settings):
    settings.SHIJI_IDEMPOTENCY_TTL_HOURS = 24
    now = timezone.now()
    for key, age in [("old", 25), ("edge", 24), ("new", 23)]:
        IdempotencyKey.objects.create(
            user=user,
            key=key,
            scope=SCOPE,
            request_hash="0" * 64,
            status_code=201,
            response={},
            created_at=now - dt.timedelta(hours=age, seconds=1 if key == "edge" else 0),
        )

    assert idempotency_purge(now=now) == 2
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert idempotency_purge(now=now + dt.timedelta(hours=2)) == 1
    assert idempotency_purge() == 0


@pytest.mark.django_db
def test_hourly_task_is_registered_and_purges(user, settings):
    from huey.contrib.djhuey import HUEY

    from shiji.core.tasks import idempotency_keys_purge

    assert issubclass(idempotency_keys_purge.task_class, PeriodicTask)

    def scheduled_at(hour: int, minute: int) -> bool:
        due = HUEY.read_periodic(dt.datetime(2026, 11, 21, hour, minute))
        return any(isinstance(task, idempotency_keys_purge.task_class) for task in due)

    assert scheduled_at(10, 0)
    assert scheduled_at(11, 0)
    assert not scheduled_at(10, 30)

    settings.SHIJI_IDEMPOTENCY_TTL_HOURS = 48
    IdempotencyKey.objects.create(
        user=user,
        key="stale",
        scope=SCOPE,
        request_hash="0" * 64,
        status_code=201,
        response={},
        created_at=timezone.now() - dt.timedelta(hours=49),
    )
    assert idempotency_keys_purge.call_local() == 1
    assert not IdempotencyKey.objects.exists()

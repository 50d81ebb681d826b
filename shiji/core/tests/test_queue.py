"""The real job queue (SQLite storage, or Redis when REDIS_URL is set) round-trips a task."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from huey import RedisHuey, SqliteHuey, crontab


@pytest.fixture
def queue(tmp_path: Path):
    if settings.REDIS_URL:
        huey = RedisHuey(f"shiji-test-{tmp_path.name}", url=settings.REDIS_URL)
    else:
        huey = SqliteHuey("shiji-test", filename=str(tmp_path / "queue.sqlite3"))
    yield huey
    huey.flush()


def test_enqueued_task_is_stored_then_executed_by_a_consumer(queue):
    results = []

    @queue.task()
    def add(a: int, b: int) -> int:
        results.append(a + b)
        return a + b

    handle = add(2, 3)
    assert queue.pending_count() == 1
    assert results == []
    task = queue.dequeue()
    queue.execute(task)
    assert results == [5]
    assert handle.get() == 5
    assert queue.pending_count() == 0


def test_periodic_tasks_are_supported(queue):
    @queue.periodic_task(crontab(minute="*/5"))
    def sweep() -> None:
        return None

    due = queue.read_periodic(datetime.datetime(2026, 11, 21, 10, 5))
    not_due = queue.read_periodic(datetime.datetime(2026, 11, 21, 10, 7))
    assert [task.name for task in due] == ["sweep"]
    assert not_due == []


def test_configured_storage_matches_the_environment():
    from huey.contrib.djhuey import HUEY

    expected = RedisHuey if settings.REDIS_URL else SqliteHuey
    assert isinstance(HUEY, expected)

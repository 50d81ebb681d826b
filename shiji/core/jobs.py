"""Side effects after commit: jobs are queued only once the transaction that caused them
has committed, so a worker never sees an id that was rolled back."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import transaction


def enqueue_on_commit(task: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Schedule ``task(*args, **kwargs)`` (a Huey task) after the current transaction commits."""
    transaction.on_commit(partial(task, *args, **kwargs))

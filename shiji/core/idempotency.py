"""``Idempotency-Key`` for POSTs that create orders, refunds and payouts (API.md, Conventions).

The same key with the same request returns the first response again; the same key with a
different request is a 409 ``idempotency_conflict``. Keys are per user and kept for
``SHIJI_IDEMPOTENCY_TTL_HOURS`` (at least 24 h), then purged hourly by ``shiji.core.tasks``.

An interface parses the key and calls one service through :func:`idempotent`::

    key = idempotency_key_from(request)
    with transaction.atomic(durable=True):
        status, body = idempotent(
            user=user, key=key, scope="POST /orders", payload=payload.dict(),
            run=lambda: (201, order_out(services.order_create(buyer=user, quote_id=payload.quote))),
        )

Why this gives exactly one effect when duplicates race
------------------------------------------------------
The key row is inserted *first*, in the same transaction as the effect, and the response is
stored on it before that transaction commits. Key and effect therefore commit together or not
at all: an attempt whose ``run`` raises rolls back its key with everything else, and a retry
executes again.

* **PostgreSQL** (READ COMMITTED): a concurrent duplicate's INSERT finds the first transaction's
  uncommitted entry in the unique index on ``(user, key)`` and *waits* for that transaction. If
  it commits, the INSERT fails with ``IntegrityError``; the duplicate rolls back to its savepoint
  and reads the committed row — whose response is already stored — with a fresh snapshot. If it
  rolls back, the duplicate's INSERT succeeds and it runs the effect itself.
* **SQLite**: transactions start with ``BEGIN IMMEDIATE`` (``config/settings/base.py``), so
  writers are serialised at BEGIN; a duplicate only starts once the first has committed or rolled
  back, and then sees its final row.

So a row whose ``status_code`` is still 0 (inserted, response not yet stored) is visible only to
the transaction that inserted it — for example when ``run`` re-enters :func:`idempotent` with
the same key. That is refused defensively with a 409 ``idempotency_in_progress``.

Callers must keep their transaction at READ COMMITTED (Django's default), must not commit inside
``run`` (so no ``durable=True`` service inside it: put the durable block around the call), and
should call :func:`idempotent` before taking other row locks in that transaction — a duplicate
waits on the key while holding nothing, instead of holding a lock the first request needs.
The effect's after-commit work (jobs, pushes) is scheduled with ``transaction.on_commit`` as
usual and runs only once, for the attempt that committed. Only successful responses are stored:
a refusal raised by ``run`` leaves no key, so the same key may be retried.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.core.errors import Conflict, InvalidInput
from shiji.core.models import IdempotencyKey

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

Response = tuple[int, dict[str, Any]]


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"

    def __init__(self) -> None:
        super().__init__(_("This Idempotency-Key was already used with a different request."))


class IdempotencyInProgress(Conflict):
    code = "idempotency_in_progress"

    def __init__(self) -> None:
        super().__init__(_("A request with this Idempotency-Key is still being processed."))


def idempotency_key_from(request: HttpRequest) -> str | None:
    """The request's ``Idempotency-Key`` header, or None when it has none.

    A key must be 1–255 printable ASCII characters and must not start or end with a space.
    """
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        problem = _("Use between 1 and %(max)s characters.") % {"max": MAX_KEY_LENGTH}
    elif not all(" " <= char <= "~" for char in key):
        problem = _("Use printable ASCII characters only.")
    elif key[0] == " " or key[-1] == " ":
        problem = _("Do not start or end the key with a space.")
    else:
        return key
    raise InvalidInput(_("The Idempotency-Key header is not valid."), fields={IDEMPOTENCY_HEADER: [problem]})


def _canonical_default(value: Any) -> Any:
    if isinstance(value, Decimal | dt.datetime | dt.date | dt.time | uuid.UUID):
        return str(value)
    model_dump = getattr(value, "model_dump", None)  # a ninja / pydantic schema
    if callable(model_dump):
        return model_dump(mode="json")
    raise TypeError(f"Cannot fingerprint a {type(value).__name__}")


def request_fingerprint(scope: str, payload: Any) -> str:
    """sha256 (hex) of the scope and the payload as canonical JSON: sorted keys, no spaces,
    Decimal and datetime values as their ``str``. Equal requests give equal fingerprints."""
    canonical = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_canonical_default
    )
    return hashlib.sha256(f"{scope}\n{canonical}".encode()).hexdigest()


def _as_stored(body: dict[str, Any]) -> dict[str, Any]:
    """The body as a replay will read it back from the JSON column (Decimal and datetime as
    strings, tuples as lists), so the first response and its replays are identical."""
    stored: dict[str, Any] = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
    return stored


def _replay(row: IdempotencyKey, *, scope: str, request_hash: str) -> Response:
    if row.scope != scope or row.request_hash != request_hash:
        raise IdempotencyConflict()
    if row.status_code == 0:
        raise IdempotencyInProgress()
    return row.status_code, row.response


def idempotent(
    *,
    user: AbstractBaseUser,
    key: str | None,
    scope: str,
    payload: Any,
    run: Callable[[], Response],
) -> Response:
    """Run ``run`` once per ``(user, key)`` and return its ``(status, body)``; a repeat of the same
    request returns the stored first response without running anything.

    ``scope`` names the operation (``"POST /orders"``); ``payload`` is the parsed request body.
    Without a key, ``run`` simply runs. Raises :class:`IdempotencyConflict` when the key was used
    with another scope or payload. Joins the caller's transaction if there is one; an exception
    from ``run`` propagates and takes the key row back with the effect.
    """
    if key is None:
        return run()
    request_hash = request_fingerprint(scope, payload)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user_id=user.pk, key=key, scope=scope, request_hash=request_hash, status_code=0, response={}
                )
        except IntegrityError:
            # The key is taken by a committed request (PostgreSQL waited for it) or by this
            # very transaction. No row means another constraint failed (or the row was purged
            # between the INSERT and this read): let that error through.
            existing = IdempotencyKey.objects.filter(user_id=user.pk, key=key).first()
            if existing is None:
                raise
            return _replay(existing, scope=scope, request_hash=request_hash)
        status_code, body = run()
        row.status_code = status_code
        row.response = _as_stored(body)
        row.save(update_fields=["status_code", "response"])
        return row.status_code, row.response


def idempotency_purge(now: dt.datetime | None = None) -> int:
    """Delete the keys older than ``SHIJI_IDEMPOTENCY_TTL_HOURS``; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.SHIJI_IDEMPOTENCY_TTL_HOURS)
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted

"""Liveness and readiness: the database, the cache and the job queue answer."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from huey.contrib.djhuey import HUEY
from ninja import Router, Schema, Status

router = Router()


class HealthOut(Schema):
    status: str
    database: bool
    cache: bool
    queue: bool


@router.get("/health", auth=None, response={200: HealthOut, 503: HealthOut})
def health(request: HttpRequest) -> Status[Any]:
    checks = {"database": False, "cache": False, "queue": False}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = True
    except Exception:
        checks["database"] = False
    try:
        cache.set("health:ping", "1", 5)
        checks["cache"] = cache.get("health:ping") == "1"
    except Exception:
        checks["cache"] = False
    try:
        HUEY.pending_count()
        checks["queue"] = True
    except Exception:
        checks["queue"] = False
    ok = all(checks.values())
    return Status(200 if ok else 503, HealthOut(status="ok" if ok else "degraded", **checks))

"""Cursor pagination over opaque, time-ordered ids (API.md "Lists")."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from shiji.core.errors import InvalidInput

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
M = TypeVar("M", bound=Model)


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


MAX_OFFSET = 1_000_000_000  # past any real queue, and inside every database's integers


def bad_cursor() -> InvalidInput:
    return InvalidInput(_("Bad cursor."), fields={"cursor": [_("Bad cursor.")]})


def cursor_encode(value: str) -> str:
    """An opaque cursor for ``value`` (URL-safe base64, no padding)."""
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> str:
    """The value a cursor carries; 422 ``invalid`` for anything we did not make."""
    try:
        return base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise bad_cursor() from exc


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(_("limit must be between 1 and 100."), fields={"limit": [_("1 to 100.")]})
    return limit


def paginate_by_id(
    queryset: QuerySet[M], *, cursor: str | None, limit: int | None, newest_first: bool = True
) -> Page[M]:
    """Keyset pagination on the primary key (ids sort by creation time)."""
    size = check_limit(limit)
    ordered = queryset.order_by("-pk" if newest_first else "pk")
    if cursor:
        last = cursor_decode(cursor)
        ordered = ordered.filter(pk__lt=last) if newest_first else ordered.filter(pk__gt=last)
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(items=rows, next_cursor=cursor_encode(str(rows[-1].pk)) if more and rows else None)


def paginate_by_offset(queryset: QuerySet[M], *, cursor: str | None, limit: int | None) -> Page[M]:
    """Offset pagination, for lists ordered by something other than the id (a deadline)."""
    size = check_limit(limit)
    start = 0
    if cursor:
        raw = cursor_decode(cursor)
        if not raw.isdigit() or int(raw) > MAX_OFFSET:
            raise bad_cursor()
        start = int(raw)
    rows = list(queryset[start : start + size + 1])
    more = len(rows) > size
    return Page(items=rows[:size], next_cursor=cursor_encode(str(start + size)) if more else None)

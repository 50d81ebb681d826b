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


def _encode(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        return base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(_("Bad cursor."), fields={"cursor": [_("Bad cursor.")]}) from exc


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
        last = _decode(cursor)
        ordered = ordered.filter(pk__lt=last) if newest_first else ordered.filter(pk__gt=last)
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(items=rows, next_cursor=_encode(str(rows[-1].pk)) if more and rows else None)

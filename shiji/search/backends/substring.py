"""The one-character fallback, the same on both databases: a substring scan of the folded text
(``instr`` on SQLite, ``strpos`` on PostgreSQL), listings with the character in their title first."""

from __future__ import annotations

from django.db.models import Case, FloatField, Value, When
from django.db.models.functions import StrIndex

from shiji.search.models import SearchEntry


def substring_match(char: str, limit: int) -> list[tuple[str, float]]:
    in_title = Case(
        When(title_position__gt=0, then=Value(2.0)),
        default=Value(1.0),
        output_field=FloatField(),
    )
    rows = (
        SearchEntry.objects.annotate(position=StrIndex("plain_text", Value(char)))
        .filter(position__gt=0)
        .annotate(title_position=StrIndex("title_plain", Value(char)), score=in_title)
        .order_by("-score", "id")
        .values_list("listing_id", "score")[:limit]
    )
    return [(listing_id, float(score)) for listing_id, score in rows]

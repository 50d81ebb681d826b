"""Writes to the search index. Only these functions write search tables; the full-text
structures follow in the same transaction (FTS5 triggers / a generated tsvector column)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from shiji.core.ids import ID_MAX_LENGTH
from shiji.search.models import SearchEntry
from shiji.search.text import character_tokens, index_tokens, plain_text

# Bounds keep one listing's row well inside PostgreSQL's 1 MB tsvector limit.
MAX_TITLE_TOKENS = 1_000
MAX_BODY_TOKENS = 20_000


def _texts_in_order(texts: Mapping[str, str], original_language: str) -> list[tuple[str, str]]:
    """The original language first, then the others by code: a stable order for the tokens."""
    return sorted(
        ((language, text) for language, text in texts.items() if text),
        key=lambda item: (item[0] != original_language, item[0]),
    )


def _tokens(texts: list[tuple[str, str]], cap: int) -> str:
    """Word tokens of every text, then one token per distinct CJK character (for 1-character queries)."""
    tokens: list[str] = []
    for language, text in texts:
        tokens.extend(index_tokens(text, language or None))
    characters = character_tokens(_plain(texts))
    return " ".join([*tokens[: max(0, cap - len(characters))], *characters])


def _plain(texts: list[tuple[str, str]]) -> str:
    return "\n".join(plain_text(text) for _, text in texts)


def search_upsert(*, listing_id: str, title: dict[str, str], body: dict[str, str], original_language: str) -> None:
    """Index a listing's texts (``{language code: text}``), replacing what was indexed before.
    Idempotent: indexing the same texts again writes nothing."""
    if not listing_id or len(listing_id) > ID_MAX_LENGTH:
        raise ValueError(f"bad listing id {listing_id!r}")
    titles = _texts_in_order(title, original_language)
    bodies = _texts_in_order(body, original_language)
    values = {
        "title_tokens": _tokens(titles, MAX_TITLE_TOKENS),
        "body_tokens": _tokens(bodies, MAX_BODY_TOKENS),
    }
    with transaction.atomic():
        current = SearchEntry.objects.select_for_update().filter(listing_id=listing_id).values(*values).first()
        if current == values:
            return
        # INSERT … ON CONFLICT (listing_id) DO UPDATE: one statement, safe against a concurrent
        # first upsert of the same listing, on SQLite and PostgreSQL alike.
        SearchEntry.objects.bulk_create(
            [SearchEntry(listing_id=listing_id, updated_at=timezone.now(), **values)],
            update_conflicts=True,
            unique_fields=["listing_id"],
            update_fields=[*values, "updated_at"],
        )


def search_remove(*, listing_id: str) -> None:
    """Drop a listing from the index; nothing happens when it is not there."""
    with transaction.atomic():
        SearchEntry.objects.filter(listing_id=listing_id).delete()

"""Database access for search, one module per vendor with the same function
``token_match(groups, limit)``."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from shiji.search.backends import postgres, sqlite

__all__ = ["token_match"]


def token_match(groups: list[list[str]], limit: int) -> list[tuple[str, float]]:
    """Listings holding every token of at least one group, best first (higher score is better)."""
    if connection.vendor == "sqlite":
        return sqlite.token_match(groups, limit)
    if connection.vendor == "postgresql":
        return postgres.token_match(groups, limit)
    raise ImproperlyConfigured(f"search supports SQLite and PostgreSQL, not {connection.vendor}")

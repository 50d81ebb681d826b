"""Reads of the search index."""

from __future__ import annotations

from shiji.search import backends
from shiji.search.text import character_token, query_groups, single_character

# Longer queries are cut: nobody types more, and it bounds the work one request can ask for.
MAX_QUERY_CHARS = 256


def search_match(*, q: str, limit: int = 10_000) -> list[tuple[str, float]]:
    """``(listing_id, score)`` of the listings matching ``q``, best first (higher is better),
    at most ``limit``; ``[]`` when the query has no searchable token. Any string is safe: the
    query reaches the database only as normalized tokens, each quoted as a literal."""
    if limit <= 0 or not q:
        return []
    q = q[:MAX_QUERY_CHARS]
    char = single_character(q)
    if char is not None:
        return backends.token_match([[character_token(char)]], limit)
    groups = query_groups(q)
    if not groups:
        return []
    return backends.token_match(groups, limit)

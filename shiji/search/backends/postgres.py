"""PostgreSQL: the generated ``search_vector`` column (see migration 0002) matched with a
``tsquery`` built from quoted lexemes, ranked by ``ts_rank`` with A (title) = 1.0, B (body) = 0.4."""

from __future__ import annotations

from django.db import connection

MATCH_SQL = """
SELECT e.listing_id, ts_rank('{0.1, 0.2, 0.4, 1.0}'::float4[], e.search_vector, query) AS score
FROM search_searchentry AS e, to_tsquery('simple', %s) AS query
WHERE e.search_vector @@ query
ORDER BY score DESC, e.id
LIMIT %s
"""


def _quote(token: str) -> str:
    """A quoted tsquery lexeme: quotes doubled, backslashes escaped, never an operator."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def match_expression(groups: list[list[str]]) -> str:
    """``('a' & 'b') | ('c' & 'd')``."""
    return " | ".join("(" + " & ".join(_quote(token) for token in group) + ")" for group in groups)


def token_match(groups: list[list[str]], limit: int) -> list[tuple[str, float]]:
    with connection.cursor() as cursor:
        cursor.execute(MATCH_SQL, [match_expression(groups), limit])
        return [(listing_id, float(score)) for listing_id, score in cursor.fetchall()]

"""SQLite: FTS5 (external content over search_searchentry, see migration 0002), ranked by BM25
with the title weighing ten times the body."""

from __future__ import annotations

from django.db import connection

MATCH_SQL = """
SELECT e.listing_id, -bm25(search_fts, 10.0, 1.0) AS score
FROM search_fts JOIN search_searchentry AS e ON e.id = search_fts.rowid
WHERE search_fts MATCH %s
ORDER BY score DESC, e.id
LIMIT %s
"""


def _quote(token: str) -> str:
    """An FTS5 string: whatever the token holds, it is a phrase, never query syntax."""
    return '"' + token.replace('"', '""') + '"'


def match_expression(groups: list[list[str]]) -> str:
    """``("a" "b") OR ("c" "d")``: implicit AND inside a group, OR between groups."""
    return " OR ".join("(" + " ".join(_quote(token) for token in group) + ")" for group in groups)


def token_match(groups: list[list[str]], limit: int) -> list[tuple[str, float]]:
    with connection.cursor() as cursor:
        cursor.execute(MATCH_SQL, [match_expression(groups), limit])
        return [(listing_id, float(score)) for listing_id, score in cursor.fetchall()]

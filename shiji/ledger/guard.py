"""Database-level immutability of journal entries and postings.

PostgreSQL and SQLite both get triggers that refuse every UPDATE and DELETE of ledger rows, so
not even a bug or a hand-typed SQL statement through the application's connection can rewrite
history; corrections are reversal entries. (A superuser can still disable triggers or TRUNCATE:
``GET /staff/ledger/check`` detects what such an edit leaves behind.)
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

GUARDED_TABLES = ("ledger_journalentry", "ledger_posting")
MESSAGE = "ledger rows are immutable; post a reversal entry instead"


def _sqlite_create(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for verb in ("update", "delete")]


PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION shiji_ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
END
$$
"""


def guard_create_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [sql for table in GUARDED_TABLES for sql in _sqlite_create(table)]
    if vendor == "postgresql":
        return [PG_FUNCTION] + [
            f"CREATE OR REPLACE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION shiji_ledger_immutable()"
            for table in GUARDED_TABLES
        ]
    return []


def guard_drop_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [sql for table in GUARDED_TABLES for sql in _sqlite_drop(table)]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}" for table in GUARDED_TABLES] + [
            "DROP FUNCTION IF EXISTS shiji_ledger_immutable()"
        ]
    return []


def guard_install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in guard_create_sql(connection.vendor):
            cursor.execute(sql)


def guard_remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in guard_drop_sql(connection.vendor):
            cursor.execute(sql)

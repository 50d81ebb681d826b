"""Triggers that refuse UPDATE and DELETE on journal entries and postings (see ledger/guard.py)."""

from django.db import migrations

from shiji.ledger.guard import guard_install, guard_remove


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    guard_install(schema_editor.connection)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    guard_remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]

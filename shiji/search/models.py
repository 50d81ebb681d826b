"""The search index: one row per listing, holding pre-segmented tokens (see ``text.py``).

The full-text structures live beside this table and are created by migration 0002:
an external-content FTS5 table kept in sync by triggers on SQLite, a generated ``tsvector``
column with a GIN index on PostgreSQL. Search knows listings only by id (no foreign key): the
catalog calls ``search_upsert`` / ``search_remove``.
"""

from __future__ import annotations

from django.db import models

from shiji.core.ids import ID_MAX_LENGTH


class SearchEntry(models.Model):
    # An integer key: FTS5 uses it as the rowid of the full-text row.
    id = models.BigAutoField(primary_key=True)
    listing_id = models.CharField(max_length=ID_MAX_LENGTH, unique=True)
    # Space-separated normalized tokens; tokens never contain whitespace.
    title_tokens = models.TextField(blank=True, default="")
    body_tokens = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "search entry"
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return self.listing_id

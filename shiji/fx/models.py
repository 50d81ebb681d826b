"""Exchange rates: an append-only history; the newest row per pair is the rate in force."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from shiji.core.ids import OpaqueIdField


class FxRate(models.Model):
    """1 ``base`` = ``rate`` ``quote``. The rate is a decimal string (SQLite has no decimal type)."""

    id = OpaqueIdField(prefix="fxr")
    base = models.CharField(max_length=3)
    quote = models.CharField(max_length=3)
    rate = models.CharField(max_length=40)
    source = models.CharField(max_length=64)
    as_of = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["base", "quote", "-as_of"])]
        constraints = [models.CheckConstraint(condition=~models.Q(base=models.F("quote")), name="fx_pair_distinct")]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} ({self.source}, {self.as_of:%Y-%m-%d %H:%M})"

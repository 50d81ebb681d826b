from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shiji.fx.models import FxRate


@admin.register(FxRate)
class FxRateAdmin(admin.ModelAdmin):
    """Read-only history: rates are set by finance staff through the API or an import (audited)."""

    list_display = ("base", "quote", "rate", "source", "as_of")
    list_filter = ("base", "quote", "source")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

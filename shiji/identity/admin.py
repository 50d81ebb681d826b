from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shiji.identity.models import VerificationRequest


@admin.register(VerificationRequest)
class VerificationRequestAdmin(admin.ModelAdmin):
    """Read-only: decisions go through the backoffice queue so they are audited."""

    list_display = ("id", "user", "document_type", "status", "created_at", "decided_at")
    list_filter = ("status", "document_type")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

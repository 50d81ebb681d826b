from django.contrib import admin

from shiji.core.admin import ReadOnlyAdmin
from shiji.moderation.models import ModerationAction, Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Reports change only through moderation's services; the admin shows them."""

    list_display = ("id", "status", "target_type", "target_id", "reason", "reporter", "created_at")
    list_filter = ("status", "target_type", "reason")
    search_fields = ("id", "target_id")


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("id", "action", "target_type", "target_id", "target_owner", "moderator", "created_at")
    list_filter = ("action", "target_type")
    search_fields = ("id", "target_id")

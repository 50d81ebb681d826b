from django.contrib import admin

from shiji.risk.models import RiskEvent


@admin.register(RiskEvent)
class RiskEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "subject_type", "subject_id", "user")
    list_filter = ("kind",)
    readonly_fields = ("id", "kind", "user", "subject_type", "subject_id", "data", "created_at")

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from shiji.core.admin import ReadOnlyAdmin
from shiji.risk.conditions import CONDITIONS
from shiji.risk.models import RiskBlock, RiskDecision, RiskEvent, RiskRule


@admin.register(RiskEvent)
class RiskEventAdmin(ReadOnlyAdmin):
    """Written by services only (``risk_event_record``): shown, never added, edited or deleted."""

    list_display = ("created_at", "kind", "subject_type", "subject_id", "user")
    list_filter = ("kind",)


class RiskRuleForm(forms.ModelForm):
    class Meta:
        model = RiskRule
        fields = [
            "code",
            "point",
            "condition",
            "window_seconds",
            "threshold",
            "action",
            "params",
            "title_zh_hans",
            "title_ja",
            "title_en",
            "description_zh_hans",
            "description_ja",
            "description_en",
            "active",
            "position",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        entry = CONDITIONS.get(data.get("condition", ""))
        if entry is not None and data.get("point") and entry[0] != data["point"]:
            self.add_error("point", _("This condition is checked at “%(point)s”.") % {"point": entry[0]})
        if not isinstance(data.get("params"), dict):
            self.add_error("params", _("A JSON object."))
        return data


@admin.register(RiskRule)
class RiskRuleAdmin(admin.ModelAdmin):
    """The rules are data: operators edit thresholds, windows, keywords and texts here."""

    form = RiskRuleForm
    list_display = ("code", "point", "condition", "window_seconds", "threshold", "action", "active", "position")
    list_filter = ("point", "action", "active")
    list_editable = ("active", "position")


@admin.register(RiskDecision)
class RiskDecisionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "point", "action", "rules", "review_status", "user", "subject_id")
    list_filter = ("point", "action", "review_status")
    search_fields = ("subject_id",)


@admin.register(RiskBlock)
class RiskBlockAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "scope", "user", "ip", "until")
    list_filter = ("scope",)

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from shiji.core.admin import ReadOnlyAdmin
from shiji.core.audit import audit_record
from shiji.customs.models import CbecAllowanceUse, CustomsRule
from shiji.customs.rules import check_parameters


class CustomsRuleForm(forms.ModelForm):
    class Meta:
        model = CustomsRule
        fields = (
            "id",
            "destination",
            "regime",
            "kind",
            "parameters",
            "prepaid_allowed",
            "valid_from",
            "valid_to",
            "source",
            "active",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind:
            problems = check_parameters(kind, cleaned.get("parameters"))
            if problems:
                self.add_error("parameters", "; ".join(problems))
        return cleaned


@admin.register(CustomsRule)
class CustomsRuleAdmin(admin.ModelAdmin):
    """Rules are data: staff edit figures and dates here (every change is audited). An id is named by
    quotes, so it is fixed once created; to change a figure from a date, end the row and add another."""

    form = CustomsRuleForm
    list_display = ("id", "destination", "regime", "kind", "valid_from", "valid_to", "prepaid_allowed", "active")
    list_filter = ("destination", "regime", "kind", "active")
    search_fields = ("id", "regime", "source")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("id",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action="customs.rule_changed" if change else "customs.rule_added",
            actor=request.user,
            target=obj,
            data={"changed": list(form.changed_data), "parameters": obj.parameters, "active": obj.active},
            request=request,
        )


@admin.register(CbecAllowanceUse)
class CbecAllowanceUseAdmin(ReadOnlyAdmin):
    """Read-only: uses are recorded and released by the order flow."""

    list_display = ("order_id", "buyer", "year", "amount_minor", "recorded_at", "released_at")
    list_filter = ("year",)
    search_fields = ("order_id",)

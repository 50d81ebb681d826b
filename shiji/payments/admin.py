from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shiji.payments.models import CategoryFee, Payment, Payout, ProviderCallback, Refund


class ReadOnly(admin.ModelAdmin):
    """Money objects change only through their services (state machines, ledger entries)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ("id", "order", "provider", "amount_minor", "currency", "status", "created_at")
    list_filter = ("status", "provider", "currency")


@admin.register(Refund)
class RefundAdmin(ReadOnly):
    list_display = ("id", "order", "amount_minor", "currency", "status", "created_at")
    list_filter = ("status",)


@admin.register(Payout)
class PayoutAdmin(ReadOnly):
    list_display = ("id", "user", "amount_minor", "currency", "status", "created_at")
    list_filter = ("status", "currency")


@admin.register(ProviderCallback)
class ProviderCallbackAdmin(ReadOnly):
    list_display = ("received_at", "provider", "type", "object_id", "status", "note")
    list_filter = ("provider", "type", "status")


@admin.register(CategoryFee)
class CategoryFeeAdmin(admin.ModelAdmin):
    list_display = ("category", "buyer_fee_percent", "commission_percent", "commission_reliable_percent")

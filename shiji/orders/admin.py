from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shiji.orders.models import Order


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders change only through their state machine; the admin shows them."""

    list_display = ("id", "status", "buyer", "seller", "total_minor", "currency", "created_at")
    list_filter = ("status", "currency")
    search_fields = ("id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

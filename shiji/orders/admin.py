from django.contrib import admin

from shiji.core.admin import ReadOnlyAdmin
from shiji.orders.models import Order


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    """Orders change only through their state machine; the admin shows them."""

    list_display = ("id", "status", "buyer", "seller", "total_minor", "currency", "created_at")
    list_filter = ("status", "currency")
    search_fields = ("id",)

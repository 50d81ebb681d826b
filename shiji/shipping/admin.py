from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shiji.core.admin import ReadOnlyAdmin
from shiji.shipping.models import (
    Carrier,
    CarrierService,
    RateBracket,
    SandboxParcel,
    Shipment,
    ShippingZone,
    TrackingEvent,
    ZoneCountry,
)

# --- the rate tables: data the operator edits ------------------------------------------------


class ServiceInline(admin.TabularInline):
    model = CarrierService
    fields = ("code", "name_en", "currency", "active")
    extra = 0
    show_change_link = True


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "adapter", "active")
    list_filter = ("adapter", "active")
    inlines = [ServiceInline]


class ZoneInline(admin.TabularInline):
    model = ShippingZone
    fields = ("origin_country", "code", "name", "transit_days_min", "transit_days_max")
    extra = 0
    show_change_link = True


@admin.register(CarrierService)
class CarrierServiceAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name_en",
        "carrier",
        "currency",
        "volumetric_divisor",
        "rounding_step_g",
        "max_weight_g",
        "ddp",
        "tracked",
        "active",
    )
    list_filter = ("carrier", "currency", "ddp", "tracked", "active")
    search_fields = ("code", "name_en", "name_ja", "name_zh_hans")
    inlines = [ZoneInline]


class ZoneCountryInline(admin.TabularInline):
    model = ZoneCountry
    extra = 1


class RateBracketInline(admin.TabularInline):
    model = RateBracket
    extra = 1


@admin.register(ShippingZone)
class ShippingZoneAdmin(admin.ModelAdmin):
    list_display = ("__str__", "service", "origin_country", "code", "name")
    list_filter = ("origin_country", "service")
    inlines = [ZoneCountryInline, RateBracketInline]


# --- shipments: read-only ---------------------------------------------------------------------


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    fields = ("at", "status", "location", "applied", "event_id", "received_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ("tracking_number", "order_id", "service", "status", "created_at", "last_event_at", "delivered_at")
    list_filter = ("status", "service")
    search_fields = ("tracking_number", "order_id")
    inlines = [TrackingEventInline]


@admin.register(SandboxParcel)
class SandboxParcelAdmin(ReadOnlyAdmin):
    list_display = ("tracking_number", "shipment_id", "status", "events_sent", "created_at")

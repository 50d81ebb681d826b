from typing import Any

from django.contrib import admin
from django.core.cache import cache
from django.http import HttpRequest

from shiji.catalog.models import Category, Listing, ProhibitedRule
from shiji.catalog.selectors import CATEGORY_CACHE_KEY, RULES_CACHE_KEY


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_en", "name_ja", "name_zh_hans", "hs_code", "parent", "position")
    list_filter = ("parent",)
    search_fields = ("slug", "name_en", "name_ja", "name_zh_hans")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        cache.delete(CATEGORY_CACHE_KEY)


@admin.register(ProhibitedRule)
class ProhibitedRuleAdmin(admin.ModelAdmin):
    list_display = ("country", "category", "reason_en", "source", "active")
    list_filter = ("country", "active")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        cache.delete(RULES_CACHE_KEY)


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    """Read-only: listings change through their seller or the moderation queue (audited)."""

    list_display = ("id", "seller", "category", "status", "price_minor", "currency", "published_at")
    list_filter = ("status", "currency")
    search_fields = ("id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

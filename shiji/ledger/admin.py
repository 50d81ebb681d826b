"""Read-only views of the books: the ledger changes only through journal entries."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shiji.core.admin import ReadOnlyAdmin
from shiji.ledger.models import JournalEntry, LedgerAccount, Posting


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ("owner_type", "owner_id", "purpose", "currency", "balance_minor")
    list_filter = ("owner_type", "purpose", "currency")
    search_fields = ("owner_id",)


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    can_delete = False
    readonly_fields = ("account", "currency", "amount_minor")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "key", "order_id")
    list_filter = ("kind",)
    search_fields = ("key", "order_id")
    inlines = [PostingInline]

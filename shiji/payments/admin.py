from django.contrib import admin

from shiji.core.admin import ReadOnlyAdmin
from shiji.payments.models import CategoryFee, Payment, Payout, PayoutAccount, ProviderCallback, Refund


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "order", "provider", "amount_minor", "currency", "status", "created_at")
    list_filter = ("status", "provider", "currency")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("id", "order", "amount_minor", "currency", "status", "created_at")
    list_filter = ("status",)


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "amount_minor", "currency", "status", "created_at")
    list_filter = ("status", "currency")


@admin.register(ProviderCallback)
class ProviderCallbackAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "provider", "type", "object_id", "status", "note")
    list_filter = ("provider", "type", "status")


@admin.register(CategoryFee)
class CategoryFeeAdmin(admin.ModelAdmin):
    list_display = ("category", "buyer_fee_percent", "commission_percent", "commission_reliable_percent")


@admin.register(PayoutAccount)
class PayoutAccountAdmin(ReadOnlyAdmin):
    list_display = ("user", "method", "holder_name", "account_last4", "changed_at")
    list_filter = ("method",)

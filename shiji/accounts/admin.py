from django.contrib import admin

from shiji.accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "email",
        "display_name",
        "country",
        "verification_level",
        "service_score",
        "is_staff",
        "is_active",
    )
    list_filter = ("country", "verification_level", "is_staff", "is_active")
    search_fields = ("email", "display_name", "id")
    readonly_fields = (
        "id",
        "password",
        "last_login",
        "date_joined",
        "service_score",
        "completed_sales",
        "rating_count",
        "rating_total",
    )
    filter_horizontal = ("groups",)
    exclude = ("user_permissions",)

from django.contrib import admin
from django.urls import include, path

from shiji.api.main import api
from shiji.web import media

urlpatterns = [
    path("api/v1/", api.urls),
    path("media/<path:path>", media.serve_public_media, name="media"),
    path("admin/", admin.site.urls),
    path("staff/disputes/", include("shiji.disputes.staff_urls")),
    path("staff/moderation/", include("shiji.moderation.staff_urls")),
    path("staff/risk/", include("shiji.risk.staff_urls")),
    path("staff/", include("shiji.backoffice.urls")),
    path("", include("shiji.web.urls")),
    path("", include("shiji.accounts.urls")),
    path("", include("shiji.identity.urls")),
    path("", include("shiji.catalog.urls")),
    path("", include("shiji.payments.urls")),
    path("", include("shiji.notifications.urls")),
    path("", include("shiji.orders.urls")),
    path("", include("shiji.messaging.urls")),
    path("", include("shiji.disputes.urls")),
    path("", include("shiji.reputation.urls")),
    path("", include("shiji.moderation.urls")),
    path("", include("shiji.risk.urls")),
]

handler400 = "shiji.web.views.bad_request"
handler403 = "shiji.web.views.permission_denied"
handler404 = "shiji.web.views.page_not_found"
handler500 = "shiji.web.views.server_error"

from django.urls import path

from shiji.notifications import views

app_name = "notifications"

urlpatterns = [
    path("my/notifications/", views.notifications_view, name="list"),
    path("my/notifications/read/", views.notifications_read_view, name="read"),
]

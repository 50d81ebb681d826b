"""Backoffice pages of moderation (under /staff/moderation/)."""

from django.urls import path

from shiji.moderation import views

app_name = "moderation_staff"

urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("reports/<str:report_id>/action/", views.action_view, name="action"),
    path("users/<str:user_id>/", views.user_view, name="user"),
]

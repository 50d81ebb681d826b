"""Backoffice pages of disputes (under /staff/disputes/)."""

from django.urls import path

from shiji.disputes import views

app_name = "disputes_staff"

urlpatterns = [
    path("", views.staff_queue, name="queue"),
    path("<str:dispute_id>/decide/", views.staff_decide, name="decide"),
]

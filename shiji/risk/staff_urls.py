"""Backoffice pages of risk (under /staff/risk/)."""

from django.urls import path

from shiji.risk import views

app_name = "risk_staff"

urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("decisions/<str:decision_id>/", views.decision_view, name="decision"),
]

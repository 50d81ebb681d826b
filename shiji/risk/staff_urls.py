"""Backoffice pages of risk (under /staff/risk/)."""

from django.urls import path  # noqa: F401

app_name = "risk_staff"

urlpatterns: list = []

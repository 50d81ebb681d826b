"""Backoffice pages of disputes (under /staff/disputes/)."""

from django.urls import path  # noqa: F401

app_name = "disputes_staff"

urlpatterns: list = []

"""Backoffice pages of moderation (under /staff/moderation/)."""

from django.urls import path  # noqa: F401

app_name = "moderation_staff"

urlpatterns: list = []

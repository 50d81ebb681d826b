"""Backoffice pages of reputation (under /staff/reputation/)."""

from django.urls import path  # noqa: F401

app_name = "reputation_staff"

urlpatterns: list = []

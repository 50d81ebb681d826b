"""E-mail to one person, rendered in their language from a subject and a body template."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_mail(*, to: Any, template: str, context: dict[str, Any] | None = None) -> None:
    """Send ``<template>_subject.txt`` / ``<template>_body.txt`` to the user ``to``."""
    with translation.override(to.language):
        ctx = {"user": to, "site_url": settings.SHIJI_SITE_URL, **(context or {})}
        subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
        body = render_to_string(f"{template}_body.txt", ctx)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to.email])

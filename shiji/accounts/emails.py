"""E-mails to account holders, rendered in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from shiji.accounts.models import User


def _send(user: User, template: str, context: dict[str, str]) -> None:
    with translation.override(user.language):
        ctx = {"user": user, "site_url": settings.SHIJI_SITE_URL, **context}
        subject = render_to_string(f"accounts/email/{template}_subject.txt", ctx).strip()
        body = render_to_string(f"accounts/email/{template}_body.txt", ctx)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def send_email_confirmation(*, user_id: str) -> None:
    from shiji.accounts.services import email_confirmation_token

    user = User.objects.filter(pk=user_id).first()
    if user is None or user.email_confirmed_at is not None:
        return
    link = settings.SHIJI_SITE_URL + reverse("accounts:confirm_email") + "?token=" + email_confirmation_token(user)
    _send(user, "confirm", {"link": link})


def send_password_reset(*, user_id: str, uid: str, token: str) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    link = settings.SHIJI_SITE_URL + reverse("accounts:password_reset_confirm", args=[uid, token])
    _send(user, "password_reset", {"link": link})

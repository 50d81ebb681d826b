"""E-mails to account holders, rendered in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from shiji.accounts.models import User
from shiji.core.mail import send_templated_mail


def send_email_confirmation(*, user_id: str) -> None:
    from shiji.accounts.services import email_confirmation_token

    user = User.objects.filter(pk=user_id).first()
    if user is None or user.email_confirmed_at is not None:
        return
    link = settings.SHIJI_SITE_URL + reverse("accounts:confirm_email") + "?token=" + email_confirmation_token(user)
    send_templated_mail(to=user, template="accounts/email/confirm", context={"link": link})


def send_password_reset(*, user_id: str, uid: str, token: str) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    link = settings.SHIJI_SITE_URL + reverse("accounts:password_reset_confirm", args=[uid, token])
    send_templated_mail(to=user, template="accounts/email/password_reset", context={"link": link})

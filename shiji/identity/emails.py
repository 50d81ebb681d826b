from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from shiji.identity.models import VerificationRequest


def send_verification_decided(*, verification_id: str) -> None:
    verification = VerificationRequest.objects.select_related("user").filter(pk=verification_id).first()
    if verification is None or verification.status == "pending":
        return
    user = verification.user
    with translation.override(user.language):
        ctx = {"user": user, "verification": verification, "site_url": settings.SHIJI_SITE_URL}
        subject = render_to_string("identity/email/decided_subject.txt", ctx).strip()
        body = render_to_string("identity/email/decided_body.txt", ctx)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])

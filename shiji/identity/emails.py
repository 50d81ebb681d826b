from __future__ import annotations

from shiji.core.mail import send_templated_mail
from shiji.identity.models import VerificationRequest


def send_verification_decided(*, verification_id: str) -> None:
    verification = VerificationRequest.objects.select_related("user").filter(pk=verification_id).first()
    if verification is None or verification.status == "pending":
        return
    send_templated_mail(to=verification.user, template="identity/email/decided", context={"verification": verification})

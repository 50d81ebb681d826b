from __future__ import annotations

from django.utils import timezone
from huey.contrib.djhuey import db_task

from shiji.core.mail import send_templated_mail
from shiji.notifications.models import Notification


@db_task(retries=3, retry_delay=30)
def notification_email_send(notification_id: str) -> None:
    """E-mail one notification in the reader's language; once."""
    from django.utils import translation

    from shiji.notifications.texts import notification_path, notification_text

    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None or not notification.user.is_active:
        return
    with translation.override(notification.user.language):
        text = notification_text(notification)
    send_templated_mail(
        to=notification.user,
        template="notifications/email/notification",
        context={"notification": notification, "text": text, "path": notification_path(notification)},
    )
    Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())

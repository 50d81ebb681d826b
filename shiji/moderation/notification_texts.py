"""What moderation's notifications say (placeholders filled from the notification's data:
``reason`` the moderator's words, ``title`` what was reported, ``count`` warnings so far)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def notification_texts() -> dict[str, str]:
    return {
        "moderation.warned": _(
            "A moderator has warned you: %(reason)s This is warning %(count)s on your account; "
            "repeated problems can lead to a suspension."
        ),
        "moderation.hidden": _("A moderator hid “%(title)s”. Reason: %(reason)s"),
        "moderation.suspended": _(
            "Your account is suspended: %(reason)s Your listings are hidden and you cannot start anything "
            "new, but you can finish your open orders and you will be paid for them."
        ),
        "moderation.unsuspended": _("Your account is no longer suspended; the listings it hid are back on sale."),
    }

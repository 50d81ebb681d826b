"""What the messaging notifications say (``shiji.notifications.texts`` discovers this module)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def notification_texts() -> dict[str, str]:
    return {
        # ``excerpt`` is the start of the already redacted text.
        "message.received": _("%(sender)s sent you a message about “%(item)s”: “%(excerpt)s”"),
    }

"""What reputation's notifications say (see shiji/notifications/texts.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def notification_texts() -> dict[str, str]:
    return {
        "review.revealed": _("The reviews of your order of “%(item)s” are now visible on the order page."),
    }

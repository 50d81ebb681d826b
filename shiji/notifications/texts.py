"""What each kind of notification says, in the reader's language (rendered when shown, so a
person who changes language sees their notifications in the new one)."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from shiji.notifications.models import Notification


def _order_texts() -> dict[str, str]:
    return {
        "order.placed.seller": _("%(buyer)s ordered “%(item)s”. It is reserved while they pay."),
        "order.paid.buyer": _(
            "Your payment for “%(item)s” is held safely in escrow. The seller ships within %(days)s days."
        ),
        "order.paid.seller": _("“%(item)s” has been paid for. Please ship it within %(days)s days."),
        "order.shipped.buyer": _("“%(item)s” is on its way. Tracking number: %(tracking)s."),
        "order.delivered.buyer": _("“%(item)s” has been delivered. Please check it and confirm receipt."),
        "order.delivered.seller": _("“%(item)s” has been delivered to the buyer."),
        "order.completed.buyer": _("Your order of “%(item)s” is complete. You can now review the seller."),
        "order.completed.seller": _("The buyer received “%(item)s”. Your proceeds are in your wallet."),
        "order.cancelled.buyer": _("Your order of “%(item)s” was cancelled. Any payment is refunded in full."),
        "order.cancelled.seller": _("The order of “%(item)s” was cancelled; the item is back on sale."),
        "order.refunded.buyer": _("You have been refunded %(amount)s for “%(item)s”."),
        "order.refunded.seller": _("You refunded %(amount)s for “%(item)s”."),
        "order.review_needed.seller": _(
            "The parcel with “%(item)s” has had no tracking update for a long time; our staff will look into it."
        ),
    }


class _Blank(dict[str, Any]):
    """Placeholders a notification's data lacks read as empty text rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


@functools.cache
def _providers() -> tuple[Callable[[], dict[str, str]], ...]:
    """``notification_texts()`` of every installed Shiji app that has a ``notification_texts``
    module (like admin autodiscovery), so each domain keeps its own wording."""
    found: list[Callable[[], dict[str, str]]] = [_order_texts]
    for config in apps.get_app_configs():
        if not config.name.startswith("shiji."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.notification_texts")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.notification_texts":
                raise
            continue
        found.append(module.notification_texts)
    return tuple(found)


def _texts() -> dict[str, str]:
    texts: dict[str, str] = {}
    for provider in _providers():
        texts.update(provider())
    return texts


def notification_text(notification: Notification) -> str:
    template = _texts().get(notification.kind)
    if template is None:
        return notification.kind
    return template % _Blank(notification.data)


# Where a notification about each kind of subject leads (URL name, and the id as its argument).
_SUBJECT_PAGES = {
    "order": "orders:detail",
    "conversation": "messaging:conversation",
    "dispute": "disputes:detail",
    "listing": "catalog:listing",
    "user": "accounts:profile",
}


def notification_path(notification: Notification) -> str | None:
    """The page a notification is about, or None when it has none (or none the reader can open)."""
    name = _SUBJECT_PAGES.get(notification.subject_type)
    if name is None or not notification.subject_id:
        return None
    try:
        return reverse(name, args=[notification.subject_id])
    except NoReverseMatch:
        return None

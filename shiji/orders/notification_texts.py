"""What order notifications say (rendered in the reader's language when shown)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def notification_texts() -> dict[str, str]:
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

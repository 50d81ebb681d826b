"""What dispute notifications say (``dispute.<event>.<role>``), in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _


def notification_texts() -> dict[str, str]:
    return {
        "dispute.opened.seller": _(
            "The buyer opened a dispute about “%(item)s” (%(reason)s). Please answer within %(days)s days,"
            " or the buyer is refunded in full."
        ),
        "dispute.offered.buyer": _("The seller offers you a refund of %(amount)s for “%(item)s”."),
        "dispute.accepted.seller": _("The buyer accepted your offer of %(amount)s for “%(item)s”."),
        "dispute.accepted_return.seller": _(
            "The buyer accepted your offer of %(amount)s for “%(item)s” and will send the item back."
        ),
        "dispute.return_shipped.seller": _(
            "The buyer sent “%(item)s” back (tracking %(tracking)s). Confirm receipt within %(days)s days."
        ),
        "dispute.refunded.buyer": _("You have been refunded %(amount)s for “%(item)s”."),
        "dispute.refunded.seller": _("%(amount)s was refunded to the buyer for “%(item)s”."),
        "dispute.withdrawn.seller": _("The buyer withdrew the dispute about “%(item)s”; your proceeds are released."),
        "dispute.escalated.buyer": _("The seller asked an arbitrator to decide the dispute about “%(item)s”."),
        "dispute.escalated.seller": _("The buyer asked an arbitrator to decide the dispute about “%(item)s”."),
        "dispute.decided.buyer": _("The dispute about “%(item)s” was decided: %(outcome)s %(amount)s."),
        "dispute.decided.seller": _("The dispute about “%(item)s” was decided: %(outcome)s %(amount)s."),
    }

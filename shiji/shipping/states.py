"""Shipment statuses. A parcel only moves forward through the ranked statuses; ``exception`` is
recorded beside them (a hold, a failed delivery attempt) and never undoes ``delivered``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ShipmentStatus(models.TextChoices):
    LABEL_CREATED = "label_created", _("Label created")
    IN_TRANSIT = "in_transit", _("In transit")
    CUSTOMS = "customs", _("In customs")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Delivery problem")


S = ShipmentStatus
# The forward order of a parcel's journey; a status only ever moves to a higher rank.
RANK: dict[str, int] = {
    S.LABEL_CREATED: 0,
    S.IN_TRANSIT: 1,
    S.CUSTOMS: 2,
    S.OUT_FOR_DELIVERY: 3,
    S.DELIVERED: 4,
}
# What a carrier callback may report (label_created is ours, set when the label is made).
CALLBACK_STATUSES: tuple[str, ...] = (S.IN_TRANSIT, S.CUSTOMS, S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION)


class SizeRule(models.TextChoices):
    """How a service measures a parcel's overall size against ``max_size_cm``."""

    SUM = "sum", _("Length + width + height")
    GIRTH = "girth", _("Length + girth (2 × (width + height))")


class AdapterName(models.TextChoices):
    """The integrations that talk to carriers. A real carrier plugs in beside the sandbox."""

    SANDBOX = "sandbox", _("Built-in sandbox carrier")

"""The order lifecycle (PRODUCT.md §5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid (in escrow)")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")
    DISPUTED = "disputed", _("Disputed")


S = OrderStatus
TRANSITIONS: dict[str, set[str]] = {
    S.PENDING_PAYMENT: {S.PAID, S.CANCELLED},
    S.PAID: {S.SHIPPED, S.CANCELLED, S.REFUNDED},
    S.SHIPPED: {S.DELIVERED, S.COMPLETED, S.DISPUTED, S.REFUNDED},
    S.DELIVERED: {S.COMPLETED, S.DISPUTED, S.REFUNDED},
    S.DISPUTED: {S.COMPLETED, S.REFUNDED},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
    S.REFUNDED: set(),
}
# The buyer's money sits in escrow in these states.
ESCROW_STATUSES = (S.PAID, S.SHIPPED, S.DELIVERED, S.DISPUTED)
# Either side may cancel (with a full refund once paid) until the parcel ships.
CANCELLABLE_STATUSES = (S.PENDING_PAYMENT, S.PAID)
# The seller may refund part of the price while the money is still in escrow — except during a
# dispute, whose money moves only through the dispute (an accepted offer or a decision).
REFUNDABLE_STATUSES = (S.PAID, S.SHIPPED, S.DELIVERED)
# The buyer may open a dispute once the parcel has left and until the order closes.
DISPUTABLE_STATUSES = (S.SHIPPED, S.DELIVERED)

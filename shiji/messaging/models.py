"""Messages between buyer and seller, per order and per listing inquiry, with contact details redacted.

Only the redacted text of a message is stored: the original never reaches the database (see
docs/domains/messaging.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shiji.core.ids import OpaqueIdField


class ConversationKind(models.TextChoices):
    ORDER = "order", _("Order")
    INQUIRY = "inquiry", _("Question about a listing")


class Conversation(models.Model):
    """One thread between a buyer and a seller: about an order, or a buyer's inquiry about a
    listing (one per buyer and listing)."""

    id = OpaqueIdField(prefix="cnv")
    kind = models.CharField(max_length=10, choices=ConversationKind.choices)
    order = models.OneToOneField(
        "orders.Order", on_delete=models.CASCADE, null=True, blank=True, related_name="conversation"
    )
    listing = models.ForeignKey("catalog.Listing", on_delete=models.CASCADE, related_name="conversations")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(null=True, blank=True)
    buyer_last_read_at = models.DateTimeField(null=True, blank=True)
    seller_last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["buyer", "-last_message_at"], name="msg_conv_buyer_recent"),
            models.Index(fields=["seller", "-last_message_at"], name="msg_conv_seller_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "buyer"],
                condition=models.Q(kind="inquiry"),
                name="msg_one_inquiry_per_buyer_listing",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="order") & models.Q(order__isnull=False))
                | (models.Q(kind="inquiry") & models.Q(order__isnull=True)),
                name="msg_order_thread_has_order",
            ),
            models.CheckConstraint(condition=~models.Q(buyer=models.F("seller")), name="msg_two_parties"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} ({self.kind})"

    def is_participant(self, user_id: str) -> bool:
        return user_id in (self.buyer_id, self.seller_id)


class Message(models.Model):
    id = OpaqueIdField(prefix="msg")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()  # redacted; the original is never stored
    redacted_kinds = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A moderator hid it: participants see a placeholder instead of the text.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The risk engine blocked it: never delivered, kept for the risk decision that points at it.
    withheld_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["conversation", "id"], name="msg_thread_order")]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def redacted(self) -> bool:
        return bool(self.redacted_kinds)

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

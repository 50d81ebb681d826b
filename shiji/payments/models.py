"""Payments (money in), refunds (money back to the buyer) and payouts (money out to a seller),
each mirrored at a provider; provider callbacks are recorded once per event id."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shiji.core.ids import OpaqueIdField
from shiji.core.models import StateEvent


class PaymentStatus(models.TextChoices):
    REQUIRES_PAYMENT = "requires_payment", _("Waiting for the buyer to pay")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Payment failed")  # the buyer may try again until the order expires
    CANCELLED = "cancelled", _("Cancelled")


PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    PaymentStatus.REQUIRES_PAYMENT: {PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELLED},
    PaymentStatus.FAILED: {PaymentStatus.SUCCEEDED, PaymentStatus.CANCELLED},
    # A capture the provider reports for a cancelled payment still happened: it is booked and refunded.
    PaymentStatus.CANCELLED: {PaymentStatus.SUCCEEDED},
    PaymentStatus.SUCCEEDED: set(),
}


class Payment(models.Model):
    id = OpaqueIdField(prefix="pay")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=32)
    provider_ref = models.CharField(max_length=80, blank=True)
    client_secret = models.CharField(max_length=120, blank=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.REQUIRES_PAYMENT)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.pk} {self.amount_minor} {self.currency} ({self.status})"


class PaymentEvent(StateEvent):
    subject = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Refund on its way")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Refund failed")


REFUND_TRANSITIONS: dict[str, set[str]] = {
    RefundStatus.PENDING: {RefundStatus.SUCCEEDED, RefundStatus.FAILED},
    RefundStatus.SUCCEEDED: set(),
    RefundStatus.FAILED: set(),
}


class Refund(models.Model):
    id = OpaqueIdField(prefix="rfd")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    reason = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider_ref = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="refund_positive")]

    def __str__(self) -> str:
        return f"{self.pk} {self.amount_minor} {self.currency} ({self.status})"


class RefundEvent(StateEvent):
    subject = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="events")


class PayoutStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    HELD = "held", _("Held for a check by our team")  # a risk rule fired; staff release or cancel it
    PROCESSING = "processing", _("Sent to the bank")
    PAID = "paid", _("Paid out")
    FAILED = "failed", _("Failed; the money is back in your balance")
    CANCELLED = "cancelled", _("Cancelled; the money is back in your balance")


PAYOUT_TRANSITIONS: dict[str, set[str]] = {
    PayoutStatus.REQUESTED: {PayoutStatus.HELD, PayoutStatus.PROCESSING, PayoutStatus.PAID, PayoutStatus.FAILED},
    PayoutStatus.HELD: {PayoutStatus.REQUESTED, PayoutStatus.CANCELLED},
    PayoutStatus.PROCESSING: {PayoutStatus.PAID, PayoutStatus.FAILED},
    PayoutStatus.PAID: set(),
    PayoutStatus.FAILED: set(),
    PayoutStatus.CANCELLED: set(),
}
# The money of these payouts has left the seller's balance but not yet the platform.
PAYOUT_IN_FLIGHT_STATUSES = (PayoutStatus.REQUESTED, PayoutStatus.HELD, PayoutStatus.PROCESSING)


class Payout(models.Model):
    id = OpaqueIdField(prefix="po")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=PayoutStatus.choices, default=PayoutStatus.REQUESTED)
    provider = models.CharField(max_length=32)
    provider_ref = models.CharField(max_length=80, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="payout_positive")]

    def __str__(self) -> str:
        return f"{self.pk} {self.amount_minor} {self.currency} ({self.status})"


class PayoutEvent(StateEvent):
    subject = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="events")


class PayoutMethod(models.TextChoices):
    BANK = "bank", _("Bank account")
    ALIPAY = "alipay", _("Alipay")
    WISE = "wise", _("Wise")


class PayoutAccount(models.Model):
    """Where a seller's payouts go. Only what is needed is kept: the method, the holder's name and
    the last four characters of the account number (the full number goes to the provider, not
    here). ``changed_at`` starts the payout hold window of the risk rules."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payout_account")
    method = models.CharField(max_length=12, choices=PayoutMethod.choices)
    holder_name = models.CharField(max_length=100)
    account_last4 = models.CharField(max_length=4)
    changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.method} ···{self.account_last4}"

    @property
    def masked(self) -> str:
        return f"···· {self.account_last4}"


class CallbackStatus(models.TextChoices):
    APPLIED = "applied"
    PARKED = "parked"  # arrived before what it depends on; applied when that arrives
    IGNORED = "ignored"  # stale (e.g. a failure reported after the success) — recorded, no effect


class ProviderCallback(models.Model):
    """Every provider event received, once: the unique (provider, event_id) makes repeats no-ops."""

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=120)
    type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, db_index=True)  # our payment, refund or payout id
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=CallbackStatus.choices)
    note = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="callback_once")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id} {self.type} ({self.status})"


def _percent_field() -> models.DecimalField:
    return models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(50))],
    )


class CategoryFee(models.Model):
    """Per-category fee override (admin-editable); empty fields fall back to the settings."""

    category = models.OneToOneField("catalog.Category", on_delete=models.CASCADE, related_name="fee")
    buyer_fee_percent = _percent_field()
    commission_percent = _percent_field()
    commission_reliable_percent = _percent_field()

    def __str__(self) -> str:
        return f"fees for {self.category_id}"


class SandboxOperation(models.Model):
    """The sandbox provider's own books: what it was asked to do and what happened."""

    ref = models.CharField(max_length=40, primary_key=True)
    kind = models.CharField(max_length=16)  # payment, refund, payout
    target_id = models.CharField(max_length=40, unique=True)  # our id: the provider dedupes requests by it
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, default="created")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} {self.ref} ({self.status})"

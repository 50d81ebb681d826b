"""Quotes and orders. Amounts are integer minor units; ``currency`` is the buyer's currency and
``seller_currency`` the listing's. The order's money columns shadow the ledger: what was
captured, refunded, handed over (duties, postage) and released — the ledger check compares the
escrow account of each order with ``captured - refunded - remitted - released``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from shiji.core.ids import OpaqueIdField
from shiji.core.models import StateEvent
from shiji.orders.states import OrderStatus


class Quote(models.Model):
    """A price offer to one buyer, valid until ``expires_at``; it locks the FX rate."""

    id = OpaqueIdField(prefix="quo")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quotes")
    listing = models.ForeignKey("catalog.Listing", on_delete=models.CASCADE, related_name="quotes")
    quantity = models.PositiveIntegerField()
    ship_to = models.JSONField()
    currency = models.CharField(max_length=3)
    seller_currency = models.CharField(max_length=3)
    fx_rate = models.CharField(max_length=40)  # seller currency → buyer currency, margin included
    fx_mid_rate = models.CharField(max_length=40)
    fx_source = models.CharField(max_length=64)
    fx_as_of = models.DateTimeField()
    item_seller_minor = models.BigIntegerField()  # price × quantity in the seller's currency
    item_minor = models.BigIntegerField()  # the same in the buyer's currency at fx_rate
    item_mid_minor = models.BigIntegerField()  # … at the mid rate; the difference is FX margin
    shipping_minor = models.BigIntegerField(default=0)
    duties_minor = models.BigIntegerField(default=0)
    taxes_minor = models.BigIntegerField(default=0)
    buyer_fee_minor = models.BigIntegerField()
    total_minor = models.BigIntegerField()
    duties_mode = models.CharField(max_length=16, default="prepaid")
    regime = models.CharField(max_length=40, blank=True)
    carrier_service = models.CharField(max_length=40, blank=True)
    chargeable_weight_g = models.PositiveIntegerField(default=0)
    options = models.JSONField(default=list)
    rule_ids = models.JSONField(default=list)
    customs = models.JSONField(default=dict)  # the customs assessment (regime, rules, amounts)
    cbec_amount_minor = models.BigIntegerField(null=True, blank=True)  # CN yearly allowance use, CNY
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.pk} {self.total_minor} {self.currency}"


class Order(models.Model):
    id = OpaqueIdField(prefix="ord")
    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, related_name="order")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchases")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales")
    listing = models.ForeignKey("catalog.Listing", on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT)
    quantity = models.PositiveIntegerField()
    ship_to = models.JSONField()
    ship_to_country = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)
    seller_currency = models.CharField(max_length=3)
    fx_rate = models.CharField(max_length=40)
    fx_mid_rate = models.CharField(max_length=40)
    item_seller_minor = models.BigIntegerField()
    item_minor = models.BigIntegerField()
    item_mid_minor = models.BigIntegerField()
    shipping_minor = models.BigIntegerField(default=0)
    duties_minor = models.BigIntegerField(default=0)
    taxes_minor = models.BigIntegerField(default=0)
    buyer_fee_minor = models.BigIntegerField()
    total_minor = models.BigIntegerField()
    duties_mode = models.CharField(max_length=16, default="prepaid")
    carrier_service = models.CharField(max_length=40, blank=True)
    chargeable_weight_g = models.PositiveIntegerField(default=0)
    customs = models.JSONField(default=dict)
    # Set when a shipped parcel had no tracking update for too long: staff look at it.
    review_requested_at = models.DateTimeField(null=True, blank=True)
    # Money shadow columns (buyer currency), each changed with the matching journal entry.
    captured_minor = models.BigIntegerField(default=0)
    refunded_minor = models.BigIntegerField(default=0)
    remitted_minor = models.BigIntegerField(default=0)
    released_minor = models.BigIntegerField(default=0)
    # Set on completion, in the seller's currency.
    commission_minor = models.BigIntegerField(null=True, blank=True)
    seller_proceeds_minor = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["buyer", "-created_at"]),
            models.Index(fields=["seller", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refunded_minor__gte=0)
                & models.Q(remitted_minor__gte=0)
                & models.Q(released_minor__gte=0)
                & models.Q(
                    captured_minor__gte=models.F("refunded_minor")
                    + models.F("remitted_minor")
                    + models.F("released_minor")
                ),
                name="order_money_within_captured",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pk} ({self.status})"

    @property
    def escrow_expected_minor(self) -> int:
        return self.captured_minor - self.refunded_minor - self.remitted_minor - self.released_minor


class OrderEvent(StateEvent):
    subject = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")

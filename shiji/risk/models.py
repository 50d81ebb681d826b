"""Risk (PRODUCT.md §7): rules that are data, the decisions they led to, payment blocks, and the
signals the counting rules count. ``RiskEvent`` rows record things that look wrong (a callback
for the wrong amount, a refund the provider could not make) for staff.

See docs/domains/risk.md for every seed rule and what each action does where.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shiji.core.ids import OpaqueIdField
from shiji.core.models import StateEvent
from shiji.risk.engine import RiskAction, RiskPoint


class RiskEvent(models.Model):
    id = OpaqueIdField(prefix="rsk")
    kind = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_type = models.CharField(max_length=48, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_type}:{self.subject_id}"


POINT_CHOICES = [
    (RiskPoint.REGISTRATION.value, _("Registration")),
    (RiskPoint.LISTING_PUBLISH.value, _("Publishing a listing")),
    (RiskPoint.ORDER_CREATE.value, _("Placing an order")),
    (RiskPoint.PAYMENT_CALLBACK.value, _("A payment's result")),
    (RiskPoint.PAYOUT_REQUEST.value, _("Requesting a payout")),
    (RiskPoint.MESSAGE_SEND.value, _("Sending a message")),
]
ACTION_CHOICES = [
    (RiskAction.ALLOW.value, _("Allow")),
    (RiskAction.WARN.value, _("Warn the sender")),
    (RiskAction.REVIEW.value, _("Staff review")),
    (RiskAction.HOLD.value, _("Hold the payout for staff")),
    (RiskAction.BLOCK.value, _("Block")),
]


class Condition(models.TextChoices):
    """The kinds of condition a rule can have; each is implemented in ``shiji.risk.conditions``."""

    FAILED_PAYMENTS = "failed_payments", _("Failed payments from one account or IP")
    NEW_ACCOUNT_ORDER_VALUE = "new_account_order_value", _("A new account placing a large order")
    PAYOUT_AFTER_ACCOUNT_CHANGE = "payout_after_account_change", _("A payout soon after a payout-account change")
    SHARED_ADDRESS_OR_PHONE = "shared_address_or_phone", _("One shipping address or phone on many accounts")
    CONTACT_DETAILS = "contact_details", _("Contact details or off-platform payment in a message")
    COUNTERFEIT_WORDS = "counterfeit_words", _("Counterfeit words in a listing")
    REGISTRATIONS_PER_IP = "registrations_per_ip", _("Many accounts registered from one IP")


class RiskRule(models.Model):
    """One public rule. ``window_seconds`` and ``threshold`` are what the condition counts over
    (0 = no time limit / "any"); ``params`` holds the rest (keywords, value limit, block time)."""

    id = OpaqueIdField(prefix="rrl")
    code = models.SlugField(max_length=64, unique=True)
    point = models.CharField(max_length=24, choices=POINT_CHOICES)
    condition = models.CharField(max_length=40, choices=Condition.choices)
    window_seconds = models.PositiveIntegerField(default=0)
    threshold = models.PositiveIntegerField(default=0)
    action = models.CharField(max_length=8, choices=ACTION_CHOICES)
    params = models.JSONField(default=dict, blank=True)
    title_zh_hans = models.CharField(max_length=200)
    title_ja = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_zh_hans = models.TextField(blank=True)
    description_ja = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["point", "position", "code"]
        indexes = [models.Index(fields=["point", "active", "position"])]

    def __str__(self) -> str:
        return self.code

    def title_for(self, language: str | None) -> str:
        return {"zh-hans": self.title_zh_hans, "ja": self.title_ja}.get(language or "", "") or self.title_en

    def description_for(self, language: str | None) -> str:
        text = {"zh-hans": self.description_zh_hans, "ja": self.description_ja}.get(language or "", "")
        return text or self.description_en


class ReviewStatus(models.TextChoices):
    NONE = "none", _("No review needed")
    OPEN = "open", _("Waiting for staff")
    CLEARED = "cleared", _("Cleared")
    CONFIRMED = "confirmed", _("Confirmed")


REVIEW_TRANSITIONS: dict[str, set[str]] = {
    ReviewStatus.OPEN: {ReviewStatus.CLEARED, ReviewStatus.CONFIRMED},
    ReviewStatus.NONE: set(),
    ReviewStatus.CLEARED: set(),
    ReviewStatus.CONFIRMED: set(),
}


class RiskDecision(models.Model):
    """What the rules decided once at one point: the rules that fired, what they saw, and — for
    ``review`` and ``hold`` — what staff made of it."""

    id = OpaqueIdField(prefix="rdc")
    point = models.CharField(max_length=24, choices=POINT_CHOICES)
    action = models.CharField(max_length=8, choices=ACTION_CHOICES)
    rules = models.JSONField(default=list)  # codes of the rules that fired
    inputs = models.JSONField(default=dict)  # what the caller passed (no secrets)
    facts = models.JSONField(default=dict)  # per rule code: what its condition counted or matched
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="risk_decisions"
    )
    subject_type = models.CharField(max_length=48, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)  # shown to staff only
    created_at = models.DateTimeField(default=timezone.now)
    review_status = models.CharField(max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.NONE)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["review_status", "point", "created_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.point} {self.action} ({self.review_status})"


class RiskDecisionEvent(StateEvent):
    subject = models.ForeignKey(RiskDecision, on_delete=models.CASCADE, related_name="events")


class BlockScope(models.TextChoices):
    PAYMENTS = "payments", _("Payments")


class RiskBlock(models.Model):
    """Refuse ``scope`` for a user and/or an IP address until ``until``."""

    id = OpaqueIdField(prefix="rbk")
    scope = models.CharField(max_length=16, choices=BlockScope.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    until = models.DateTimeField()
    decision = models.ForeignKey(RiskDecision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["scope", "user", "until"]),
            models.Index(fields=["scope", "ip", "until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(ip__isnull=False), name="risk_block_has_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} block until {self.until:%Y-%m-%d %H:%M}"


class SignalKind(models.TextChoices):
    REGISTRATION_IP = "registration_ip"
    ORDER_IP = "order_ip"
    ORDER_ADDRESS = "order_address"  # a digest of the normalised shipping address
    ORDER_PHONE = "order_phone"  # a digest of the normalised phone number
    PAYMENT_FAILED = "payment_failed"  # value: the IP the order was placed from, or ""


class RiskSignal(models.Model):
    """One observation the counting rules count (who, which value, when). Recorded by the engine
    at every evaluation, whether or not a rule fires, so a rule switched on later has history."""

    kind = models.CharField(max_length=20, choices=SignalKind.choices)
    value = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "value", "created_at"]),
            models.Index(fields=["kind", "user", "created_at"]),
            models.Index(fields=["kind", "subject_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"

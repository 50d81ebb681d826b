"""Customs rules (data with dates, edited by staff) and the CN cross-border allowance used per buyer and year."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from shiji.core.ids import OpaqueIdField
from shiji.customs.rules import RuleKind

rule_id_validator = RegexValidator(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "Lower-case letters, digits and dashes.")
destination_validator = RegexValidator(r"^(?:[A-Z]{2})$", 'An ISO 3166-1 alpha-2 code, or "EU".')
regime_validator = RegexValidator(r"^[a-z][a-z0-9_]*$", "Lower-case letters, digits and underscores.")


class CustomsRule(models.Model):
    """One dated rule. ``valid_to`` is exclusive (the first day the rule no longer applies); a quote
    made on a date uses the active rules valid that day. Quotes name the ids they applied, so an id
    never changes meaning: to change a figure from a date, end the old row and add a new one."""

    id = models.CharField(max_length=40, primary_key=True, validators=[rule_id_validator])
    destination = models.CharField(max_length=2, validators=[destination_validator])
    regime = models.CharField(max_length=32, validators=[regime_validator])
    kind = models.CharField(max_length=32, choices=[(k.value, k.value) for k in RuleKind])
    parameters = models.JSONField(default=dict, blank=True)
    prepaid_allowed = models.BooleanField(default=False)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Exclusive: the first day the rule no longer applies.")
    source = models.TextField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["destination", "kind", "valid_from", "id"]
        indexes = [models.Index(fields=["destination", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=models.F("valid_from")),
                name="customs_rule_valid_range",
            )
        ]

    def __str__(self) -> str:
        until = f"–{self.valid_to}" if self.valid_to else "–"
        return f"{self.id} ({self.destination} {self.regime}, {self.valid_from}{until})"


class CbecAllowanceUse(models.Model):
    """One order's use of the buyer's CN cross-border allowance (26,000 CNY a year). ``year`` is the
    calendar year in China. A cancelled order gives its use back (``released_at``); one row per order."""

    id = OpaqueIdField(prefix="cbec")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cbec_uses")
    year = models.PositiveSmallIntegerField()
    order_id = models.CharField(max_length=40, unique=True)
    amount_minor = models.BigIntegerField()  # CNY fen
    recorded_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["buyer", "year"])]
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gte=0), name="cbec_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.amount_minor / 100:.2f} CNY in {self.year}"

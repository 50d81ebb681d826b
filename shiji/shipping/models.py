"""Carriers and their services as data (admin-editable, seeded by a migration), the zones and
weight brackets that price them, shipments with their tracking events, and the sandbox
carrier's own books.

Prices are integer minor units in the service's currency. A zone is the set of destination
countries one service serves from one origin country at one price table.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shiji.core.ids import OpaqueIdField
from shiji.core.storage import private_storage
from shiji.shipping.states import AdapterName, ShipmentStatus, SizeRule

country_code = RegexValidator(r"^[A-Z]{2}$", _("Use an ISO 3166-1 alpha-2 code such as JP or CN."))
currency_code = RegexValidator(r"^[A-Z]{3}$", _("Use an ISO 4217 code such as JPY or CNY."))


class Carrier(models.Model):
    id = OpaqueIdField(prefix="car")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    # The integration that creates its labels and signs its callbacks (and names the webhook path).
    adapter = models.CharField(max_length=32, choices=AdapterName.choices, default=AdapterName.SANDBOX)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CarrierService(models.Model):
    id = OpaqueIdField(prefix="csv")
    code = models.SlugField(max_length=40, unique=True)
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="services")
    name_zh_hans = models.CharField(max_length=80)
    name_ja = models.CharField(max_length=80)
    name_en = models.CharField(max_length=80)
    currency = models.CharField(max_length=3, validators=[currency_code])  # of every price of this service
    volumetric_divisor = models.PositiveIntegerField(validators=[MinValueValidator(1000)])  # cm³ per kg
    rounding_step_g = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    max_weight_g = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    max_length_cm = models.PositiveIntegerField(validators=[MinValueValidator(1)])  # longest side
    size_rule = models.CharField(max_length=8, choices=SizeRule.choices, default=SizeRule.SUM)
    max_size_cm = models.PositiveIntegerField(validators=[MinValueValidator(1)])  # L+W+H or L+girth
    transit_days_min = models.PositiveSmallIntegerField()
    transit_days_max = models.PositiveSmallIntegerField()
    tracked = models.BooleanField(default=True)
    ddp = models.BooleanField(default=False)  # duties can be paid in advance (delivered duty paid)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(transit_days_min__lte=models.F("transit_days_max")),
                name="shipping_service_transit_days_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name_en} ({self.code})"

    def names(self) -> dict[str, str]:
        return {"zh-hans": self.name_zh_hans, "ja": self.name_ja, "en": self.name_en}

    def name_for(self, language: str) -> str:
        return self.names().get(language) or self.name_en


class ShippingZone(models.Model):
    """Destinations one service serves from one origin country, priced by ``RateBracket`` rows."""

    id = OpaqueIdField(prefix="zon")
    service = models.ForeignKey(CarrierService, on_delete=models.CASCADE, related_name="zones")
    origin_country = models.CharField(max_length=2, validators=[country_code])
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=80, blank=True)
    # Longer or shorter than the service's usual days for this zone (both empty: the service's).
    transit_days_min = models.PositiveSmallIntegerField(null=True, blank=True)
    transit_days_max = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["service", "origin_country", "code"]
        constraints = [
            models.UniqueConstraint(fields=["service", "origin_country", "code"], name="shipping_zone_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.origin_country} → {self.code}"


class ZoneCountry(models.Model):
    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="countries")
    country = models.CharField(max_length=2, validators=[country_code])

    class Meta:
        ordering = ["country"]
        verbose_name_plural = "zone countries"
        constraints = [models.UniqueConstraint(fields=["zone", "country"], name="shipping_zone_country_once")]
        indexes = [models.Index(fields=["country", "zone"])]

    def __str__(self) -> str:
        return self.country

    def clean(self) -> None:
        """One destination belongs to one zone per service and origin (else its price is ambiguous)."""
        if not self.zone_id or not self.country:
            return
        zone = self.zone
        clash = (
            ZoneCountry.objects.filter(
                country=self.country, zone__service_id=zone.service_id, zone__origin_country=zone.origin_country
            )
            .exclude(zone_id=zone.pk)
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "country": _("%(country)s is already in zone %(zone)s.")
                    % {"country": self.country, "zone": clash.zone}
                }
            )


class RateBracket(models.Model):
    """Up to ``max_weight_g`` of chargeable weight costs ``price_minor`` (the service's currency)."""

    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="brackets")
    max_weight_g = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    price_minor = models.BigIntegerField(validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["zone", "max_weight_g"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "max_weight_g"], name="shipping_bracket_once"),
            models.CheckConstraint(condition=models.Q(price_minor__gte=0), name="shipping_bracket_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"≤ {self.max_weight_g} g: {self.price_minor}"


class Shipment(models.Model):
    """One parcel for one order. ``status`` moves forward only (see ``states.RANK``)."""

    id = OpaqueIdField(prefix="shp")
    order_id = models.CharField(max_length=40, unique=True)
    service = models.ForeignKey(CarrierService, on_delete=models.PROTECT, related_name="shipments")
    tracking_number = models.CharField(max_length=40, unique=True)
    # Labels carry the buyer's name and address: private storage, downloaded through a checked view.
    label = models.FileField(upload_to="labels/", max_length=200, blank=True, storage=private_storage)
    label_content_type = models.CharField(max_length=40, blank=True)
    origin_country = models.CharField(max_length=2)
    destination_country = models.CharField(max_length=2)
    chargeable_weight_g = models.PositiveIntegerField()
    price_minor = models.BigIntegerField()  # postage in the service's currency
    currency = models.CharField(max_length=3)
    declaration = models.JSONField(default=dict)  # the customs declaration (``declarations.py``)
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.LABEL_CREATED)
    status_at = models.DateTimeField(default=timezone.now)  # carrier time of the event that set ``status``
    # The furthest ranked status reported so far (``status`` may be ``exception`` meanwhile).
    progress = models.CharField(max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.LABEL_CREATED)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(default=timezone.now)  # carrier time of the latest event

    class Meta:
        indexes = [models.Index(fields=["status", "last_event_at"])]

    def __str__(self) -> str:
        return f"{self.tracking_number} ({self.status})"


class TrackingEvent(models.Model):
    """Every carrier event, kept for the timeline even when it does not move the status. The
    unique (carrier, event_id) makes a repeated callback a no-op."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    carrier = models.CharField(max_length=32)  # the adapter that sent it ("sandbox")
    event_id = models.CharField(max_length=120)
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices)
    at = models.DateTimeField()  # when it happened, as the carrier says
    location = models.CharField(max_length=120, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    applied = models.BooleanField(default=False)  # whether it moved the shipment's status

    class Meta:
        ordering = ["at", "received_at", "id"]
        constraints = [models.UniqueConstraint(fields=["carrier", "event_id"], name="shipping_event_once")]

    def __str__(self) -> str:
        return f"{self.carrier}:{self.event_id} {self.status}"


class SandboxParcel(models.Model):
    """The sandbox carrier's own books: what it was asked to ship and the last status it reported."""

    tracking_number = models.CharField(max_length=40, primary_key=True)
    shipment_id = models.CharField(max_length=40, unique=True)
    origin_country = models.CharField(max_length=2)
    destination_country = models.CharField(max_length=2)
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.LABEL_CREATED)
    events_sent = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.tracking_number} ({self.status})"

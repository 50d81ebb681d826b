"""Categories, listings, their photos and events, and what a destination forbids."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from shiji.catalog.states import Condition, ListingStatus
from shiji.core.ids import OpaqueIdField
from shiji.core.models import StateEvent


class Category(models.Model):
    id = OpaqueIdField(prefix="cat")
    slug = models.SlugField(max_length=64, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name_zh_hans = models.CharField(max_length=80)
    name_ja = models.CharField(max_length=80)
    name_en = models.CharField(max_length=80)
    hs_code = models.CharField(max_length=6)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name_en

    def names(self) -> dict[str, str]:
        return {"zh-hans": self.name_zh_hans, "ja": self.name_ja, "en": self.name_en}

    def name_for(self, language: str) -> str:
        return self.names().get(language) or self.name_en


class Listing(models.Model):
    id = OpaqueIdField(prefix="lst")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listings")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="listings")
    status = models.CharField(max_length=16, choices=ListingStatus.choices, default=ListingStatus.DRAFT)
    title = models.JSONField()  # {"ja": "...", "zh-hans": "..."}
    description = models.JSONField(default=dict)
    original_language = models.CharField(max_length=8)
    condition = models.CharField(max_length=16, choices=Condition.choices)
    price_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    quantity = models.PositiveIntegerField()
    weight_g = models.PositiveIntegerField()
    length_cm = models.PositiveSmallIntegerField()
    width_cm = models.PositiveSmallIntegerField()
    height_cm = models.PositiveSmallIntegerField()
    ships_from = models.CharField(max_length=2)
    ships_to = models.JSONField(default=list)  # ["CN", "HK"] or ["*"]
    ships_to_codes = models.CharField(max_length=800, default="")  # ",CN,HK," or "*" — for filtering
    handling_days = models.PositiveSmallIntegerField(default=3)
    story = models.TextField(blank=True)
    tags = models.JSONField(default=list)
    hs_code = models.CharField(max_length=6, blank=True)  # blank: the category's default
    is_business = models.BooleanField(default=False)
    suppressed_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["seller", "status"]),
            models.Index(fields=["category", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(price_minor__gt=0), name="listing_price_positive"),
            models.CheckConstraint(
                condition=models.Q(handling_days__gte=1, handling_days__lte=30), name="listing_handling_days_1_30"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.title.get(self.original_language, '')}"

    @property
    def effective_hs_code(self) -> str:
        return self.hs_code or self.category.hs_code


class ListingEvent(StateEvent):
    subject = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="events")


class ListingPhoto(models.Model):
    id = OpaqueIdField(prefix="pho")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    image_path = models.CharField(max_length=255)
    thumbnail_path = models.CharField(max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "created_at"]

    def __str__(self) -> str:
        return self.id


class ProhibitedRule(models.Model):
    """What a destination forbids: a category (and its sub-categories) or any of some keywords.

    ``country`` is an ISO code or ``*`` for everywhere. Rules are data: operators edit them.
    """

    id = OpaqueIdField(prefix="prh")
    country = models.CharField(max_length=2)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    keywords = models.JSONField(default=list, blank=True)
    reason_zh_hans = models.CharField(max_length=300)
    reason_ja = models.CharField(max_length=300)
    reason_en = models.CharField(max_length=300)
    source = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["country", "id"]

    def __str__(self) -> str:
        return f"{self.country}: {self.reason_en}"

    def reason_for(self, language: str) -> str:
        return {"zh-hans": self.reason_zh_hans, "ja": self.reason_ja}.get(language) or self.reason_en

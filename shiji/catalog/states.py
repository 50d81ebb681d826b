"""Listing lifecycle (PRODUCT.md §2): draft → active → sold_out | removed, plus suppressed."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("On sale")
    SOLD_OUT = "sold_out", _("Sold out")
    REMOVED = "removed", _("Removed")
    SUPPRESSED = "suppressed", _("Hidden by a moderator")


S = ListingStatus
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.ACTIVE, S.REMOVED},
    S.ACTIVE: {S.SOLD_OUT, S.REMOVED, S.SUPPRESSED},
    S.SOLD_OUT: {S.ACTIVE, S.REMOVED, S.SUPPRESSED},
    S.SUPPRESSED: {S.ACTIVE, S.SOLD_OUT, S.REMOVED},  # reinstated: back on sale, or sold out
    S.REMOVED: set(),
}
# Visible to everyone (search, market, listing page); the rest only to their seller.
PUBLIC_STATUSES = (S.ACTIVE, S.SOLD_OUT)
EDITABLE_STATUSES = (S.DRAFT, S.ACTIVE, S.SOLD_OUT)


class Condition(models.TextChoices):
    NEW = "new", _("New")
    LIKE_NEW = "like_new", _("Like new")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    FOR_PARTS = "for_parts", _("For parts")

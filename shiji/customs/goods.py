"""What kind of goods an item is, for the rules that care (CN postal rates, KR caps, CN consumption tax).

The kind comes from the quote (``ParcelItem.kind``) when it knows better, else from the item's 6-digit
HS code by chapter or heading. This is classification, not a dated rule: rates per kind live in the
rule rows (``CustomsRule.parameters``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

HS6_RE = re.compile(r"^\d{6}$")


class ItemKind(StrEnum):
    FOOD = "food"
    SUPPLEMENTS = "supplements"
    MEDICINE = "medicine"
    COSMETICS = "cosmetics"
    LUXURY_COSMETICS = "luxury_cosmetics"
    BOOKS = "books"
    CLOTHING = "clothing"
    TEXTILES = "textiles"
    ELECTRONICS = "electronics"
    COMPUTERS_CAMERAS = "computers_cameras"
    TOYS = "toys"
    FURNITURE = "furniture"
    SPORTS = "sports"
    JEWELLERY = "jewellery"
    WATCHES = "watches"
    LUXURY_WATCHES = "luxury_watches"
    ALCOHOL = "alcohol"
    TOBACCO = "tobacco"
    GENERAL = "general"


# The 27 member states (ISO 3166-1 alpha-2; Greece is GR). Their parcels use the "EU" rules plus
# the member state's own VAT rate row.
EU_MEMBER_STATES = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    }
)  # fmt: skip

# First match wins: 6-digit code, 4-digit heading, then the 2-digit chapter.
_BY_HS6 = {"210690": ItemKind.FOOD, "847130": ItemKind.COMPUTERS_CAMERAS}
_BY_HEADING = {
    "8471": ItemKind.COMPUTERS_CAMERAS,
    "8525": ItemKind.COMPUTERS_CAMERAS,
    "9006": ItemKind.COMPUTERS_CAMERAS,
    "9506": ItemKind.SPORTS,
    "9401": ItemKind.FURNITURE,
    "9403": ItemKind.FURNITURE,
}
_BY_CHAPTER = {
    "22": ItemKind.ALCOHOL,
    "24": ItemKind.TOBACCO,
    "30": ItemKind.MEDICINE,
    "33": ItemKind.COSMETICS,
    "49": ItemKind.BOOKS,
    "61": ItemKind.CLOTHING,
    "62": ItemKind.CLOTHING,
    "71": ItemKind.JEWELLERY,
    "84": ItemKind.ELECTRONICS,
    "85": ItemKind.ELECTRONICS,
    "91": ItemKind.WATCHES,
    "94": ItemKind.FURNITURE,
    "95": ItemKind.TOYS,
}


def is_hs6(code: object) -> bool:
    return isinstance(code, str) and bool(HS6_RE.match(code))


def kind_from_hs(hs_code: str) -> ItemKind:
    """``"330499"`` → cosmetics, ``"620442"`` → clothing, ``"950300"`` → toys, unknown → general."""
    if hs_code in _BY_HS6:
        return _BY_HS6[hs_code]
    if hs_code[:4] in _BY_HEADING:
        return _BY_HEADING[hs_code[:4]]
    chapter = hs_code[:2]
    if chapter in _BY_CHAPTER:
        return _BY_CHAPTER[chapter]
    number = int(chapter)
    if 1 <= number <= 21 or number == 23:
        return ItemKind.FOOD
    if 50 <= number <= 60 or number == 63:
        return ItemKind.TEXTILES
    return ItemKind.GENERAL


# Catalog categories whose kind the HS code cannot tell (210690 is both snacks and supplements).
CATEGORY_KINDS = {"health": ItemKind.SUPPLEMENTS, "medicine": ItemKind.MEDICINE, "cosmetics": ItemKind.COSMETICS}


def kind_for_category(slugs: Iterable[str]) -> str:
    """The kind for a catalog category, given its slug then its ancestors' (nearest first); "" when the
    HS code should decide."""
    for slug in slugs:
        if slug in CATEGORY_KINDS:
            return CATEGORY_KINDS[slug]
    return ""

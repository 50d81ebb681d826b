"""Shipping addresses: what a parcel needs and nothing more (PRODUCT.md inv. 4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pycountry
from django.utils.translation import gettext as _

from shiji.core.errors import InvalidInput

FIELDS = {
    "name": (1, 100, True),
    "line1": (1, 200, True),
    "line2": (0, 200, False),
    "city": (1, 100, True),
    "region": (0, 100, False),
    "postal_code": (1, 20, True),
    "country": (2, 2, True),
    "phone": (5, 30, True),
}
PHONE_CHARS = set("0123456789+-() ")


def clean_ship_to(value: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for name, (low, high, required) in FIELDS.items():
        raw = value.get(name)
        text = raw.strip() if isinstance(raw, str) else ""
        if raw is not None and not isinstance(raw, str):
            errors[name] = [_("Must be text.")]
            continue
        if not text:
            if required:
                errors[name] = [_("Required.")]
            continue
        if not low <= len(text) <= high or any(ord(ch) < 32 for ch in text):
            errors[name] = [_("Between %(low)s and %(high)s characters.") % {"low": max(low, 1), "high": high}]
            continue
        cleaned[name] = text
    country = cleaned.get("country", "").upper()
    if "country" in cleaned:
        if pycountry.countries.get(alpha_2=country) is None:
            errors["country"] = [_("Not an ISO 3166-1 country code.")]
        cleaned["country"] = country
    phone = cleaned.get("phone", "")
    if phone and (not set(phone) <= PHONE_CHARS or sum(ch.isdigit() for ch in phone) < 5):
        errors["phone"] = [_("Digits, spaces, +, - and brackets only.")]
    unknown = set(value) - set(FIELDS)
    if unknown:
        errors.update({name: [_("Unknown field.")] for name in sorted(unknown)})
    if errors:
        raise InvalidInput(_("Check the shipping address."), fields={f"ship_to.{k}": v for k, v in errors.items()})
    return cleaned

"""Turning listing input (API or page) into model fields, with one clear error per bad field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from shiji.catalog.models import Category
from shiji.catalog.states import Condition
from shiji.core.errors import InvalidInput
from shiji.core.geo import check_country
from shiji.core.money import Money, check_supported_currency

CONTENT_LANGUAGES = ("zh-hans", "zh-hant", "ja", "en", "ko")
MAX_TITLE = 120
MAX_TEXT = 5000
MAX_TAGS = 20
MAX_PRICE_MINOR = 10**12
_HS_RE = re.compile(r"^\d{6}$")


def _fail(field: str, message: str) -> InvalidInput:
    return InvalidInput(_("Some fields are not valid."), fields={field: [message]})


def _texts(value: Any, field: str, *, max_length: int, required: bool) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise _fail(field, _('Give the text per language, e.g. {"ja": "…"}.'))
    texts: dict[str, str] = {}
    for language, text in value.items():
        if language not in CONTENT_LANGUAGES:
            raise _fail(field, _("Unknown language: %(code)s") % {"code": language})
        if not isinstance(text, str):
            raise _fail(field, _("Text must be a string."))
        text = text.strip()
        if len(text) > max_length:
            raise _fail(field, _("At most %(n)s characters.") % {"n": max_length})
        if text:
            texts[language] = text
    if required and not texts:
        raise _fail(field, _("Required."))
    return texts


def _int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(field, _("A whole number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return value


def parse_price(value: Any) -> Money:
    if not isinstance(value, Mapping) or not isinstance(value.get("amount"), str | int) or "currency" not in value:
        raise _fail("price", _('Give the price as {"amount": "1200", "currency": "JPY"}.'))
    currency = check_supported_currency(value["currency"], field="price.currency")
    try:
        price = Money.from_decimal(str(value["amount"]), currency)
    except InvalidInput as exc:
        raise _fail("price.amount", str(exc.message)) from exc
    if not 0 < price.minor <= MAX_PRICE_MINOR:
        raise _fail("price.amount", _("The price must be more than zero."))
    return price


def parse_ships_to(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or len(value) > 250:
        raise _fail("ships_to", _('List the destination countries, or ["*"] for everywhere.'))
    if value == ["*"]:
        return ["*"]
    codes = []
    for code in value:
        check_country(code, field="ships_to")
        if code not in codes:
            codes.append(code)
    return sorted(codes)


def ships_to_codes(ships_to: list[str]) -> str:
    return "*" if ships_to == ["*"] else "," + ",".join(ships_to) + ","


def parse_tags(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_TAGS:
        raise _fail("tags", _("At most %(n)s tags.") % {"n": MAX_TAGS})
    tags: list[str] = []
    for tag in value:
        if not isinstance(tag, str) or not 1 <= len(tag.strip()) <= 30:
            raise _fail("tags", _("Each tag has 1 to 30 characters."))
        if tag.strip() not in tags:
            tags.append(tag.strip())
    return tags


def clean_listing_fields(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Validate every given field; with ``partial=False`` the required ones must all be present."""
    required = (
        "category",
        "title",
        "original_language",
        "condition",
        "price",
        "quantity",
        "weight_g",
        "size_cm",
        "ships_from",
        "ships_to",
    )
    if not partial:
        missing = [name for name in required if data.get(name) is None]
        if missing:
            raise InvalidInput(_("Some fields are missing."), fields={name: [_("Required.")] for name in missing})
    out: dict[str, Any] = {}
    for name, value in data.items():
        if value is None and partial:
            continue
        if name == "category":
            category = Category.objects.filter(pk=value).first() if isinstance(value, str) else None
            if category is None and isinstance(value, str):
                category = Category.objects.filter(slug=value).first()
            if category is None:
                raise _fail("category", _("Unknown category."))
            out["category"] = category
        elif name == "title":
            out["title"] = _texts(value, "title", max_length=MAX_TITLE, required=True)
        elif name == "description":
            out["description"] = _texts(value, "description", max_length=MAX_TEXT, required=False)
        elif name == "original_language":
            if value not in CONTENT_LANGUAGES:
                raise _fail("original_language", _("Unknown language: %(code)s") % {"code": value})
            out["original_language"] = value
        elif name == "condition":
            if value not in Condition.values:
                raise _fail("condition", ", ".join(Condition.values))
            out["condition"] = value
        elif name == "price":
            price = parse_price(value)
            out["price_minor"], out["currency"] = price.minor, price.currency
        elif name == "quantity":
            out["quantity"] = _int(value, "quantity", 0 if partial else 1, 9999)
        elif name == "weight_g":
            out["weight_g"] = _int(value, "weight_g", 1, 70_000)
        elif name == "size_cm":
            if not isinstance(value, list | tuple) or len(value) != 3:
                raise _fail("size_cm", _("Give [length, width, height] in centimetres."))
            out["length_cm"], out["width_cm"], out["height_cm"] = (_int(v, "size_cm", 1, 300) for v in value)
        elif name == "ships_from":
            out["ships_from"] = check_country(value, field="ships_from")
        elif name == "ships_to":
            out["ships_to"] = parse_ships_to(value)
            out["ships_to_codes"] = ships_to_codes(out["ships_to"])
        elif name == "handling_days":
            out["handling_days"] = _int(value, "handling_days", 1, 30)
        elif name == "story":
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                raise _fail("story", _("At most %(n)s characters.") % {"n": MAX_TEXT})
            out["story"] = value.strip()
        elif name == "tags":
            out["tags"] = parse_tags(value)
        elif name == "hs_code":
            if value not in ("", None) and (not isinstance(value, str) or not _HS_RE.match(value)):
                raise _fail("hs_code", _("Six digits, e.g. 620442."))
            out["hs_code"] = value or ""
        elif name == "is_business":
            if not isinstance(value, bool):
                raise _fail("is_business", _("true or false."))
            out["is_business"] = value
        else:
            raise _fail(name, _("Unknown field."))
    if "title" in out and "original_language" in out and out["original_language"] not in out["title"]:
        raise _fail("title", _("Give the title in the original language too."))
    return out

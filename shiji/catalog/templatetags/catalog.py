"""Template helpers: a listing's text in the viewer's language, money formatted for the locale."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import translation

from shiji.core.geo import country_name as _country_name
from shiji.core.money import Money

register = template.Library()


@register.filter
def in_language(texts: dict[str, str] | None, fallback: str = "") -> str:
    """The text in the active language, else the original (``fallback`` names its language)."""
    if not texts:
        return ""
    language = translation.get_language() or "en"
    return texts.get(language) or texts.get(fallback) or next(iter(texts.values()))


@register.filter
def is_translated(texts: dict[str, str] | None) -> bool:
    return bool(texts) and (translation.get_language() or "en") in texts  # type: ignore[operator]


@register.simple_tag
def money(minor: int, currency: str) -> str:
    return Money(minor, currency).format(translation.get_language() or "en")


@register.filter
def money_format(value: Any) -> str:
    if isinstance(value, Money):
        return value.format(translation.get_language() or "en")
    return ""


@register.filter
def category_name(category: Any) -> str:
    return str(category.name_for(translation.get_language() or "en")) if category is not None else ""


@register.filter
def country_name(code: str) -> str:
    """JP → 日本 / Japan / 日本, in the reader's language."""
    return _country_name(code) if code else ""


@register.filter
def rate_format(rate: Any) -> str:
    """An exchange rate to six significant digits (0.006733333333 → 0.00673333, 150.25 → 150.25)."""
    try:
        value = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        return str(rate)
    if not value.is_finite() or value == 0:
        return str(value)
    places = max(0, 6 - (value.adjusted() + 1))
    return f"{value.quantize(Decimal(1).scaleb(-places)).normalize():f}"

"""Template helpers: a listing's text in the viewer's language, money formatted for the locale."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation

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

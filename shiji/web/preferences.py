"""What a page visitor prefers: their profile when signed in, else a guess from the language."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation

from shiji.accounts.models import User

CURRENCY_BY_LANGUAGE = {"zh-hans": "CNY", "ja": "JPY", "en": "USD"}


def viewer(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None


def viewer_currency(request: HttpRequest) -> str:
    user = viewer(request)
    if user is not None:
        return user.currency
    return CURRENCY_BY_LANGUAGE.get(translation.get_language() or "en", "USD")


def viewer_country(request: HttpRequest) -> str | None:
    user = viewer(request)
    return user.country if user is not None else None

"""Countries (ISO 3166-1 alpha-2 via pycountry), UI languages and time zones, validated once."""

from __future__ import annotations

import contextlib
import gettext
import zoneinfo
from functools import lru_cache

import pycountry
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from shiji.core.errors import InvalidInput

UI_LANGUAGES = ("zh-hans", "ja", "en")
# pycountry's own catalogues name the countries in the viewer's language.
_PYCOUNTRY_LOCALES = {"zh-hans": "zh_CN", "ja": "ja"}


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@lru_cache(maxsize=4)
def _country_names(language: str) -> dict[str, str]:
    locale = _PYCOUNTRY_LOCALES.get(language)
    names: gettext.NullTranslations = gettext.NullTranslations()
    if locale:
        with contextlib.suppress(OSError):
            names = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
    return {c.alpha_2: names.gettext(c.name) for c in pycountry.countries}


def country_name(code: str) -> str:
    """The country's name in the active language (the code itself when unknown)."""
    return _country_names(translation.get_language() or "en").get(code, code)


@lru_cache(maxsize=4)
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    rows = ((code, f"{name} ({code})") for code, name in _country_names(language).items())
    return tuple(sorted(rows, key=lambda row: row[1].casefold()))


def country_choices() -> list[tuple[str, str]]:
    """(code, "Name (CODE)") for a select, in the active language, sorted by name."""
    return list(_country_choices(translation.get_language() or "en"))


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_country(code: object, *, field: str = "country") -> str:
    if not isinstance(code, str) or code not in _country_codes():
        raise InvalidInput(
            _("Unknown country."), fields={field: [_("Use an ISO 3166-1 alpha-2 code such as JP or CN.")]}
        )
    return code


def check_language(code: object, *, field: str = "language") -> str:
    if code not in UI_LANGUAGES:
        raise InvalidInput(_("Unknown language."), fields={field: [_("Choose zh-hans, ja or en.")]})
    return str(code)


def check_time_zone(name: object, *, field: str = "timezone") -> str:
    if not isinstance(name, str) or name not in _time_zones():
        raise InvalidInput(_("Unknown time zone."), fields={field: [_("Use an IANA time zone such as Asia/Tokyo.")]})
    return name


def default_time_zone(country: str) -> str:
    zones = pycountry_zones().get(country)
    return zones[0] if zones else settings.TIME_ZONE


@lru_cache(maxsize=1)
def pycountry_zones() -> dict[str, list[str]]:
    """A few sensible defaults; the user can change theirs on the profile."""
    return {
        "JP": ["Asia/Tokyo"],
        "CN": ["Asia/Shanghai"],
        "KR": ["Asia/Seoul"],
        "HK": ["Asia/Hong_Kong"],
        "TW": ["Asia/Taipei"],
        "SG": ["Asia/Singapore"],
        "TH": ["Asia/Bangkok"],
        "GB": ["Europe/London"],
        "DE": ["Europe/Berlin"],
        "FR": ["Europe/Paris"],
        "US": ["America/New_York"],
    }

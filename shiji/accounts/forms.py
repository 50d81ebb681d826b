"""Page forms of the accounts domain; rules stay in services, these only collect input."""

from __future__ import annotations

import zoneinfo

from babel.numbers import get_currency_name
from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from shiji.accounts.models import LANGUAGE_CHOICES
from shiji.core.geo import country_choices


def _country_choices() -> list[tuple[str, str]]:
    return country_choices()


def _currency_choices() -> list[tuple[str, str]]:
    """ "CNY — 人民币" in the reader's language (Babel's CLDR names)."""
    locale = (translation.get_language() or "en").replace("-", "_")
    return [(code, f"{code} — {get_currency_name(code, locale=locale)}") for code in settings.SHIJI_CURRENCIES]


class RegisterForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=256,
        help_text=_("At least 10 characters; not a common password."),
        strip=False,  # a password is what was typed, edge spaces included (as the API takes it)
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    display_name = forms.CharField(
        label=_("Display name"), max_length=60, help_text=_("Shown to other people. Not your legal name.")
    )
    country = forms.ChoiceField(label=_("Country you live in"), choices=_country_choices)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    currency = forms.ChoiceField(label=_("Currency"), choices=_currency_choices)


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SettingsForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=60)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    currency = forms.ChoiceField(label=_("Currency"), choices=_currency_choices)
    timezone = forms.ChoiceField(
        label=_("Time zone"), choices=lambda: [(z, z) for z in sorted(zoneinfo.available_timezones())]
    )
    bio = forms.CharField(label=_("About you"), required=False, max_length=1000, widget=forms.Textarea)
    interests = forms.CharField(
        label=_("Interests"),
        required=False,
        max_length=1000,
        help_text=_("Separate with commas, for example: vintage, ceramics, anime."),
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class PasswordResetConfirmForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

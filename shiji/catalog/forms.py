"""Page forms for listings; they collect input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from shiji.catalog.selectors import categories_all
from shiji.catalog.states import Condition
from shiji.catalog.validation import CONTENT_LANGUAGES

UI_LANGUAGES = [("ja", "日本語"), ("zh-hans", "简体中文"), ("en", "English")]


def _category_choices() -> list[tuple[str, str]]:
    language = translation.get_language() or "en"
    by_parent: dict[str | None, list[Any]] = {}
    for category in categories_all():
        by_parent.setdefault(category.parent_id, []).append(category)
    choices: list[tuple[str, str]] = []
    for root in by_parent.get(None, []):
        choices.append((root.id, root.name_for(language)))
        choices.extend((child.id, f"— {child.name_for(language)}") for child in by_parent.get(root.id, []))
    return choices


class ListingForm(forms.Form):
    original_language = forms.ChoiceField(label=_("Language you write in"), choices=UI_LANGUAGES)
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000, widget=forms.Textarea)
    story = forms.CharField(
        label=_("The story behind the item"),
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        help_text=_("Where it comes from, why you loved it — buyers read this first."),
    )
    title_zh_hans = forms.CharField(label=_("Title in Chinese (optional)"), required=False, max_length=120)
    title_ja = forms.CharField(label=_("Title in Japanese (optional)"), required=False, max_length=120)
    title_en = forms.CharField(label=_("Title in English (optional)"), required=False, max_length=120)
    category = forms.ChoiceField(label=_("Category"), choices=_category_choices)
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices)
    price = forms.DecimalField(label=_("Price"), min_value=0, max_digits=14, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=lambda: [(c, c) for c in settings.SHIJI_CURRENCIES])
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=9999, initial=1)
    weight_g = forms.IntegerField(label=_("Weight with packing (g)"), min_value=1, max_value=70000)
    length_cm = forms.IntegerField(label=_("Parcel length (cm)"), min_value=1, max_value=300)
    width_cm = forms.IntegerField(label=_("Parcel width (cm)"), min_value=1, max_value=300)
    height_cm = forms.IntegerField(label=_("Parcel height (cm)"), min_value=1, max_value=300)
    ships_from = forms.CharField(label=_("Ships from (country code)"), max_length=2)
    ships_to = forms.CharField(
        label=_("Ships to"),
        max_length=800,
        initial="*",
        help_text=_("Country codes separated by commas (CN, HK, TW), or * for everywhere."),
    )
    handling_days = forms.IntegerField(label=_("Days to ship after payment"), min_value=1, max_value=30, initial=3)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=600,
        help_text=_("Separate with commas, for example: vintage, 昭和, 古着."),
    )
    hs_code = forms.CharField(
        label=_("HS code (optional)"),
        required=False,
        max_length=6,
        help_text=_("Six digits; the category's code is used when empty."),
    )

    def to_service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        original = data["original_language"]
        title = {original: data["title"]}
        for language in ("zh-hans", "ja", "en"):
            extra = data.get(f"title_{language.replace('-', '_')}")
            if extra and language != original:
                title[language] = extra
        split = [part.strip() for part in data["tags"].replace("，", ",").replace("、", ",").split(",")]
        ships_to = [part.strip().upper() for part in data["ships_to"].replace("，", ",").split(",") if part.strip()]
        return {
            "original_language": original,
            "title": title,
            "description": {original: data["description"]} if data["description"] else {},
            "story": data["story"],
            "category": data["category"],
            "condition": data["condition"],
            "price": {"amount": _amount(data["price"]), "currency": data["currency"]},
            "quantity": data["quantity"],
            "weight_g": data["weight_g"],
            "size_cm": [data["length_cm"], data["width_cm"], data["height_cm"]],
            "ships_from": data["ships_from"].strip().upper(),
            "ships_to": ships_to or ["*"],
            "handling_days": data["handling_days"],
            "tags": [t for t in split if t],
            "hs_code": data["hs_code"].strip(),
        }


def _amount(value: Any) -> str:
    text = format(value.normalize(), "f")
    return text


def listing_initial(listing: Any) -> dict[str, Any]:
    from shiji.core.money import Money

    original = listing.original_language
    return {
        "original_language": original if original in dict(UI_LANGUAGES) else "en",
        "title": listing.title.get(original, ""),
        "description": listing.description.get(original, ""),
        "story": listing.story,
        "title_zh_hans": listing.title.get("zh-hans", "") if original != "zh-hans" else "",
        "title_ja": listing.title.get("ja", "") if original != "ja" else "",
        "title_en": listing.title.get("en", "") if original != "en" else "",
        "category": listing.category_id,
        "condition": listing.condition,
        "price": Money(listing.price_minor, listing.currency).amount,
        "currency": listing.currency,
        "quantity": listing.quantity,
        "weight_g": listing.weight_g,
        "length_cm": listing.length_cm,
        "width_cm": listing.width_cm,
        "height_cm": listing.height_cm,
        "ships_from": listing.ships_from,
        "ships_to": ", ".join(listing.ships_to),
        "handling_days": listing.handling_days,
        "tags": ", ".join(listing.tags),
        "hs_code": listing.hs_code,
    }


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Add a photo"),
        help_text=_("JPEG, PNG or WebP, up to 10 MB; up to 12 photos."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=lambda: [("", _("All categories")), *_category_choices()]
    )
    condition = forms.ChoiceField(
        label=_("Condition"), required=False, choices=[("", _("Any condition")), *Condition.choices]
    )
    min_price = forms.DecimalField(
        label=_("Lowest price"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    max_price = forms.DecimalField(
        label=_("Highest price"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    ships_to_me = forms.BooleanField(label=_("Ships to my country"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Best match")),
            ("newest", _("Newest")),
            ("price_asc", _("Price: low to high")),
            ("price_desc", _("Price: high to low")),
        ],
    )


__all__ = ["CONTENT_LANGUAGES", "ListingForm", "PhotoForm", "SearchForm", "listing_initial"]

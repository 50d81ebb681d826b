"""Page forms of checkout and the order page. They collect input and show the services' refusals
next to the right field; the services decide (prices, routes, limits, who may do what)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from shiji.core.errors import ShijiError
from shiji.core.geo import country_choices
from shiji.core.money import Money
from shiji.orders.addresses import FIELDS
from shiji.orders.services import MAX_QUANTITY

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")
_AUTOCOMPLETE = {
    "name": "shipping name",
    "line1": "shipping address-line1",
    "line2": "shipping address-line2",
    "city": "shipping address-level2",
    "region": "shipping address-level1",
    "postal_code": "shipping postal-code",
    "country": "shipping country",
    "phone": "shipping tel",
}


def _text(name: str, label: Any) -> forms.CharField:
    _low, high, required = FIELDS[name]
    return forms.CharField(
        label=label,
        max_length=high,
        required=required,
        widget=forms.TextInput(attrs={"autocomplete": _AUTOCOMPLETE[name]}),
    )


def transit_text(days: Mapping[str, int]) -> str:
    low, high = int(days["min"]), int(days["max"])
    if low == high:
        return ngettext("%(days)s day", "%(days)s days", high) % {"days": high}
    return ngettext("%(min)s–%(max)s day", "%(min)s–%(max)s days", high) % {"min": low, "max": high}


def option_label(option: Mapping[str, Any], names: Mapping[str, str], *, price: bool = True) -> str:
    """One carrier option as a radio button says it: name, price (once quoted), transit days, DDP."""
    parts = [names.get(option["carrier_service"]) or option["name"]]
    if price and option.get("shipping"):
        amount = Money.from_decimal(option["shipping"]["amount"], option["shipping"]["currency"])
        parts.append(amount.format(translation.get_language() or "en"))
    parts.append(transit_text(option["transit_days"]))
    if option.get("ddp"):
        parts.append(_("duties paid in advance (DDP)"))
    if not option.get("tracked", True):
        parts.append(_("no tracking"))
    return " · ".join(parts)


class CheckoutForm(forms.Form):
    """Quantity, where to ship, and which carrier service; "Get price" turns it into a quote."""

    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)
    name = _text("name", gettext_lazy("Recipient's full name"))
    line1 = _text("line1", gettext_lazy("Address"))
    line2 = _text("line2", gettext_lazy("Address line 2 (optional)"))
    city = _text("city", gettext_lazy("City"))
    region = _text("region", gettext_lazy("Province, prefecture or state (optional)"))
    postal_code = _text("postal_code", gettext_lazy("Postal code"))
    country = forms.ChoiceField(
        label=gettext_lazy("Country"),
        choices=country_choices,
        widget=forms.Select(attrs={"autocomplete": _AUTOCOMPLETE["country"]}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=FIELDS["phone"][1],
        help_text=gettext_lazy(
            "For the carrier: it is printed on the shipping label and never shown to the seller on the site."
        ),
        widget=forms.TextInput(attrs={"autocomplete": _AUTOCOMPLETE["phone"], "inputmode": "tel"}),
    )
    # The radio buttons offer the route's services (priced once quoted); the view keeps a choice
    # only while it serves the address and quantity submitted, else the quote takes the cheapest.
    carrier_service = forms.CharField(label=gettext_lazy("Shipping service"), required=False, widget=forms.RadioSelect)

    def __init__(
        self,
        *args: Any,
        options: Sequence[Mapping[str, Any]] = (),
        service_names: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        names = service_names or {}
        priced = any(o.get("shipping") for o in options)
        choices = [] if priced or not options else [("", _("Cheapest available"))]
        choices += [(o["carrier_service"], option_label(o, names)) for o in options]
        widget = self.fields["carrier_service"].widget
        assert isinstance(widget, forms.RadioSelect)  # nosec B101  # narrowing for mypy: declared above
        widget.choices = choices
        self.has_options = bool(options)
        self.priced = priced

    def address_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ADDRESS_FIELDS]

    def ship_to(self) -> dict[str, str]:
        data = self.cleaned_data
        return {name: data[name].strip() for name in ADDRESS_FIELDS if data.get(name, "").strip()}

    def add_service_error(self, error: ShijiError) -> None:
        """The service's message on top, each field message beside its field (``ship_to.city``
        is this form's ``city``)."""
        self.add_error(None, str(error.message))
        for key, messages in error.fields.items():
            name = key.removeprefix("ship_to.")
            for message in messages:
                if name in self.fields:
                    self.add_error(name, message)
                elif message != str(error.message):
                    self.add_error(None, message)


def checkout_initial(*, quote: Any | None, country: str) -> dict[str, Any]:
    if quote is None:
        return {"quantity": 1, "country": country, "carrier_service": ""}
    return {
        **{name: quote.ship_to.get(name, "") for name in ADDRESS_FIELDS},
        "quantity": quote.quantity,
        "carrier_service": quote.carrier_service,
    }


class PlaceOrderForm(forms.Form):
    quote = forms.CharField(max_length=40, widget=forms.HiddenInput)


class SandboxPayForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("succeeded", "succeeded"), ("failed", "failed")])


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why are you cancelling? (optional)"),
        required=False,
        max_length=500,
        widget=forms.TextInput,
    )


class ShipForm(forms.Form):
    """The seller ships with the quoted service, or another one that takes the parcel."""

    carrier_service = forms.ChoiceField(label=gettext_lazy("Shipping service"), widget=forms.RadioSelect)

    def __init__(
        self,
        *args: Any,
        options: Sequence[Mapping[str, Any]] = (),
        service_names: Mapping[str, str] | None = None,
        quoted: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        names = service_names or {}
        field = self.fields["carrier_service"]
        assert isinstance(field, forms.ChoiceField)  # nosec B101  # narrowing for mypy: declared above
        field.choices = [
            (
                o["carrier_service"],
                option_label(o, names, price=False)
                + (f" · {_('the buyer chose this one')}" if o["carrier_service"] == quoted else ""),
            )
            for o in options
        ]

    def add_service_error(self, error: ShijiError) -> None:
        self.add_error(None, str(error.message))
        for key, messages in error.fields.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)

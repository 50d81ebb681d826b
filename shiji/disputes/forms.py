"""Page forms of disputes; the services check the rules, these only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shiji.core.errors import InvalidInput
from shiji.core.money import Money, parse_money
from shiji.disputes.states import DisputeReason, Outcome


class OpenForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=DisputeReason.choices)
    description = forms.CharField(
        label=_("Describe the problem"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    image = forms.FileField(label=_("Photo (optional)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text") or "").strip() and not data.get("image"):
            raise forms.ValidationError(_("Write a message or attach a photo."))
        return data


class _MoneyField(forms.Field):
    """An amount typed as text (``12.50``) in a fixed currency."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 32})

    def __init__(self, *, currency: str, **kwargs: Any) -> None:
        self.currency = currency
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Money | None:
        text = str(value or "").strip()[:32]
        if not text:
            return None
        try:
            return parse_money({"amount": text, "currency": self.currency}, field="refund")
        except InvalidInput as exc:
            raise forms.ValidationError(
                _("Enter an amount in %(currency)s, e.g. 12.50.") % {"currency": self.currency}
            ) from exc


class OfferForm(forms.Form):
    return_required = forms.BooleanField(label=_("The buyer sends the item back first"), required=False)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["refund"] = _MoneyField(
            currency=currency, label=_("Refund (%(currency)s)") % {"currency": currency}
        )
        self.order_fields(["refund", "return_required"])


class ReturnForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason (both sides read it)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["refund"] = _MoneyField(
            currency=currency,
            required=False,
            label=_("Partial refund (%(currency)s)") % {"currency": currency},
            help_text=_("Only for a partial refund."),
        )
        self.order_fields(["outcome", "refund", "reason"])

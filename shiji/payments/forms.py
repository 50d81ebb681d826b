from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PayoutForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.01"), max_digits=17, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"))

    def __init__(self, *args: object, currencies: list[str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = currencies or list(settings.SHIJI_CURRENCIES)
        self.fields["currency"].choices = [(c, c) for c in choices]  # type: ignore[attr-defined]

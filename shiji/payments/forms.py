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


class PayoutAccountForm(forms.Form):
    method = forms.ChoiceField(label=_("Payout method"))
    holder_name = forms.CharField(label=_("Account holder"), max_length=100)
    account_number = forms.CharField(
        label=_("Account number"),
        max_length=80,
        help_text=_("Bank account, IBAN, Alipay or Wise account. We keep only its last four characters."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        from shiji.payments.models import PayoutMethod

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["method"].choices = PayoutMethod.choices  # type: ignore[attr-defined]

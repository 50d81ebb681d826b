"""The message form of the thread pages, the order panel and the listing's "Ask the seller"."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from shiji.messaging.services import MAX_LENGTH


class MessageForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Phone numbers, e-mail addresses, messenger ids and payment links are removed: "
            "keep talking and paying on Shiji."
        ),
    )


class InquiryForm(MessageForm):
    text = forms.CharField(
        label=gettext_lazy("Ask the seller a question"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=MessageForm.base_fields["text"].help_text,
    )

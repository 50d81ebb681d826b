from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shiji.identity.states import DocumentType


class VerificationForm(forms.Form):
    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=200,
        help_text=_("Exactly as written on the document. Only identity reviewers see it."),
    )
    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    document_number = forms.CharField(
        label=_("Document number"), max_length=40, help_text=_("We keep only the last four characters.")
    )
    document_image = forms.FileField(
        label=_("Photo of the document"),
        help_text=_("JPEG, PNG or WebP, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("Required when rejecting; the user will read it."),
    )

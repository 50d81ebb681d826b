"""Page forms: the report form and the moderators' action and suspension forms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from shiji.moderation.states import DETAILS_MAX, REASON_MAX, REPORT_ACTIONS, ActionKind, ReportReason

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _reason_field(help_text: StrOrPromise) -> forms.CharField:
    """The moderator's reason; the service decides when it is required."""
    return forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=help_text,
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=ReportReason.choices)
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Only moderators read this; the person you report is not told who you are."),
    )


class ActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"), choices=[(kind.value, kind.label) for kind in ActionKind if kind in REPORT_ACTIONS]
    )
    reason = _reason_field(_("Required unless you dismiss; the person concerned will read it."))


class SuspensionForm(forms.Form):
    reason = _reason_field(_("Required to suspend; the person will read it."))

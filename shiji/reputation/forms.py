"""Page forms of reviews. They collect input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

RATING_CHOICES = [
    (5, gettext_lazy("5 — excellent")),
    (4, gettext_lazy("4 — good")),
    (3, gettext_lazy("3 — all right")),
    (2, gettext_lazy("2 — poor")),
    (1, gettext_lazy("1 — very poor")),
]


class ReviewForm(forms.Form):
    """Its fields get ids of their own: the order page also holds the message form's ``text``."""

    rating = forms.TypedChoiceField(
        label=gettext_lazy("Rating"), choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=gettext_lazy("Your review"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("The other side sees it only once they have written theirs, or after 14 days."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "review_%s")
        super().__init__(*args, **kwargs)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your public reply"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("You can reply once; everyone who reads the review sees your reply."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reply_%s")
        super().__init__(*args, **kwargs)

from typing import Any

from django import template

from shiji.accounts.models import User
from shiji.reputation import selectors
from shiji.reputation.forms import ReplyForm, ReviewForm

register = template.Library()

PROFILE_REVIEWS = 20


def _viewer(context: Any) -> User | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None


@register.inclusion_tag("reputation/partials/order_panel.html", takes_context=True)
def order_review_panel(context: Any, order: Any) -> dict[str, Any]:
    """The review section of the order page (write a review, or the revealed reviews)."""
    viewer = _viewer(context)
    panel = selectors.review_panel_for(viewer=viewer, order=order) if viewer is not None else None
    return {
        "order": order,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "panel": panel,
        "form": ReviewForm() if panel and panel.can_write else None,
        "reply_form": ReplyForm() if panel and panel.can_reply else None,
    }


@register.inclusion_tag("reputation/partials/profile.html", takes_context=True)
def profile_reputation(context: Any, person: Any) -> dict[str, Any]:
    """Reputation and revealed reviews on the public profile."""
    viewer = _viewer(context)
    return {
        "person": person,
        "request": context.get("request"),
        "reputation": selectors.reputation_for(person),
        "reviews": list(selectors.reviews_public(user_id=person.pk)[:PROFILE_REVIEWS]),
        "limit": PROFILE_REVIEWS,
        "is_self": viewer is not None and viewer.pk == person.pk,
    }


@register.filter
def percent(value: Any) -> str:
    """0.9167 → "92 %" (a rate of 0..1 as a whole percentage)."""
    if value is None:
        return "—"
    return f"{round(float(value) * 100)} %"


@register.filter
def stars(rating: Any) -> str:
    count = int(rating or 0)
    return "★" * count + "☆" * (5 - count)

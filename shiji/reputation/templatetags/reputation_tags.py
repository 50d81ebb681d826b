from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("reputation/partials/order_panel.html", takes_context=True)
def order_review_panel(context: dict[str, Any], order: Any) -> dict[str, Any]:
    """The review section of the order page (write a review, or the revealed reviews)."""
    return {"order": order, "request": context.get("request")}


@register.inclusion_tag("reputation/partials/profile.html", takes_context=True)
def profile_reputation(context: dict[str, Any], person: Any) -> dict[str, Any]:
    """Reputation and revealed reviews on the public profile."""
    return {"person": person, "request": context.get("request")}

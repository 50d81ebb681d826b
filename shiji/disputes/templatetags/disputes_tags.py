from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("disputes/partials/order_panel.html", takes_context=True)
def order_dispute_panel(context: dict[str, Any], order: Any) -> dict[str, Any]:
    """The dispute section of the order page (open a dispute, or the open dispute's state)."""
    return {"order": order, "request": context.get("request")}

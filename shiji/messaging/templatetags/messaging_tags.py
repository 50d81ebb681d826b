from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("messaging/partials/order_panel.html", takes_context=True)
def order_messages_panel(context: dict[str, Any], order: Any) -> dict[str, Any]:
    """The conversation between buyer and seller on the order page."""
    return {"order": order, "request": context.get("request")}


@register.inclusion_tag("messaging/partials/listing_ask.html", takes_context=True)
def listing_ask_button(context: dict[str, Any], listing: Any) -> dict[str, Any]:
    """'Ask the seller' on the listing page."""
    return {"listing": listing, "request": context.get("request")}

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("moderation/partials/report_button.html", takes_context=True)
def report_button(context: dict[str, Any], target_type: str, target_id: str) -> dict[str, Any]:
    """A 'Report' link for a listing, note, message or user."""
    return {"target_type": target_type, "target_id": target_id, "request": context.get("request")}

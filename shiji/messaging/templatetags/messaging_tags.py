from typing import Any

from django import template
from django.urls import reverse

from shiji.accounts.models import User
from shiji.core.errors import NotFound

register = template.Library()


def _viewer(context: Any) -> User | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


@register.inclusion_tag("messaging/partials/order_panel.html", takes_context=True)
def order_messages_panel(context: dict[str, Any], order: Any) -> dict[str, Any]:
    """The conversation between buyer and seller on the order page."""
    from shiji.messaging import selectors, services
    from shiji.messaging.forms import MessageForm
    from shiji.messaging.views import thread_rows

    request = context.get("request")
    base: dict[str, Any] = {"order": order, "request": request, "show": False}
    user = _viewer(context)
    if user is None:
        return base
    try:
        _order, conversation = selectors.order_thread_for(user=user, order_id=order.pk, request=request)
    except NotFound:  # staff of another role: the thread is not theirs to read
        return base
    participant = user.pk in (order.buyer_id, order.seller_id)
    if participant and conversation is not None:
        services.conversation_mark_read(user=user, conversation=conversation)
    other = order.seller if user.pk == order.buyer_id else order.buyer
    return {
        **base,
        "show": True,
        "participant": participant,
        "other_name": other.display_name,
        "thread": thread_rows(conversation, viewer=user),
        "form": MessageForm() if participant else None,
    }


@register.inclusion_tag("messaging/partials/listing_ask.html", takes_context=True)
def listing_ask_button(context: dict[str, Any], listing: Any) -> dict[str, Any]:
    """'Ask the seller' on the listing page."""
    from shiji.messaging import selectors
    from shiji.messaging.forms import InquiryForm

    request = context.get("request")
    user = _viewer(context)
    result: dict[str, Any] = {
        "listing": listing,
        "request": request,
        "signed_in": user is not None,
        "next_url": reverse("catalog:listing", args=[listing.pk]),
        "conversation_id": None,
        "form": InquiryForm(auto_id=f"ask_{listing.pk}_%s"),
    }
    if user is not None:
        result["conversation_id"] = selectors.inquiry_id(buyer=user, listing_id=listing.pk)
    return result

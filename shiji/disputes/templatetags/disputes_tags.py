from typing import Any

from django import template

from shiji.accounts.selectors import page_user
from shiji.disputes.forms import OpenForm
from shiji.disputes.selectors import dispute_of_order, party_of
from shiji.disputes.services import answer_days
from shiji.disputes.states import DisputeStatus
from shiji.orders.states import DISPUTABLE_STATUSES

register = template.Library()


@register.inclusion_tag("disputes/partials/order_panel.html", takes_context=True)
def order_dispute_panel(context: dict[str, Any], order: Any) -> dict[str, Any]:
    """The dispute section of the order page (open a dispute, or the open dispute's state)."""
    request = context.get("request")
    user = page_user(request) if request is not None else None
    dispute = dispute_of_order(order.pk)
    is_buyer = user is not None and user.pk == order.buyer_id
    return {
        "order": order,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "dispute": dispute,
        "status_label": DisputeStatus(dispute.status).label if dispute else "",
        "can_view": dispute is not None and user is not None and party_of(dispute, user) is not None,
        "open_form": OpenForm() if is_buyer and dispute is None and order.status in DISPUTABLE_STATUSES else None,
        "answer_days": answer_days(),
    }

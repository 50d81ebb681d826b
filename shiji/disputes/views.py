"""Dispute pages: the dispute itself for both sides and arbitrators, opening one from the order
page, and the arbitrators' queue. Every rule lives in ``services``; these only show and relay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shiji.accounts.models import User
from shiji.accounts.roles import Role, user_has_role
from shiji.accounts.selectors import page_user
from shiji.core.errors import Forbidden, NotFound, ShijiError
from shiji.core.money import Money
from shiji.disputes import selectors, services
from shiji.disputes.api import evidence_url
from shiji.disputes.forms import DecisionForm, MessageForm, OfferForm, OpenForm, ReturnForm
from shiji.disputes.models import Dispute
from shiji.disputes.states import (
    ACTIVE_STATUSES,
    ESCALATABLE_STATUSES,
    OFFERABLE_STATUSES,
    WITHDRAWABLE_STATUSES,
    DisputeStatus,
)
from shiji.orders.selectors import access_order
from shiji.web.forms import form_add_service_error

QUEUE_LIMIT = 200


def _dispute(user: User, dispute_id: str) -> Dispute:
    try:
        return selectors.access_dispute(user=user, dispute_id=dispute_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


def _who(dispute: Dispute, user_id: str | None, role: str = "") -> str:
    if user_id is None and role in ("", "system"):
        return _("Shiji")
    if user_id == dispute.buyer_id or role == "buyer":
        return _("Buyer")
    if user_id == dispute.seller_id or role == "seller":
        return _("Seller")
    return _("Arbitrator")


def _page(request: HttpRequest, user: User, dispute: Dispute, **forms_in: forms.Form) -> HttpResponse:
    party = selectors.party_of(dispute, user)
    status = dispute.status
    currency = dispute.currency
    active = status in ACTIVE_STATUSES
    thread = []
    for message in dispute.messages.select_related(None).prefetch_related("attachments"):
        thread.append(
            {
                "message": message,
                "who": _who(dispute, message.author_id, message.role),
                "mine": message.author_id == user.pk,
                "photos": [evidence_url(e) for e in message.attachments.all()],
            }
        )
    context: dict[str, Any] = {
        "dispute": dispute,
        "resolution_text": selectors.resolution_text(dispute),
        "order": dispute.order,
        "party": party,
        "status_label": DisputeStatus(status).label,
        "held": services.held(dispute),
        "offer": Money(dispute.offer_refund_minor, currency) if dispute.offer_refund_minor is not None else None,
        "refund": Money(dispute.refund_minor, currency) if dispute.refund_minor else None,
        "thread": thread,
        "events": [
            {"event": e, "who": _who(dispute, e.actor_id), "state": DisputeStatus(e.to_state).label}
            for e in dispute.events.order_by("at", "id")
        ],
        "message_form": forms_in.get("message_form") or (MessageForm() if active else None),
        "offer_form": forms_in.get("offer_form")
        or (OfferForm(currency=currency) if party == "seller" and status in OFFERABLE_STATUSES else None),
        "return_form": forms_in.get("return_form")
        or (ReturnForm() if party == "buyer" and status == DisputeStatus.RETURN_PENDING else None),
        "decision_form": forms_in.get("decision_form")
        or (DecisionForm(currency=currency) if party == "arbitrator" and status == DisputeStatus.ESCALATED else None),
        "can_accept": party == "buyer" and status == DisputeStatus.OFFERED,
        "can_escalate": party in ("buyer", "seller") and status in ESCALATABLE_STATUSES,
        "can_withdraw": party == "buyer" and status in WITHDRAWABLE_STATUSES,
        "can_confirm_return": party == "seller" and status == DisputeStatus.RETURN_SHIPPED,
    }
    return render(request, "disputes/pages/dispute.html", context)


@login_required
def dispute_page(request: HttpRequest, dispute_id: str) -> HttpResponse:
    user = page_user(request)
    return _page(request, user, _dispute(user, dispute_id))


def _submit(
    request: HttpRequest,
    user: User,
    dispute: Dispute,
    form: forms.Form,
    *,
    form_name: str,
    run: Callable[[dict[str, Any]], object],
    done: str = "",
    then: str = "",
) -> HttpResponse:
    """Call the service with a valid form's data in one transaction and redirect (to the dispute
    unless ``then`` says otherwise); else show the page again with the form and its errors."""
    if form.is_valid():
        try:
            with transaction.atomic(durable=True):
                run(form.cleaned_data)
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            if done:
                messages.success(request, done)
            return redirect(then or reverse("disputes:detail", kwargs={"dispute_id": dispute.pk}))
    return _page(request, user, dispute, **{form_name: form})


def _message(request: HttpRequest, user: User, dispute: Dispute) -> HttpResponse:
    def run(data: dict[str, Any]) -> None:
        photos = []
        if data.get("image"):
            photos.append(services.evidence_upload(user=user, dispute_id=dispute.pk, upload=data["image"]).pk)
        services.dispute_message(user=user, dispute_id=dispute.pk, text=data.get("text") or "", attachments=photos)

    form = MessageForm(request.POST, request.FILES)
    return _submit(request, user, dispute, form, form_name="message_form", run=run)


def _offer(request: HttpRequest, user: User, dispute: Dispute) -> HttpResponse:
    return _submit(
        request,
        user,
        dispute,
        OfferForm(request.POST, currency=dispute.currency),
        form_name="offer_form",
        run=lambda data: services.dispute_offer(
            user=user, dispute_id=dispute.pk, refund=data["refund"], return_required=data["return_required"]
        ),
        done=_("Your offer was sent to the buyer."),
    )


def _return(request: HttpRequest, user: User, dispute: Dispute) -> HttpResponse:
    return _submit(
        request,
        user,
        dispute,
        ReturnForm(request.POST),
        form_name="return_form",
        run=lambda data: services.dispute_return_ship(user=user, dispute_id=dispute.pk, **data),
    )


SIMPLE_ACTIONS = {
    "accept": (services.dispute_accept, gettext_lazy("You accepted the offer.")),
    "escalate": (services.dispute_escalate, gettext_lazy("An arbitrator will decide.")),
    "withdraw": (services.dispute_withdraw, gettext_lazy("You withdrew the dispute; the order is complete.")),
    "received": (services.dispute_return_received, gettext_lazy("Thank you. The buyer is refunded.")),
}


@login_required
@require_POST
def dispute_act(request: HttpRequest, dispute_id: str, action: str) -> HttpResponse:
    user = page_user(request)
    dispute = _dispute(user, dispute_id)
    if action == "message":
        return _message(request, user, dispute)
    if action == "offer":
        return _offer(request, user, dispute)
    if action == "return":
        return _return(request, user, dispute)
    if action not in SIMPLE_ACTIONS:
        raise Http404
    run, done = SIMPLE_ACTIONS[action]
    try:
        with transaction.atomic(durable=True):
            run(user=user, dispute_id=dispute.pk)
    except ShijiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, str(done))
    return redirect("disputes:detail", dispute_id=dispute.pk)


@login_required
@require_POST
def dispute_open_view(request: HttpRequest, order_id: str) -> HttpResponse:
    user = page_user(request)
    try:
        order = access_order(user=user, order_id=order_id)
    except NotFound as exc:
        raise Http404 from exc
    form = OpenForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("orders:detail", order_id=order.pk)
    try:
        with transaction.atomic(durable=True):
            dispute = services.dispute_open(buyer=user, order_id=order.pk, **form.cleaned_data)
    except ShijiError as exc:
        messages.error(request, str(exc.message))
        for field_errors in exc.fields.values():
            for error in field_errors:
                messages.error(request, error)
        return redirect("orders:detail", order_id=order.pk)
    messages.success(request, _("Your dispute is open. The seller has been asked to answer."))
    return redirect("disputes:detail", dispute_id=dispute.pk)


# --- backoffice ------------------------------------------------------------------------------


STAFF_FILTERS = ("escalated", "active", "open", "offered", "return_pending", "return_shipped", "decided", "settled")


@login_required
def staff_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "escalated")
    if status not in STAFF_FILTERS:
        status = "escalated"
    try:
        queue = selectors.staff_disputes(staff=page_user(request), status=status)
    except Forbidden as exc:
        raise PermissionDenied from exc
    return render(
        request,
        "disputes/pages/staff_queue.html",
        {
            "items": [
                {"dispute": d, "escalated_by": _who(d, None, d.escalated_by) if d.escalated_by else ""}
                for d in queue[:QUEUE_LIMIT]
            ],
            "status": status,
            "filters": [
                (value, DisputeStatus(value).label if value != "active" else _("All open")) for value in STAFF_FILTERS
            ],
        },
    )


@login_required
@require_POST
def staff_decide(request: HttpRequest, dispute_id: str) -> HttpResponse:
    user = page_user(request)
    if not user_has_role(user, Role.ARBITRATOR):
        raise PermissionDenied
    dispute = _dispute(user, dispute_id)
    return _submit(
        request,
        user,
        dispute,
        DecisionForm(request.POST, currency=dispute.currency),
        form_name="decision_form",
        run=lambda data: services.dispute_decide(
            arbitrator=user,
            dispute_id=dispute.pk,
            outcome=data["outcome"],
            refund=data.get("refund"),
            reason=data["reason"],
            request=request,
        ),
        done=_("Decided. Both sides have been told."),
        then=reverse("disputes_staff:queue"),
    )

"""Reputation pages: writing a review and replying (the forms also sit on the order page), and
the seller's own service-score page. Each view parses input, calls one service and renders."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shiji.accounts.models import User
from shiji.accounts.selectors import page_user
from shiji.api.pagination import paginate_by_id
from shiji.core.errors import InvalidInput, NotFound, ShijiError
from shiji.orders.models import Order
from shiji.orders.selectors import access_order
from shiji.reputation import selectors, services
from shiji.reputation.forms import ReplyForm, ReviewForm
from shiji.web.forms import form_add_service_error

HISTORY_PAGE = 50


def _order(user: User, order_id: str) -> Order:
    try:
        return access_order(user=user, order_id=order_id)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def review_view(request: HttpRequest, order_id: str) -> HttpResponse:
    """Write a review (GET shows the form alone; the order page shows it too)."""
    user = page_user(request)
    order = _order(user, order_id)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic(durable=True):
                review = services.review_create(
                    author=user, order_id=order.pk, rating=form.cleaned_data["rating"], text=form.cleaned_data["text"]
                )
        except InvalidInput as exc:
            form_add_service_error(form, exc)
        except ShijiError as exc:
            messages.error(request, str(exc.message))
            return redirect("orders:detail", order_id=order.pk)
        else:
            if review.revealed_at is not None:
                messages.success(request, _("Thank you. Both reviews are now visible."))
            else:
                messages.success(
                    request,
                    _("Thank you. Your review stays hidden until the other side writes theirs, or for 14 days."),
                )
            return redirect("orders:detail", order_id=order.pk)
    if request.method == "POST":
        status = 422
    panel = selectors.review_panel_for(viewer=user, order=order)
    return render(
        request, "reputation/pages/review.html", {"order": order, "panel": panel, "form": form}, status=status
    )


@login_required
@require_POST
def reply_view(request: HttpRequest, review_id: str) -> HttpResponse:
    user = page_user(request)
    try:
        review = selectors.access_review(user=user, review_id=review_id)
    except NotFound as exc:
        raise Http404 from exc
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your reply (at most 2000 characters)."))
    else:
        try:
            with transaction.atomic(durable=True):
                services.review_reply(user=user, review_id=review.pk, text=form.cleaned_data["text"])
        except ShijiError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your reply is published."))
    return redirect("orders:detail", order_id=review.order_id)


@login_required
def my_score_view(request: HttpRequest) -> HttpResponse:
    """The seller's service score, the badge, and the reason for every change."""
    user = User.objects.get(pk=page_user(request).pk)
    history = selectors.service_score_history(user=user)
    try:
        page = paginate_by_id(history, cursor=request.GET.get("cursor") or None, limit=HISTORY_PAGE)
    except InvalidInput:  # a mangled cursor: start from the newest
        page = paginate_by_id(history, cursor=None, limit=HISTORY_PAGE)
    return render(
        request,
        "reputation/pages/score.html",
        {
            "person": user,
            "history": page.items,
            "next_cursor": page.next_cursor,
            "threshold": settings.SHIJI_RELIABLE_SCORE,
            "to_badge": max(0, settings.SHIJI_RELIABLE_SCORE - user.service_score),
            "reputation": selectors.reputation_for(user),
        },
    )

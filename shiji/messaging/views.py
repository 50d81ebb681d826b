"""Message pages: my conversations, one thread with its form, and the form posts of the order
panel and the listing's "Ask the seller". Each view parses input, calls one service and renders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shiji.accounts.models import User
from shiji.accounts.selectors import page_user
from shiji.core.audit import client_ip
from shiji.core.errors import NotFound, ShijiError
from shiji.messaging import selectors, services
from shiji.messaging.api import conversation_out, hidden_text
from shiji.messaging.forms import InquiryForm, MessageForm
from shiji.messaging.models import Conversation, Message
from shiji.web.forms import form_add_service_error

LIST_LIMIT = 100
THREAD_LIMIT = 100


def thread_rows(conversation: Conversation | None, *, viewer: User, limit: int = THREAD_LIMIT) -> list[dict[str, Any]]:
    """The last ``limit`` messages of a thread, oldest first, as the templates show them."""
    latest: list[Message] = list(selectors.thread_messages(conversation).order_by("-id")[:limit])
    return [
        {
            "id": m.pk,
            "mine": m.sender_id == viewer.pk,
            "sender": m.sender.display_name,
            "text": hidden_text() if m.hidden else m.text,
            "hidden": m.hidden,
            "redacted": m.redacted,
            "at": m.created_at,
        }
        for m in reversed(latest)
    ]


def _flash_sent(request: HttpRequest, sent: services.Sent) -> None:
    if sent.warning:
        flash.warning(request, sent.warning)


def _send_posted(request: HttpRequest, form: MessageForm, send: Callable[[str], services.Sent]) -> services.Sent | None:
    """Send the posted text; a refusal is flashed and gives None (the caller redirects back)."""
    if not form.is_valid():
        flash.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return None
    try:
        return send(form.cleaned_data["text"])
    except NotFound as exc:
        raise Http404 from exc
    except ShijiError as error:
        flash.error(request, str(error.message))
        return None


@login_required
def conversations_view(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    rows = selectors.user_conversations(user=user).order_by("-last_message_at", "-id")[:LIST_LIMIT]
    return render(
        request,
        "messaging/pages/conversations.html",
        {"conversations": [conversation_out(c, viewer=user) for c in rows]},
    )


@login_required
def conversation_view(request: HttpRequest, conversation_id: str) -> HttpResponse:
    user = page_user(request)
    try:
        conversation = selectors.access_conversation(user=user, conversation_id=conversation_id, request=request)
    except NotFound as exc:
        raise Http404 from exc
    participant = conversation.is_participant(user.pk)
    form = MessageForm(request.POST or None) if participant else None
    status = 200
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                sent = services.message_send(
                    sender=user, conversation_id=conversation.pk, text=form.cleaned_data["text"], ip=client_ip(request)
                )
            except ShijiError as error:
                form_add_service_error(form, error)
            else:
                _flash_sent(request, sent)
                return redirect(reverse("messaging:conversation", args=[conversation.pk]) + "#latest")
        status = 422
    if participant:
        services.conversation_mark_read(user=user, conversation=conversation)
    summary = conversation_out(conversation, viewer=user)
    return render(
        request,
        "messaging/pages/conversation.html",
        {
            "conversation": conversation,
            "summary": summary,
            "thread": thread_rows(conversation, viewer=user),
            "form": form,
            "participant": participant,
        },
        status=status,
    )


@login_required
@require_POST
def order_message_view(request: HttpRequest, order_id: str) -> HttpResponse:
    user = page_user(request)
    sent = _send_posted(
        request,
        MessageForm(request.POST),
        lambda text: services.order_message_send(sender=user, order_id=order_id, text=text, ip=client_ip(request)),
    )
    if sent is not None:
        _flash_sent(request, sent)
    return redirect(reverse("orders:detail", args=[order_id]) + "#order-messages")


@login_required
@require_POST
def listing_ask_view(request: HttpRequest, listing_id: str) -> HttpResponse:
    user = page_user(request)
    sent = _send_posted(
        request,
        InquiryForm(request.POST),
        lambda text: services.inquiry_start(buyer=user, listing_id=listing_id, text=text, ip=client_ip(request)),
    )
    if sent is None:
        return redirect(reverse("catalog:listing", args=[listing_id]))
    flash.success(request, _("Your question was sent to the seller."))
    _flash_sent(request, sent)
    return redirect(reverse("messaging:conversation", args=[sent.conversation.pk]) + "#latest")

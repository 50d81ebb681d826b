"""HTTP API of messaging (API.md, Trust): order threads, listing inquiries, my conversations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from shiji.accounts.models import User
from shiji.api.auth import AUTH, api_user
from shiji.api.openapi import errors
from shiji.api.pagination import bad_cursor, check_limit, cursor_decode, cursor_encode, paginate_by_id
from shiji.core.audit import client_ip
from shiji.core.time import iso_utc
from shiji.messaging import selectors, services
from shiji.messaging.models import Conversation, Message
from shiji.messaging.schemas import (
    ConversationPage,
    InquiryOut,
    MessageIn,
    MessagePage,
    SentMessageOut,
)

router = Router(auth=AUTH)
EXCERPT_CHARS = 80


def hidden_text() -> str:
    return _("This message was hidden by a moderator.")


def message_out(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "sender": {"id": message.sender_id, "display_name": message.sender.display_name},
        "text": hidden_text() if message.hidden else message.text,
        "redacted": message.redacted,
        "hidden": message.hidden,
        "at": iso_utc(message.created_at),
    }


def conversation_out(conversation: Conversation, *, viewer: User) -> dict[str, Any]:
    other = conversation.seller if viewer.pk == conversation.buyer_id else conversation.buyer
    last_text: str | None = getattr(conversation, "last_text", None)
    if getattr(conversation, "last_hidden_at", None) is not None:
        last_text = hidden_text()
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "order": conversation.order_id,
        "listing": {"id": conversation.listing_id, "title": selectors.listing_title_for(conversation.listing, viewer)},
        "other_party": {"id": other.pk, "display_name": other.display_name},
        "created_at": iso_utc(conversation.created_at),
        "last_message_at": iso_utc(conversation.last_message_at),
        "unread": getattr(conversation, "unread", 0),
        "last_message": Truncator(last_text).chars(EXCERPT_CHARS) if last_text else None,
    }


def _thread_page(
    user: User, conversation: Conversation | None, cursor: str | None, limit: int | None
) -> dict[str, Any]:
    """A page of a thread, newest first; reading the first page marks the thread read."""
    page = paginate_by_id(selectors.thread_messages(conversation), cursor=cursor, limit=limit)
    if conversation is not None and not cursor:
        services.conversation_mark_read(user=user, conversation=conversation)
    return {"items": [message_out(m) for m in page.items], "next_cursor": page.next_cursor}


def _sent_out(sent: services.Sent) -> dict[str, Any]:
    return {**message_out(sent.message), "warning": sent.warning}


# --- order threads ----------------------------------------------------------------------------


@router.get(
    "/orders/{order_id}/messages",
    response={200: MessagePage, **errors(404)},
    summary="Messages of an order (newest first)",
)
def order_messages(
    request: HttpRequest, order_id: str, cursor: str | None = None, limit: int | None = Query(None)
) -> dict[str, Any]:
    user = api_user(request)
    _order, conversation = selectors.order_thread_for(user=user, order_id=order_id, request=request)
    return _thread_page(user, conversation, cursor, limit)


@router.post(
    "/orders/{order_id}/messages",
    response={201: SentMessageOut, **errors(403, 404, 429)},
    summary="Write to the other party of an order",
)
def order_message_send(request: HttpRequest, order_id: str, payload: MessageIn) -> Status[Any]:
    sent = services.order_message_send(
        sender=api_user(request), order_id=order_id, text=payload.text, ip=client_ip(request)
    )
    return Status(201, _sent_out(sent))


# --- inquiries and conversations --------------------------------------------------------------


@router.post(
    "/listings/{listing_id}/inquiries",
    response={201: InquiryOut, **errors(403, 404, 429)},
    summary="Ask the seller about a listing",
)
def inquiry_start(request: HttpRequest, listing_id: str, payload: MessageIn) -> Status[Any]:
    user = api_user(request)
    sent = services.inquiry_start(buyer=user, listing_id=listing_id, text=payload.text, ip=client_ip(request))
    return Status(
        201,
        {
            "conversation": conversation_out(sent.conversation, viewer=user),
            "message": message_out(sent.message),
            "warning": sent.warning,
        },
    )


def _encode_cursor(conversation: Conversation) -> str:
    return cursor_encode(f"{iso_utc(conversation.last_message_at)}|{conversation.pk}")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    at, _sep, pk = cursor_decode(cursor).partition("|")
    try:
        moment = datetime.fromisoformat(at)
    except ValueError as exc:
        raise bad_cursor() from exc
    if moment.tzinfo is None or not pk:  # ours always carry "Z" and an id; anything else was not made here
        raise bad_cursor()
    return moment, pk


@router.get("/me/conversations", response=ConversationPage, summary="My conversations, most recent first")
def my_conversations(
    request: HttpRequest, cursor: str | None = None, limit: int | None = Query(None)
) -> dict[str, Any]:
    user = api_user(request)
    size = check_limit(limit)
    queryset = selectors.user_conversations(user=user).order_by("-last_message_at", "-id")
    if cursor:
        at, pk = _decode_cursor(cursor)
        queryset = queryset.filter(Q(last_message_at__lt=at) | Q(last_message_at=at, id__lt=pk))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return {
        "items": [conversation_out(c, viewer=user) for c in rows],
        "next_cursor": _encode_cursor(rows[-1]) if more and rows else None,
    }


@router.get(
    "/conversations/{conversation_id}/messages",
    response={200: MessagePage, **errors(404)},
    summary="Messages of a conversation",
)
def conversation_messages(
    request: HttpRequest, conversation_id: str, cursor: str | None = None, limit: int | None = Query(None)
) -> dict[str, Any]:
    user = api_user(request)
    conversation = selectors.access_conversation(user=user, conversation_id=conversation_id, request=request)
    return _thread_page(user, conversation, cursor, limit)


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: SentMessageOut, **errors(403, 404, 429)},
    summary="Write in a conversation",
)
def conversation_message_send(request: HttpRequest, conversation_id: str, payload: MessageIn) -> Status[Any]:
    sent = services.message_send(
        sender=api_user(request), conversation_id=conversation_id, text=payload.text, ip=client_ip(request)
    )
    return Status(201, _sent_out(sent))

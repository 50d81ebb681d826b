"""Input and output shapes of the messaging API (API.md "Trust")."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class MessageIn(Schema):
    text: str = Field(..., description="At most 2000 characters; contact details are redacted before storing.")


class PartyOut(Schema):
    id: str
    display_name: str


class MessageOut(Schema):
    id: str
    sender: PartyOut
    text: str
    redacted: bool
    hidden: bool
    at: str


class SentMessageOut(MessageOut):
    warning: str | None = Field(None, description="Set when contact details were removed from the text.")


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class ListingRef(Schema):
    id: str
    title: str


class ConversationOut(Schema):
    id: str
    kind: str
    order: str | None
    listing: ListingRef
    other_party: PartyOut
    created_at: str
    last_message_at: str | None
    unread: int
    last_message: str | None


class ConversationPage(Schema):
    items: list[ConversationOut]
    next_cursor: str | None


class InquiryOut(Schema):
    conversation: ConversationOut
    message: MessageOut
    warning: str | None

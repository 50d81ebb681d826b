"""Writes of messaging: sending (redacted, risk-checked, rate-limited), starting an inquiry about
a listing, reading a thread, and a moderator hiding a message.

Only the redacted text is stored (``shiji.messaging.redaction``). A message the risk engine
blocks is kept, withheld, for the risk decision that points at it and reaches nobody."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from shiji.accounts.gates import require_not_suspended
from shiji.accounts.models import User
from shiji.accounts.roles import Role, require_role
from shiji.catalog.selectors import listing_get_visible
from shiji.core.audit import audit_record
from shiji.core.errors import InvalidInput, NotFound
from shiji.core.ratelimit import ratelimit_hit
from shiji.messaging.errors import OwnListing, RiskBlocked
from shiji.messaging.models import Conversation, ConversationKind, Message
from shiji.messaging.redaction import redact
from shiji.messaging.selectors import access_conversation_as_participant, inquiry_id, listing_title_for
from shiji.notifications.services import notify
from shiji.orders.models import Order
from shiji.risk.engine import RiskAction, RiskPoint, risk_evaluate

MAX_LENGTH = 2000
EXCERPT_CHARS = 60
SENDS_PER_MINUTE = 20
SENDS_PER_DAY = 600
INQUIRIES_PER_HOUR = 20


@dataclass(frozen=True)
class Sent:
    conversation: Conversation
    message: Message
    warning: str | None  # shown to the sender when contact details were taken out


def redaction_warning() -> str:
    return _(
        "Contact details and requests to pay outside Shiji were removed from your message. "
        "Keep talking and paying on Shiji: that is what keeps your money safe in escrow."
    )


def _clean(text: str | None) -> str:
    cleaned = (text or "").replace("\r\n", "\n").strip()
    if not cleaned:
        raise InvalidInput(_("Write a message first."), fields={"text": [_("This field is required.")]})
    if len(cleaned) > MAX_LENGTH:
        message = _("At most %(n)s characters.") % {"n": MAX_LENGTH}
        raise InvalidInput(message, fields={"text": [message]})
    return cleaned


def _limit(sender: User) -> None:
    ratelimit_hit(scope="message", key=sender.pk, limit=SENDS_PER_MINUTE, window_seconds=60)
    ratelimit_hit(scope="message-day", key=sender.pk, limit=SENDS_PER_DAY, window_seconds=86400)


def _tell_other_party(conversation: Conversation, message: Message) -> None:
    """Notify the other side, once per unread burst: not when they already have unread messages
    from this sender (they were told about the first one)."""
    recipient = conversation.buyer if message.sender_id == conversation.seller_id else conversation.seller
    last_read = (
        conversation.buyer_last_read_at if recipient.pk == conversation.buyer_id else conversation.seller_last_read_at
    )
    earlier_unread = Message.objects.filter(conversation=conversation, withheld_at__isnull=True).exclude(pk=message.pk)
    earlier_unread = earlier_unread.exclude(sender_id=recipient.pk)
    if last_read is not None:
        earlier_unread = earlier_unread.filter(created_at__gt=last_read)
    if earlier_unread.exists():
        return
    is_order = conversation.kind == ConversationKind.ORDER
    notify(
        user_id=recipient.pk,
        kind="message.received",
        subject_type="order" if is_order else "conversation",
        subject_id=conversation.order_id if is_order and conversation.order_id else conversation.pk,
        data={
            "sender": message.sender.display_name,
            "item": listing_title_for(conversation.listing, recipient)[:120],
            # already redacted: no contact detail reaches the e-mail either
            "excerpt": Truncator(message.text).chars(EXCERPT_CHARS),
            "conversation": conversation.pk,
        },
    )


def _deliver(*, conversation_id: str, sender: User, text: str, ip: str | None) -> Sent | None:
    """Inside a transaction: store the redacted message, ask the risk engine, and either deliver
    it (None for a blocked one) — the caller raises after commit so the decision is kept."""
    conversation = (
        Conversation.objects.select_for_update().select_related("buyer", "seller", "listing").get(pk=conversation_id)
    )
    result = redact(text)
    message = Message.objects.create(
        conversation=conversation, sender=sender, text=result.text, redacted_kinds=list(result.kinds)
    )
    verdict = risk_evaluate(
        RiskPoint.MESSAGE_SEND,
        user=sender,
        inputs={"contact_kinds": list(result.kinds), "conversation": conversation.pk, "length": len(text)},
        subject=message,
        ip=ip,
    )
    if verdict.action == RiskAction.BLOCK:
        message.withheld_at = timezone.now()
        message.save(update_fields=["withheld_at"])
        return None
    _tell_other_party(conversation, message)
    read_field = "buyer_last_read_at" if sender.pk == conversation.buyer_id else "seller_last_read_at"
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=message.created_at, **{read_field: message.created_at}
    )
    conversation.last_message_at = message.created_at
    setattr(conversation, read_field, message.created_at)
    warning = redaction_warning() if result.kinds or verdict.action == RiskAction.WARN else None
    return Sent(conversation=conversation, message=message, warning=warning)


def _send(*, conversation_id: str, sender: User, text: str, ip: str | None) -> Sent:
    with transaction.atomic():
        sent = _deliver(conversation_id=conversation_id, sender=sender, text=text, ip=ip)
    if sent is None:
        raise RiskBlocked()
    return sent


def message_send(*, sender: User, conversation_id: str, text: str, ip: str | None = None) -> Sent:
    """``sender`` (a participant) writes in a conversation; the text is redacted before it is stored."""
    conversation = access_conversation_as_participant(user=sender, conversation_id=conversation_id)
    cleaned = _clean(text)
    _limit(sender)
    return _send(conversation_id=conversation.pk, sender=sender, text=cleaned, ip=ip)


def order_message_send(*, sender: User, order_id: str, text: str, ip: str | None = None) -> Sent:
    """The buyer or the seller writes about their order (the thread is opened on the first message)."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or sender.pk not in (order.buyer_id, order.seller_id):
        raise NotFound(_("No such order."))
    cleaned = _clean(text)
    _limit(sender)
    # get_or_create takes the row the other party opened at the same moment
    conversation, _created = Conversation.objects.get_or_create(
        order=order,
        defaults={
            "kind": ConversationKind.ORDER,
            "listing_id": order.listing_id,
            "buyer_id": order.buyer_id,
            "seller_id": order.seller_id,
        },
    )
    return _send(conversation_id=conversation.pk, sender=sender, text=cleaned, ip=ip)


def inquiry_start(*, buyer: User, listing_id: str, text: str, ip: str | None = None) -> Sent:
    """A buyer asks the seller about a public listing: the one inquiry thread between them for
    that listing is opened (or reused) and the question is sent in it."""
    listing = listing_get_visible(viewer=buyer, listing_id=listing_id)
    if listing.seller_id == buyer.pk:
        raise OwnListing()
    cleaned = _clean(text)
    conversation_id = inquiry_id(buyer=buyer, listing_id=listing.pk)
    if conversation_id is None:
        require_not_suspended(buyer)
        ratelimit_hit(scope="inquiry", key=buyer.pk, limit=INQUIRIES_PER_HOUR, window_seconds=3600)
        _limit(buyer)
        # get_or_create takes the row a double submit opened a moment ago
        conversation, _created = Conversation.objects.get_or_create(
            kind=ConversationKind.INQUIRY, listing=listing, buyer=buyer, defaults={"seller_id": listing.seller_id}
        )
        conversation_id = conversation.pk
    else:
        _limit(buyer)
    return _send(conversation_id=conversation_id, sender=buyer, text=cleaned, ip=ip)


def conversation_mark_read(*, user: User, conversation: Conversation) -> None:
    """``user`` has seen the thread up to now (staff reading an order thread change nothing)."""
    now = timezone.now()
    if user.pk == conversation.buyer_id:
        Conversation.objects.filter(pk=conversation.pk).update(buyer_last_read_at=now)
        conversation.buyer_last_read_at = now
    elif user.pk == conversation.seller_id:
        Conversation.objects.filter(pk=conversation.pk).update(seller_last_read_at=now)
        conversation.seller_last_read_at = now


def message_hide(*, moderator: User, message_id: str, reason: str) -> Message:
    """A moderator hides a message: participants then see that a moderator hid it. Hiding a
    hidden message changes nothing (two reports of the same message are common)."""
    require_role(moderator, Role.MODERATOR)
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            raise NotFound(_("No such message."))
        if message.hidden_at is not None:
            return message
        message.hidden_at = timezone.now()
        message.hidden_reason = (reason or "").strip()[:1000]
        message.hidden_by = moderator
        message.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
        audit_record(
            action="message.hidden",
            actor=moderator,
            target=message,
            data={
                "conversation": message.conversation_id,
                "sender": message.sender_id,
                "reason": message.hidden_reason,
            },
        )
    return message

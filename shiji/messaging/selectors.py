"""Reads of messaging. Who may read a thread is decided here, once: the buyer and the seller of
the conversation, and — for order threads only, each read audited — staff with the arbitrator role.
Anybody else gets 'not found' (API.md: someone else's private object)."""

from __future__ import annotations

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.accounts.roles import Role, user_has_role
from shiji.catalog.models import Listing
from shiji.core.audit import audit_record
from shiji.core.errors import NotFound
from shiji.messaging.models import Conversation, ConversationKind, Message
from shiji.orders.models import Order


def _not_found() -> NotFound:
    return NotFound(_("No such conversation."))


def _staff_read(*, staff: User, target: Order | Conversation, request: HttpRequest | None) -> None:
    audit_record(action="messaging.thread_viewed_by_staff", actor=staff, target=target, request=request)


def access_conversation(*, user: User, conversation_id: str, request: HttpRequest | None = None) -> Conversation:
    """A conversation ``user`` may read: a participant, or an arbitrator for an order thread (audited)."""
    conversation = (
        Conversation.objects.select_related("buyer", "seller", "listing", "order").filter(pk=conversation_id).first()
    )
    if conversation is None:
        raise _not_found()
    if conversation.is_participant(user.pk):
        return conversation
    if conversation.kind == ConversationKind.ORDER and user_has_role(user, Role.ARBITRATOR):
        _staff_read(staff=user, target=conversation, request=request)
        return conversation
    raise _not_found()


def access_conversation_as_participant(*, user: User, conversation_id: str) -> Conversation:
    """A conversation ``user`` takes part in (to write in it); anything else is 'not found'."""
    conversation = Conversation.objects.filter(pk=conversation_id).only("buyer_id", "seller_id").first()
    if conversation is None or not conversation.is_participant(user.pk):
        raise _not_found()
    return conversation


def inquiry_id(*, buyer: User, listing_id: str) -> str | None:
    """The id of ``buyer``'s inquiry thread about a listing, if they have asked before."""
    return (
        Conversation.objects.filter(kind=ConversationKind.INQUIRY, listing_id=listing_id, buyer=buyer)
        .values_list("pk", flat=True)
        .first()
    )


def listing_title_for(listing: Listing, viewer: User) -> str:
    """The listing's title in ``viewer``'s language, else as written, else any."""
    titles: dict[str, str] = listing.title or {}
    return titles.get(viewer.language) or titles.get(listing.original_language) or next(iter(titles.values()), "")


def message_for_report(*, user: User, message_id: str) -> Message:
    """A delivered message of a conversation ``user`` takes part in (what they may report)."""
    message = (
        Message.objects.select_related("conversation", "sender").filter(pk=message_id, withheld_at__isnull=True).first()
    )
    if message is None or not message.conversation.is_participant(user.pk):
        raise NotFound(_("No such message."))
    return message


def order_thread_for(
    *, user: User, order_id: str, request: HttpRequest | None = None
) -> tuple[Order, Conversation | None]:
    """The order and its conversation (None until the first message) for the buyer, the seller,
    or an arbitrator (audited); anyone else gets 'not found'."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("No such order."))
    conversation = Conversation.objects.select_related("buyer", "seller", "listing").filter(order=order).first()
    if user.pk in (order.buyer_id, order.seller_id):
        return order, conversation
    if user_has_role(user, Role.ARBITRATOR):
        _staff_read(staff=user, target=order, request=request)
        return order, conversation
    raise NotFound(_("No such order."))


def thread_messages(conversation: Conversation | None) -> QuerySet[Message]:
    """The delivered messages of a thread (withheld ones never reach anybody)."""
    if conversation is None:
        return Message.objects.none()
    return Message.objects.filter(conversation=conversation, withheld_at__isnull=True).select_related("sender")


def _unread_filter(user: User) -> Q:
    as_buyer = Q(buyer_id=user.pk) & (
        Q(buyer_last_read_at__isnull=True) | Q(messages__created_at__gt=F("buyer_last_read_at"))
    )
    as_seller = Q(seller_id=user.pk) & (
        Q(seller_last_read_at__isnull=True) | Q(messages__created_at__gt=F("seller_last_read_at"))
    )
    return Q(messages__withheld_at__isnull=True) & ~Q(messages__sender_id=user.pk) & (as_buyer | as_seller)


def user_conversations(*, user: User) -> QuerySet[Conversation]:
    """``user``'s conversations that have a message, with ``unread`` (messages from the other
    side since ``user`` last read the thread) and the last message's text and state."""
    last = Message.objects.filter(conversation=OuterRef("pk"), withheld_at__isnull=True).order_by("-id")
    return (
        Conversation.objects.filter(Q(buyer=user) | Q(seller=user), last_message_at__isnull=False)
        .select_related("buyer", "seller", "listing")
        .annotate(
            unread=Count("messages", filter=_unread_filter(user)),
            last_text=Subquery(last.values("text")[:1]),
            last_hidden_at=Subquery(last.values("hidden_at")[:1]),
        )
    )

"""What a report can point at: find it as the reporter sees it, describe it for the queue, and
hide it through the service of the domain that owns it (catalog, messaging, reputation).

Notes do not exist yet (the social issue comes later): a report on a note is 'not found'.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.accounts.selectors import user_get_public
from shiji.catalog.models import Listing
from shiji.catalog.selectors import listing_get_visible
from shiji.catalog.services import listing_suppress
from shiji.core.errors import NotFound
from shiji.messaging.selectors import message_for_report
from shiji.messaging.services import message_hide
from shiji.moderation.errors import CannotHide
from shiji.moderation.states import TargetType
from shiji.reputation.selectors import access_review
from shiji.reputation.services import review_hide

SNAPSHOT_CHARS = 500


@dataclass(frozen=True)
class Target:
    type: str
    id: str
    owner_id: str | None
    label: str  # title, name or text, as shown to moderators
    url: str | None  # a public page, when there is one


def _listing_title(listing: Listing) -> str:
    return str(listing.title.get(listing.original_language) or next(iter(listing.title.values()), ""))


def _listing_target(listing: Listing) -> Target:
    return Target(
        type=TargetType.LISTING,
        id=listing.pk,
        owner_id=listing.seller_id,
        label=_listing_title(listing),
        url=reverse("catalog:listing", args=[listing.pk]),
    )


def _user_target(user: User) -> Target:
    return Target(
        type=TargetType.USER,
        id=user.pk,
        owner_id=user.pk,
        label=user.display_name,
        url=reverse("accounts:profile", args=[user.pk]),
    )


def _text_target(kind: str, *, pk: str, owner_id: str, text: str) -> Target:
    return Target(
        type=kind,
        id=pk,
        owner_id=owner_id,
        label=Truncator(text).chars(SNAPSHOT_CHARS),
        url=None,  # private conversations and reviews have no page of their own to link
    )


def target_for_reporter(*, user: User, target_type: str, target_id: str) -> Target:
    """The target as ``user`` may see it; anything they may not see is 'not found'."""
    if target_type == TargetType.LISTING:
        return _listing_target(listing_get_visible(viewer=user, listing_id=target_id))
    if target_type == TargetType.USER:
        return _user_target(user_get_public(user_id=target_id))
    if target_type == TargetType.MESSAGE:
        message = message_for_report(user=user, message_id=target_id)
        return _text_target(TargetType.MESSAGE, pk=message.pk, owner_id=message.sender_id, text=message.text)
    if target_type == TargetType.REVIEW:
        review = access_review(user=user, review_id=target_id)  # revealed and shown, or one's own
        return _text_target(TargetType.REVIEW, pk=review.pk, owner_id=review.author_id, text=review.text)
    # Notes come with the social issue; until then nobody can see one.
    raise NotFound(_("Not found."))


def targets_for_staff(keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], Target]:
    """The targets of ``(type, id, snapshot)`` for the moderators' queue, whatever their state, in
    two queries; the snapshot stands in for content only its own domain reads (messages, reviews)
    and for targets that no longer exist."""
    wanted = list(keys)
    listing_ids = {tid for kind, tid, _snap in wanted if kind == TargetType.LISTING}
    user_ids = {tid for kind, tid, _snap in wanted if kind == TargetType.USER}
    listings = {item.pk: item for item in Listing.objects.filter(pk__in=listing_ids)} if listing_ids else {}
    users = {item.pk: item for item in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    found: dict[tuple[str, str], Target] = {}
    for kind, target_id, snapshot in wanted:
        if kind == TargetType.LISTING and target_id in listings:
            found[(kind, target_id)] = _listing_target(listings[target_id])
        elif kind == TargetType.USER and target_id in users:
            found[(kind, target_id)] = _user_target(users[target_id])
        else:
            found.setdefault(
                (kind, target_id), Target(type=kind, id=target_id, owner_id=None, label=snapshot, url=None)
            )
    return found


def target_hide(*, moderator: User, target_type: str, target_id: str, reason: str, request: HttpRequest | None) -> None:
    """Hide the content through its own domain's service (which checks the role and tells the owner)."""
    if target_type == TargetType.LISTING:
        listing_suppress(moderator=moderator, listing_id=target_id, reason=reason, request=request)
    elif target_type == TargetType.MESSAGE:
        message_hide(moderator=moderator, message_id=target_id, reason=reason)
    elif target_type == TargetType.REVIEW:
        review_hide(moderator=moderator, review_id=target_id, reason=reason)
    else:
        raise CannotHide()

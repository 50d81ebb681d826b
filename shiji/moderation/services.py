"""Writes of moderation: file a report; a moderator dismisses, hides, warns or suspends; lift a
suspension. Every decision leaves a ModerationAction row, an audit event and report events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.gates import require_not_suspended
from shiji.accounts.models import User
from shiji.accounts.roles import Role, require_role
from shiji.catalog.models import Listing, ListingEvent
from shiji.catalog.services import listing_reinstate, listing_suppress
from shiji.catalog.states import PUBLIC_STATUSES, ListingStatus
from shiji.core.audit import audit_record
from shiji.core.errors import InvalidInput, InvalidState, NotFound
from shiji.core.ratelimit import ratelimit_hit
from shiji.core.states import transition
from shiji.moderation.errors import (
    AlreadySuspended,
    CannotHide,
    NoOwner,
    NotSuspended,
    OwnContent,
    ReportResolved,
)
from shiji.moderation.models import ModerationAction, Report, ReportEvent, SuspendedListing, Suspension
from shiji.moderation.selectors import warnings_count
from shiji.moderation.states import (
    DETAILS_MAX,
    HIDEABLE_TARGETS,
    REASON_MAX,
    REPORT_ACTIONS,
    TRANSITIONS,
    ActionKind,
    ReportReason,
    ReportStatus,
    TargetType,
)
from shiji.moderation.targets import target_for_reporter, target_hide
from shiji.notifications.services import notify

REPORTS_PER_HOUR = 20
TARGET_ID_MAX = 64


# --- reports ---------------------------------------------------------------------------------


def _clean_report(target_type: Any, target_id: Any, reason: Any, details: Any) -> tuple[str, str, str, str]:
    fields: dict[str, list[str]] = {}
    if target_type not in TargetType.values:
        fields["target_type"] = [_("Choose listing, note, user, message or review.")]
    if not isinstance(target_id, str) or not 1 <= len(target_id.strip()) <= TARGET_ID_MAX:
        fields["target_id"] = [_("Say what you are reporting.")]
    if reason not in ReportReason.values:
        fields["reason"] = [_("Choose a reason from the list.")]
    if details is None:
        details = ""
    if not isinstance(details, str) or len(details.strip()) > DETAILS_MAX:
        fields["details"] = [_("At most %(max)s characters.") % {"max": DETAILS_MAX}]
    if fields:
        raise InvalidInput(_("Some fields are not valid."), fields=fields)
    return target_type, target_id.strip(), reason, details.strip()


def report_create(
    *, reporter: User, target_type: Any, target_id: Any, reason: Any, details: Any = ""
) -> tuple[Report, bool]:
    """File a report on something ``reporter`` can see. Returns ``(report, created)``: while the
    reporter's earlier report on the same target is still open, that one comes back unchanged."""
    require_not_suspended(reporter)
    target_type, target_id, reason, details = _clean_report(target_type, target_id, reason, details)
    ratelimit_hit(scope="report", key=reporter.pk, limit=REPORTS_PER_HOUR, window_seconds=3600)
    target = target_for_reporter(user=reporter, target_type=target_type, target_id=target_id)
    if target.owner_id == reporter.pk:
        raise OwnContent()
    open_reports = Report.objects.filter(
        reporter=reporter, target_type=target_type, target_id=target.id, status=ReportStatus.OPEN
    )
    existing = open_reports.first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter,
                target_type=target_type,
                target_id=target.id,
                target_owner_id=target.owner_id,
                target_snapshot=target.label,
                reason=reason,
                details=details,
            )
            ReportEvent.objects.create(subject=report, actor=reporter, from_state="", to_state=report.status)
    except IntegrityError:  # the same reporter's twin request won the race
        existing = open_reports.first()
        if existing is None:
            raise
        return existing, False
    return report, True


def _clean_reason(reason: Any, *, required: bool) -> str:
    if reason is None:
        reason = ""
    text = reason.strip() if isinstance(reason, str) else ""
    if not isinstance(reason, str) or (required and not text) or len(text) > REASON_MAX:
        raise InvalidInput(
            _("Say why: the person concerned will read it."),
            fields={"reason": [_("1 to %(max)s characters.") % {"max": REASON_MAX}]},
        )
    return text


def _resolve(reports: Sequence[Report], *, record: ModerationAction, moderator: User, reason: str) -> None:
    to = ReportStatus.DISMISSED if record.action == ActionKind.DISMISS else ReportStatus.ACTIONED
    now = timezone.now()
    for report in reports:
        transition(
            report,
            to=to,
            table=TRANSITIONS,
            event_model=ReportEvent,
            actor=moderator,
            note=reason,
            updates={"resolved_at": now, "resolved_by": moderator, "resolution": reason, "action": record},
        )


def _record(
    *,
    moderator: User,
    action: str,
    target_type: str,
    target_id: str,
    owner_id: str | None,
    reason: str,
    reports: Sequence[Report] = (),
    request: HttpRequest | None = None,
    listing_ids: Sequence[str] = (),
) -> ModerationAction:
    record = ModerationAction.objects.create(
        moderator=moderator,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_owner_id=owner_id,
        reason=reason,
        report_ids=[report.pk for report in reports],
        listing_ids=list(listing_ids),
    )
    _resolve(reports, record=record, moderator=moderator, reason=reason)
    audit_record(
        action=f"moderation.{action}",
        actor=moderator,
        target=record,
        data={
            "target_type": target_type,
            "target_id": target_id,
            "owner": owner_id,
            "reason": reason,
            "reports": record.report_ids,
            "listings": record.listing_ids,
        },
        request=request,
    )
    return record


def _open_reports_locked(target_type: str, target_id: str) -> list[Report]:
    """Every open report on one target, locked in id order (two moderators cannot deadlock)."""
    return list(
        Report.objects.select_for_update()
        .filter(target_type=target_type, target_id=target_id, status=ReportStatus.OPEN)
        .order_by("pk")
    )


def report_action(
    *, moderator: User, report_id: str, action: Any, reason: Any = "", request: HttpRequest | None = None
) -> ModerationAction:
    """Act on a report's target; every open report on that target resolves with it."""
    require_role(moderator, Role.MODERATOR)
    if action not in REPORT_ACTIONS:
        message = _("Choose dismiss, hide, warn or suspend.")
        raise InvalidInput(message, fields={"action": [message]})
    reason = _clean_reason(reason, required=action != ActionKind.DISMISS)
    found = Report.objects.filter(pk=report_id).values_list("target_type", "target_id").first()
    if found is None:
        raise NotFound(_("No such report."))
    target_type, target_id = found
    if action == ActionKind.HIDE and target_type not in HIDEABLE_TARGETS:
        raise CannotHide()
    with transaction.atomic():
        reports = _open_reports_locked(target_type, target_id)
        if report_id not in {report.pk for report in reports}:
            raise ReportResolved()
        owner_id = next((r.target_owner_id for r in reports if r.target_owner_id), None)
        if action in (ActionKind.WARN, ActionKind.SUSPEND) and owner_id is None:
            raise NoOwner()
        hidden: list[str] = []
        if action == ActionKind.HIDE:
            target_hide(
                moderator=moderator, target_type=target_type, target_id=target_id, reason=reason, request=request
            )
        elif action == ActionKind.SUSPEND:
            assert owner_id is not None  # nosec B101  # narrowing: NoOwner was raised above
            hidden = _suspend(moderator=moderator, user_id=owner_id, reason=reason)
        record = _record(
            moderator=moderator,
            action=action,
            target_type=target_type,
            target_id=target_id,
            owner_id=owner_id,
            reason=reason,
            reports=reports,
            request=request,
            listing_ids=hidden,
        )
        _tell_owner(record, label=reports[0].target_snapshot)
    return record


_OWNER_NOTICES = {
    ActionKind.HIDE: "moderation.hidden",
    ActionKind.WARN: "moderation.warned",
    ActionKind.SUSPEND: "moderation.suspended",
    ActionKind.UNSUSPEND: "moderation.unsuspended",
}


def _tell_owner(record: ModerationAction, *, label: str) -> None:
    """Tell the owner what was decided and why (texts in notification_texts.py)."""
    kind = _OWNER_NOTICES.get(ActionKind(record.action))
    if record.target_owner_id is None or kind is None:
        return
    data: dict[str, Any] = {"reason": record.reason, "what": record.target_type, "title": label}
    if record.action == ActionKind.WARN:
        data["count"] = warnings_count(user_id=record.target_owner_id)
    notify(
        user_id=record.target_owner_id,
        kind=kind,
        subject_type=record.target_type,
        subject_id=record.target_id,
        data=data,
    )


# --- suspension ------------------------------------------------------------------------------


def _user_locked(user_id: str) -> User:
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("No such user."))
    return user


def _suspend(*, moderator: User, user_id: str, reason: str) -> list[str]:
    """Suspend the account and hide its listings on sale; returns the ids of those hidden.
    Runs inside the caller's transaction."""
    if user_id == moderator.pk:
        raise InvalidInput(_("You cannot suspend yourself."), fields={"user": [_("This is you.")]})
    user = _user_locked(user_id)
    if user.suspended_at is not None:
        raise AlreadySuspended()
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(suspended_at=now, suspension_reason=reason)
    suspension = Suspension.objects.create(user=user, reason=reason, started_at=now, started_by=moderator)
    hidden = []
    for listing_id in (
        Listing.objects.filter(seller=user, status__in=PUBLIC_STATUSES).order_by("pk").values_list("pk", flat=True)
    ):
        try:
            listing_suppress(moderator=moderator, listing_id=listing_id, reason=reason, notify=False)
        except InvalidState:  # removed or hidden a moment ago: nothing to hide or to put back
            continue
        event_id = (
            ListingEvent.objects.filter(subject_id=listing_id, to_state=ListingStatus.SUPPRESSED)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        assert event_id is not None  # nosec B101  # narrowing: the suppression just wrote it
        SuspendedListing.objects.create(suspension=suspension, listing_id=listing_id, suppression_event_id=event_id)
        hidden.append(listing_id)
    return hidden


def user_suspend(*, moderator: User, user_id: str, reason: Any, request: HttpRequest | None = None) -> ModerationAction:
    """Suspend an account: it cannot start anything new, its listings on sale are hidden, its
    open orders go on (ship, answer disputes, get paid). Open reports on the account resolve."""
    require_role(moderator, Role.MODERATOR)
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        reports = _open_reports_locked(TargetType.USER, user_id)
        hidden = _suspend(moderator=moderator, user_id=user_id, reason=reason)
        record = _record(
            moderator=moderator,
            action=ActionKind.SUSPEND,
            target_type=TargetType.USER,
            target_id=user_id,
            owner_id=user_id,
            reason=reason,
            reports=reports,
            request=request,
            listing_ids=hidden,
        )
        _tell_owner(record, label="")
    return record


def user_unsuspend(
    *, moderator: User, user_id: str, reason: Any = "", request: HttpRequest | None = None
) -> ModerationAction:
    """Lift the suspension and put back exactly the listings it hid, unless something else has
    happened to them since (a moderator hid one separately, the seller removed one)."""
    require_role(moderator, Role.MODERATOR)
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        user = _user_locked(user_id)
        if user.suspended_at is None:
            raise NotSuspended()
        now = timezone.now()
        User.objects.filter(pk=user.pk).update(suspended_at=None, suspension_reason="")
        reinstated: list[str] = []
        suspension = Suspension.objects.filter(user=user, lifted_at__isnull=True).first()
        if suspension is not None:
            Suspension.objects.filter(pk=suspension.pk).update(lifted_at=now, lifted_by=moderator)
            still_hidden = suspension.listings.filter(
                reinstated_at__isnull=True, listing__status=ListingStatus.SUPPRESSED
            ).order_by("pk")
            for hidden in still_hidden:
                latest = (
                    ListingEvent.objects.filter(subject_id=hidden.listing_id)
                    .order_by("-pk")
                    .values_list("pk", flat=True)
                    .first()
                )
                if latest != hidden.suppression_event_id:
                    continue
                listing_reinstate(moderator=moderator, listing_id=hidden.listing_id)
                SuspendedListing.objects.filter(pk=hidden.pk).update(reinstated_at=now)
                reinstated.append(hidden.listing_id)
        record = _record(
            moderator=moderator,
            action=ActionKind.UNSUSPEND,
            target_type=TargetType.USER,
            target_id=user.pk,
            owner_id=user.pk,
            reason=reason,
            request=request,
            listing_ids=reinstated,
        )
        _tell_owner(record, label="")
    return record

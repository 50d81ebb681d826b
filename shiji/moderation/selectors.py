"""Reads of moderation: a reporter's own reports, the moderators' queue, warning counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.accounts.roles import Role, require_role
from shiji.core.errors import InvalidInput, NotFound
from shiji.moderation.models import ModerationAction, Report
from shiji.moderation.states import ActionKind, ReportReason, ReportStatus, TargetType
from shiji.moderation.targets import Target, targets_for_staff

QUEUE_PAGE_TARGETS = 50


def reports_of_reporter(*, reporter: User) -> QuerySet[Report]:
    return Report.objects.filter(reporter=reporter)


def access_report_for_reporter(*, reporter: User, report_id: str) -> Report:
    """The reporter's own report; anyone else's is 'not found'."""
    report = Report.objects.filter(pk=report_id, reporter=reporter).first()
    if report is None:
        raise NotFound(_("No such report."))
    return report


def reports_of_action(record: ModerationAction) -> list[Report]:
    """The reports a moderator's decision resolved, in id order."""
    return list(Report.objects.filter(action=record).select_related("target_owner").order_by("pk"))


def check_report_status(status: str | None) -> str:
    if status is None or status == "":
        return ReportStatus.OPEN
    if status not in ReportStatus.values:
        raise InvalidInput(_("Unknown status."), fields={"status": [_("open, dismissed or actioned.")]})
    return status


def report_queue(*, moderator: User, status: str | None = None) -> QuerySet[Report]:
    """Reports in one status for moderators (pagination orders them oldest first)."""
    require_role(moderator, Role.MODERATOR)
    return Report.objects.filter(status=check_report_status(status)).select_related(
        "reporter", "target_owner", "resolved_by"
    )


def target_report_counts(reports: list[Report]) -> dict[tuple[str, str], int]:
    """How many reports in the same status each of these reports' targets has (one query)."""
    if not reports:
        return {}
    rows = (
        Report.objects.filter(
            status__in={report.status for report in reports}, target_id__in={report.target_id for report in reports}
        )
        .values("target_type", "target_id", "status")
        .annotate(n=Count("id"))
    )
    statuses = {(r.target_type, r.target_id): r.status for r in reports}
    return {
        (row["target_type"], row["target_id"]): row["n"]
        for row in rows
        if statuses.get((row["target_type"], row["target_id"])) == row["status"]
    }


def warnings_count(*, user_id: str) -> int:
    return ModerationAction.objects.filter(target_owner_id=user_id, action=ActionKind.WARN).count()


def warnings_counts(user_ids: set[str]) -> dict[str, int]:
    rows = (
        ModerationAction.objects.filter(target_owner_id__in=user_ids, action=ActionKind.WARN)
        .values("target_owner_id")
        .annotate(n=Count("id"))
    )
    return {row["target_owner_id"]: row["n"] for row in rows}


@dataclass
class QueueGroup:
    """One target with all its reports in the queue's status, oldest report first."""

    target: Target
    reports: list[Report] = field(default_factory=list)
    owner: User | None = None
    owner_warnings: int = 0

    @property
    def count(self) -> int:
        return len(self.reports)

    @property
    def type_label(self) -> str:
        return str(TargetType(self.target.type).label)

    @property
    def first(self) -> Report:
        return self.reports[0]

    @property
    def reasons(self) -> list[tuple[str, int]]:
        labels = dict(ReportReason.choices)
        counts = Counter(report.reason for report in self.reports)
        return [(str(labels.get(reason, reason)), n) for reason, n in counts.most_common()]


def report_queue_groups(*, moderator: User, status: str | None = None) -> list[QueueGroup]:
    """The queue page: reports grouped by target, the target reported earliest first."""
    queryset = report_queue(moderator=moderator, status=status).order_by("created_at", "pk")
    grouped: dict[tuple[str, str], list[Report]] = {}
    for report in queryset[: QUEUE_PAGE_TARGETS * 20]:
        key = (report.target_type, report.target_id)
        if key in grouped or len(grouped) < QUEUE_PAGE_TARGETS:
            grouped.setdefault(key, []).append(report)
    targets = targets_for_staff((t, i, reports[0].target_snapshot) for (t, i), reports in grouped.items())
    groups = []
    for key, reports in grouped.items():
        owner = next((r.target_owner for r in reports if r.target_owner is not None), None)
        groups.append(QueueGroup(target=targets[key], reports=reports, owner=owner))
    counts = warnings_counts({g.owner.pk for g in groups if g.owner is not None})
    for group in groups:
        group.owner_warnings = counts.get(group.owner.pk, 0) if group.owner is not None else 0
    return groups


def open_report_target_count() -> int:
    """How many targets wait for a moderator (the dashboard's count)."""
    return Report.objects.filter(status=ReportStatus.OPEN).values("target_type", "target_id").distinct().count()


def suspended_users(*, moderator: User) -> QuerySet[User]:
    require_role(moderator, Role.MODERATOR)
    return User.objects.filter(suspended_at__isnull=False).order_by("-suspended_at")


def access_account_for_moderator(*, moderator: User, user_id: str) -> User:
    """Any account, for a moderator; an unknown id is 'not found'."""
    require_role(moderator, Role.MODERATOR)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("No such user."))
    return user


def moderation_history(*, moderator: User, user_id: str) -> QuerySet[ModerationAction]:
    require_role(moderator, Role.MODERATOR)
    return ModerationAction.objects.filter(target_owner_id=user_id).select_related("moderator")

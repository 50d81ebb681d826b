"""HTTP API of moderation (API.md, Trust): reports, the moderators' queue and actions, suspension."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from shiji.api.auth import AUTH, api_user
from shiji.api.openapi import errors
from shiji.api.pagination import paginate_by_id
from shiji.core.time import iso_utc
from shiji.moderation import selectors, services
from shiji.moderation.models import ModerationAction, Report
from shiji.moderation.schemas import (
    AccountModerationOut,
    ActionIn,
    ActionResultOut,
    ReasonIn,
    ReportIn,
    ReportOut,
    ReportPage,
    StaffReportPage,
)
from shiji.moderation.targets import Target, targets_for_staff

router = Router(auth=AUTH)
staff_router = Router(auth=AUTH)


def report_out(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "target_type": report.target_type,
        "target_id": report.target_id,
        "reason": report.reason,
        "details": report.details,
        "status": report.status,
        "created_at": iso_utc(report.created_at),
        "resolved_at": iso_utc(report.resolved_at),
    }


def staff_report_out(
    report: Report, *, target: Target, target_reports: int, owner_warnings: dict[str, int]
) -> dict[str, Any]:
    owner = report.target_owner
    return {
        **report_out(report),
        "reporter": report.reporter_id,
        "target": {
            "type": target.type,
            "id": target.id,
            "label": target.label or report.target_snapshot,
            "url": target.url,
            "owner": report.target_owner_id,
            "owner_suspended": bool(owner and owner.suspended),
            "owner_warnings": owner_warnings.get(report.target_owner_id or "", 0),
        },
        "target_reports": target_reports,
        "resolution": report.resolution,
        "resolved_by": report.resolved_by_id,
        "action": report.action_id,
    }


def _staff_reports(reports: list[Report]) -> list[dict[str, Any]]:
    """Reports for moderators, in a fixed number of queries whatever their number."""
    counts = selectors.target_report_counts(reports)
    warnings = selectors.warnings_counts({r.target_owner_id for r in reports if r.target_owner_id})
    targets = targets_for_staff((r.target_type, r.target_id, r.target_snapshot) for r in reports)
    return [
        staff_report_out(
            r,
            target=targets[(r.target_type, r.target_id)],
            target_reports=counts.get((r.target_type, r.target_id), 1),
            owner_warnings=warnings,
        )
        for r in reports
    ]


def action_out(record: ModerationAction) -> dict[str, Any]:
    return {
        "id": record.pk,
        "action": record.action,
        "target_type": record.target_type,
        "target_id": record.target_id,
        "target_owner": record.target_owner_id,
        "reason": record.reason,
        "reports": record.report_ids,
        "owner_warnings": selectors.warnings_count(user_id=record.target_owner_id) if record.target_owner_id else 0,
        "created_at": iso_utc(record.created_at),
    }


@router.post("/reports", response={201: ReportOut, 200: ReportOut, **errors(403, 404, 429)})
def report_create(request: HttpRequest, payload: ReportIn) -> Status[Any]:
    report, created = services.report_create(
        reporter=api_user(request),
        target_type=payload.target_type,
        target_id=payload.target_id,
        reason=payload.reason,
        details=payload.details,
    )
    return Status(201 if created else 200, report_out(report))


@router.get("/me/reports", response=ReportPage)
def my_reports(request: HttpRequest, cursor: str | None = None, limit: int | None = Query(None)) -> dict[str, Any]:
    page = paginate_by_id(selectors.reports_of_reporter(reporter=api_user(request)), cursor=cursor, limit=limit)
    return {"items": [report_out(r) for r in page.items], "next_cursor": page.next_cursor}


@router.get("/reports/{report_id}", response={200: ReportOut, **errors(404)})
def report_get(request: HttpRequest, report_id: str) -> dict[str, Any]:
    return report_out(selectors.access_report_for_reporter(reporter=api_user(request), report_id=report_id))


@staff_router.get("/reports", response={200: StaffReportPage, **errors(403)})
def staff_reports(
    request: HttpRequest, status: str | None = None, cursor: str | None = None, limit: int | None = Query(None)
) -> dict[str, Any]:
    queryset = selectors.report_queue(moderator=api_user(request), status=status)
    page = paginate_by_id(queryset, cursor=cursor, limit=limit, newest_first=False)
    return {"items": _staff_reports(page.items), "next_cursor": page.next_cursor}


@staff_router.post("/reports/{report_id}/action", response={200: ActionResultOut, **errors(403, 404, 409)})
def staff_report_action(request: HttpRequest, report_id: str, payload: ActionIn) -> dict[str, Any]:
    record = services.report_action(
        moderator=api_user(request), report_id=report_id, action=payload.action, reason=payload.reason, request=request
    )
    return {"action": action_out(record), "reports": _staff_reports(selectors.reports_of_action(record))}


def _account_out(record: ModerationAction) -> dict[str, Any]:
    user = record.target_owner  # the account itself: suspend and unsuspend target their owner
    assert user is not None  # nosec B101  # narrowing: an account action always has its owner
    return {
        "id": user.pk,
        "suspended": user.suspended,
        "suspended_at": iso_utc(user.suspended_at),
        "suspension_reason": user.suspension_reason,
        "action": action_out(record),
        "listings": record.listing_ids,
    }


@staff_router.post("/users/{user_id}/suspend", response={200: AccountModerationOut, **errors(403, 404, 409)})
def staff_user_suspend(request: HttpRequest, user_id: str, payload: ReasonIn) -> dict[str, Any]:
    record = services.user_suspend(moderator=api_user(request), user_id=user_id, reason=payload.reason, request=request)
    return _account_out(record)


@staff_router.post("/users/{user_id}/unsuspend", response={200: AccountModerationOut, **errors(403, 404, 409)})
def staff_user_unsuspend(request: HttpRequest, user_id: str, payload: ReasonIn | None = None) -> dict[str, Any]:
    record = services.user_unsuspend(
        moderator=api_user(request), user_id=user_id, reason=payload.reason if payload else "", request=request
    )
    return _account_out(record)

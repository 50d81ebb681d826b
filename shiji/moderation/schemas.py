"""Schemas of the moderation API (API.md, Trust)."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class ReportIn(Schema):
    # Checked by the service (422 with the field named), so any string passes here.
    target_type: str = Field(max_length=16)
    target_id: str = Field(max_length=64)
    reason: str = Field(max_length=32)
    details: str | None = Field(default="", max_length=2000)


class ReportOut(Schema):
    """What the reporter sees: their report and its status (not the moderator's reasoning)."""

    id: str
    target_type: str
    target_id: str
    reason: str
    details: str
    status: str
    created_at: str
    resolved_at: str | None


class ReportPage(Schema):
    items: list[ReportOut]
    next_cursor: str | None


class StaffTargetOut(Schema):
    type: str
    id: str
    label: str
    url: str | None
    owner: str | None
    owner_suspended: bool
    owner_warnings: int


class StaffReportOut(ReportOut):
    reporter: str
    target: StaffTargetOut
    target_reports: int  # reports in the same status on the same target
    resolution: str
    resolved_by: str | None
    action: str | None


class StaffReportPage(Schema):
    items: list[StaffReportOut]
    next_cursor: str | None


class ActionIn(Schema):
    action: str = Field(max_length=16)
    reason: str | None = Field(default="", max_length=2000)


class ReasonIn(Schema):
    reason: str | None = Field(default="", max_length=2000)


class ActionOut(Schema):
    id: str
    action: str
    target_type: str
    target_id: str
    target_owner: str | None
    reason: str
    reports: list[str]
    owner_warnings: int
    created_at: str


class ActionResultOut(Schema):
    action: ActionOut
    reports: list[StaffReportOut]


class AccountModerationOut(Schema):
    id: str
    suspended: bool
    suspended_at: str | None
    suspension_reason: str
    action: ActionOut
    listings: list[str]  # hidden by the suspension, or put back by lifting it

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema


class RuleOut(Schema):
    code: str
    point: str
    title: str
    description: str
    window_seconds: int
    threshold: int
    action: str


class RulePage(Schema):
    items: list[RuleOut]
    next_cursor: str | None


class DecisionOut(Schema):
    id: str
    point: str
    action: str
    rules: list[str]
    reasons: list[str]
    inputs: dict[str, Any]
    facts: dict[str, Any]
    user: str | None
    subject_type: str
    subject_id: str
    ip: str | None
    created_at: str
    review_status: str
    resolved_by: str | None
    resolved_at: str | None
    note: str


class DecisionPage(Schema):
    items: list[DecisionOut]
    next_cursor: str | None


class ResolveIn(Schema):
    resolution: Literal["clear", "confirm"]
    note: str = ""

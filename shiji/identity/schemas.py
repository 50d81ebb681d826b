from __future__ import annotations

from ninja import Schema
from pydantic import Field


class SubmittedOut(Schema):
    id: str
    status: str


class MyVerificationOut(Schema):
    id: str
    status: str
    document_type: str
    document_last4: str
    reason: str
    submitted_at: str
    decided_at: str | None
    verification_level: int


class StaffVerificationOut(Schema):
    id: str
    status: str
    user_id: str
    display_name: str
    country: str
    legal_name: str
    document_type: str
    document_last4: str
    submitted_at: str
    decided_at: str | None
    reason: str
    document_url: str


class StaffVerificationPage(Schema):
    items: list[StaffVerificationOut]
    next_cursor: str | None


class DecisionIn(Schema):
    approve: bool
    reason: str = Field(default="", max_length=4000)

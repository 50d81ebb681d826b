from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field

from shiji.catalog.schemas import MoneyIO


class SandboxCompleteIn(Schema):
    outcome: Literal["succeeded", "failed"]


class SandboxCompleteOut(Schema):
    payment_id: str
    outcome: str


class CallbackOut(Schema):
    received: bool
    result: str


class BalanceOut(Schema):
    currency: str
    available: str
    pending: str


class PayoutIn(Schema):
    amount: MoneyIO


class PayoutOut(Schema):
    id: str
    amount: MoneyIO
    status: str
    provider: str
    failure_reason: str
    created_at: str
    settled_at: str | None


class PayoutPage(Schema):
    items: list[PayoutOut]
    next_cursor: str | None


class LedgerCheckOut(Schema):
    balanced: bool
    escrow_matches_orders: bool
    payouts_match: bool
    entries: int
    problems: list[str] = Field(default_factory=list)


class PayoutAccountIn(Schema):
    method: str
    holder_name: str
    account_number: str  # stored as its last four characters only


class PayoutAccountOut(Schema):
    method: str
    holder_name: str
    account_last4: str
    account_number_masked: str
    changed_at: str
    payouts_held_until: str | None  # payouts asked for before this wait for a staff check

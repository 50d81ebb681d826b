"""The risk engine's interface (PRODUCT.md §7): other domains call ``risk_evaluate`` at the six
points below and act on the verdict. The rules themselves are data (``RiskRule``).

INTERFACE ONLY — the rule evaluation is being written; until then every verdict is ``allow``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import models


class RiskPoint(StrEnum):
    REGISTRATION = "registration"
    LISTING_PUBLISH = "listing_publish"
    ORDER_CREATE = "order_create"
    PAYMENT_CALLBACK = "payment_callback"
    PAYOUT_REQUEST = "payout_request"
    MESSAGE_SEND = "message_send"


class RiskAction(StrEnum):
    ALLOW = "allow"
    WARN = "warn"  # redact and warn the sender (messages)
    REVIEW = "review"  # goes on with it, and staff look at it in the risk queue
    HOLD = "hold"  # a payout waits for staff
    BLOCK = "block"  # refused (e.g. payments for an hour)


@dataclass(frozen=True)
class Verdict:
    action: RiskAction = RiskAction.ALLOW
    rules: tuple[str, ...] = ()  # codes of the rules that fired
    decision_id: str | None = None  # the stored RiskDecision, when a rule fired
    reasons: tuple[str, ...] = field(default=())  # the fired rules' public titles, in the active language


def risk_evaluate(
    point: RiskPoint,
    *,
    user: Any,
    inputs: Mapping[str, Any],
    subject: models.Model | None = None,
    ip: str | None = None,
) -> Verdict:
    """Evaluate the active rules of ``point`` for ``user`` and store a decision when one fires."""
    return Verdict()

"""The risk engine (PRODUCT.md §7): other domains call ``risk_evaluate`` at the six points below
and act on the verdict. The rules themselves are data (``RiskRule``, editable in the admin);
their conditions are a fixed set of kinds implemented in ``shiji.risk.conditions``.

The engine records the signals the point's counting rules count, evaluates the point's active
rules in order, and when any fires stores ONE ``RiskDecision`` (the strongest action wins:
block > hold > review > warn > allow) with the rule codes, the inputs and what each rule saw.
A ``block`` also stores a ``RiskBlock``. What each action means at each point is up to the
caller (see docs/domains/risk.md).
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
    """Evaluate the active rules of ``point`` for ``user`` and store a decision when one fires.

    Runs in the caller's transaction: if the caller's work rolls back, so do the decision and
    the signals recorded for it."""
    from shiji.risk.services import risk_rules_apply

    return risk_rules_apply(point=RiskPoint(point), user=user, inputs=inputs, subject=subject, ip=ip)


# The strongest action wins when several rules fire.
STRENGTH = {
    RiskAction.ALLOW: 0,
    RiskAction.WARN: 1,
    RiskAction.REVIEW: 2,
    RiskAction.HOLD: 3,
    RiskAction.BLOCK: 4,
}

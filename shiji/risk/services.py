"""Writes of risk: evaluating rules into decisions and blocks, refusing blocked payments, and
staff resolving ``review`` and ``hold`` decisions (with what that means for the listing, order
or payout concerned)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shiji.core.audit import audit_record
from shiji.core.errors import InvalidInput, InvalidState, NotFound
from shiji.core.states import transition
from shiji.risk import conditions, selectors
from shiji.risk.engine import STRENGTH, RiskAction, RiskPoint, Verdict
from shiji.risk.errors import PaymentsBlocked
from shiji.risk.models import (
    REVIEW_TRANSITIONS,
    BlockScope,
    ReviewStatus,
    RiskBlock,
    RiskDecision,
    RiskDecisionEvent,
    RiskEvent,
    RiskRule,
)

RESOLUTIONS = {"clear": ReviewStatus.CLEARED, "confirm": ReviewStatus.CONFIRMED}
MAX_NOTE = 2000


def risk_event_record(
    *, kind: str, subject_type: str = "", subject_id: str = "", data: dict[str, Any] | None = None, user: Any = None
) -> RiskEvent:
    return RiskEvent.objects.create(
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data or {},
        user=user if getattr(user, "pk", None) else None,
    )


# --- evaluation -------------------------------------------------------------------------------


def _as_json(inputs: Mapping[str, Any]) -> dict[str, Any]:
    return dict(json.loads(json.dumps(dict(inputs), cls=DjangoJSONEncoder, default=str)))


def _block(rule: RiskRule, facts: Mapping[str, Any], *, user: Any, decision: RiskDecision) -> None:
    until = decision.created_at + timedelta(
        seconds=int(facts.get("block_seconds") or rule.params.get("block_seconds", conditions.DEFAULT_BLOCK_SECONDS))
    )
    blocked_user = user if getattr(user, "pk", None) and facts.get("block_user", True) else None
    blocked_ip = facts.get("block_ip") or None
    if blocked_user is None and blocked_ip is None:
        return
    RiskBlock.objects.create(
        scope=rule.params.get("scope", BlockScope.PAYMENTS),
        user=blocked_user,
        ip=blocked_ip,
        until=until,
        decision=decision,
        created_at=decision.created_at,
    )


def risk_rules_apply(
    *, point: RiskPoint, user: Any, inputs: Mapping[str, Any], subject: models.Model | None, ip: str | None
) -> Verdict:
    """The engine (``shiji.risk.engine.risk_evaluate``): record this point's signals, run its
    active rules in order, store one decision when any fires."""
    now = timezone.now()
    subject_type = subject._meta.label_lower if subject is not None else ""
    subject_id = str(subject.pk) if subject is not None else ""
    if point == RiskPoint.PAYMENT_CALLBACK and not ip and inputs.get("order"):
        ip = conditions.order_ip(str(inputs["order"]))
    ctx = conditions.Context(point=point, user=user, inputs=inputs, ip=ip or None, now=now, subject_id=subject_id)
    with transaction.atomic():
        conditions.signals_observe(ctx)
        fired: list[tuple[RiskRule, dict[str, Any]]] = []
        for rule in selectors.rules_active(point):
            entry = conditions.CONDITIONS.get(rule.condition)
            if entry is None or entry[0] != point:
                continue  # a rule whose condition belongs to another point never fires here
            facts = entry[1](rule, ctx)
            if facts is not None:
                fired.append((rule, facts))
        if not fired:
            return Verdict()
        action = max((RiskAction(rule.action) for rule, _facts in fired), key=STRENGTH.__getitem__)
        if action == RiskAction.ALLOW:
            return Verdict()
        # Staff look at reviews and holds; a payout stopped by any rule waits for them too (a
        # held payout has no other way out).
        review = action in (RiskAction.REVIEW, RiskAction.HOLD) or point == RiskPoint.PAYOUT_REQUEST
        decision = RiskDecision.objects.create(
            point=point,
            action=action,
            rules=[rule.code for rule, _facts in fired],
            inputs=_as_json(inputs),
            facts=_as_json({rule.code: facts for rule, facts in fired}),
            user=user if getattr(user, "pk", None) else None,
            subject_type=subject_type,
            subject_id=subject_id,
            ip=ip or None,
            created_at=now,
            review_status=ReviewStatus.OPEN if review else ReviewStatus.NONE,
        )
        if review:
            RiskDecisionEvent.objects.create(subject=decision, from_state="", to_state=ReviewStatus.OPEN, at=now)
        for rule, facts in fired:
            if rule.action == RiskAction.BLOCK:
                _block(rule, facts, user=user, decision=decision)
    language = get_language()
    return Verdict(
        action=action,
        rules=tuple(rule.code for rule, _facts in fired),
        decision_id=decision.pk,
        reasons=tuple(rule.title_for(language) for rule, _facts in fired),
    )


def payments_block_check(*, user: Any, ip: str | None) -> None:
    """Refuse (403 ``payments_blocked``) while a payments block is on this buyer or this IP."""
    block = selectors.risk_block_active(scope=BlockScope.PAYMENTS, user=user, ip=ip)
    if block is not None:
        raise PaymentsBlocked(block.until)


# --- staff review -----------------------------------------------------------------------------


def _listing_cleared(decision: RiskDecision, staff: Any, request: HttpRequest | None) -> None:
    """Reinstate the listing the rules hid at publishing, unless a moderator hid it since."""
    from shiji.catalog.models import Listing, ListingEvent
    from shiji.catalog.services import listing_reinstate
    from shiji.catalog.states import ListingStatus

    if not Listing.objects.filter(pk=decision.subject_id, status=ListingStatus.SUPPRESSED).exists():
        return
    last_hidden_by = (
        ListingEvent.objects.filter(subject_id=decision.subject_id, to_state=ListingStatus.SUPPRESSED)
        .order_by("-at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    if last_hidden_by is None:  # hidden by the rules (no actor), not by a moderator
        listing_reinstate(moderator=staff, listing_id=decision.subject_id, request=request)


def _order_confirmed(decision: RiskDecision, staff: Any, note: str) -> None:
    """Cancel the order (refunded in full if paid) when it has not shipped yet."""
    from shiji.orders.flow import order_cancel_by_staff

    order_cancel_by_staff(staff=staff, order_id=decision.subject_id, reason=note or _("Cancelled after a risk check."))


def _apply(decision: RiskDecision, *, staff: Any, outcome: str, note: str, request: HttpRequest | None) -> None:
    cleared = outcome == ReviewStatus.CLEARED
    if decision.subject_type == "catalog.listing" and cleared:
        _listing_cleared(decision, staff, request)
    elif decision.subject_type == "orders.order" and not cleared:
        _order_confirmed(decision, staff, note)
    elif decision.subject_type == "payments.payout":
        from shiji.payments import payouts

        if cleared:
            payouts.payout_release(staff=staff, payout_id=decision.subject_id)
        else:
            payouts.payout_cancel_held(staff=staff, payout_id=decision.subject_id, reason=note)


def risk_decision_resolve(
    *, staff: Any, decision_id: str, resolution: str, note: str = "", request: HttpRequest | None = None
) -> RiskDecision:
    """A staff member clears (nothing wrong: a held listing is reinstated, a held payout sent)
    or confirms (a hidden listing stays hidden, an unshipped order is cancelled, a held payout
    is cancelled and its money returned) an open decision."""
    outcome = RESOLUTIONS.get(resolution)
    if outcome is None:
        raise InvalidInput(_("Choose clear or confirm."), fields={"resolution": [_("One of: clear, confirm.")]})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(_("The note is too long."), fields={"note": [_("At most 2000 characters.")]})
    selectors.access_decision_for_staff(staff=staff, decision_id=decision_id)
    with transaction.atomic():
        decision = RiskDecision.objects.select_for_update().filter(pk=decision_id).first()
        if decision is None:
            raise NotFound(_("No such risk decision."))
        if decision.review_status != ReviewStatus.OPEN:
            raise InvalidState(_("This decision has already been resolved."))
        now = timezone.now()
        transition(
            decision,
            to=outcome,
            table=REVIEW_TRANSITIONS,
            event_model=RiskDecisionEvent,
            field="review_status",
            actor=staff,
            note=note,
            updates={"resolved_by": staff, "resolved_at": now, "note": note},
        )
        _apply(decision, staff=staff, outcome=outcome, note=note, request=request)
        audit_record(
            action=f"risk.decision_{outcome}",
            actor=staff,
            target=decision,
            data={"point": decision.point, "rules": decision.rules, "note": note},
            request=request,
        )
    return decision

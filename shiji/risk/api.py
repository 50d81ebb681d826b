"""HTTP API of risk: the public rules and the staff review queue."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Query, Router

from shiji.api.auth import AUTH, api_user
from shiji.api.openapi import errors
from shiji.api.pagination import paginate_by_id
from shiji.core.time import iso_utc
from shiji.risk import selectors, services
from shiji.risk.models import ReviewStatus, RiskDecision, RiskRule
from shiji.risk.schemas import DecisionOut, DecisionPage, ResolveIn, RulePage

router = Router(auth=AUTH)
staff_router = Router(auth=AUTH)


def rule_out(rule: RiskRule, language: str | None) -> dict[str, Any]:
    return {
        "code": rule.code,
        "point": rule.point,
        "title": rule.title_for(language),
        "description": rule.description_for(language),
        "window_seconds": rule.window_seconds,
        "threshold": rule.threshold,
        "action": rule.action,
    }


def decision_out(decision: RiskDecision, titles: dict[str, str] | None = None) -> dict[str, Any]:
    """``titles``: code → title (``selectors.rule_titles``), looked up when not given."""
    titles = titles if titles is not None else selectors.rule_titles([decision])
    return {
        "id": decision.pk,
        "point": decision.point,
        "action": decision.action,
        "rules": list(decision.rules),
        "reasons": [titles.get(code, code) for code in decision.rules],
        "inputs": decision.inputs,
        "facts": decision.facts,
        "user": decision.user_id,
        "subject_type": decision.subject_type,
        "subject_id": decision.subject_id,
        "ip": decision.ip,
        "created_at": iso_utc(decision.created_at),
        "review_status": decision.review_status,
        "resolved_by": decision.resolved_by_id,
        "resolved_at": iso_utc(decision.resolved_at),
        "note": decision.note,
    }


@router.get("/risk/rules", auth=None, response=RulePage)
def rules_list(request: HttpRequest) -> dict[str, Any]:
    """Every active risk rule, in the request's language (public: no token needed)."""
    language = get_language()
    return {"items": [rule_out(rule, language) for rule in selectors.rules_public()], "next_cursor": None}


@staff_router.get("/risk/decisions", response={200: DecisionPage, **errors(403)})
def decisions_list(
    request: HttpRequest,
    status: str | None = ReviewStatus.OPEN,
    point: str | None = None,
    cursor: str | None = None,
    limit: int | None = Query(None),
) -> dict[str, Any]:
    """Decisions the caller's staff roles reach (``status``: open, cleared, confirmed, none, or
    ``all``), newest first."""
    queue = selectors.decision_queue(staff=api_user(request), status=None if status == "all" else status, point=point)
    page = paginate_by_id(queue, cursor=cursor, limit=limit)
    titles = selectors.rule_titles(page.items)
    return {"items": [decision_out(d, titles) for d in page.items], "next_cursor": page.next_cursor}


@staff_router.get("/risk/decisions/{decision_id}", response={200: DecisionOut, **errors(403, 404)})
def decision_get(request: HttpRequest, decision_id: str) -> dict[str, Any]:
    return decision_out(selectors.access_decision_for_staff(staff=api_user(request), decision_id=decision_id))


@staff_router.post("/risk/decisions/{decision_id}/resolve", response={200: DecisionOut, **errors(403, 404, 409)})
def decision_resolve(request: HttpRequest, decision_id: str, payload: ResolveIn) -> dict[str, Any]:
    with transaction.atomic(durable=True):
        decision = services.risk_decision_resolve(
            staff=api_user(request),
            decision_id=decision_id,
            resolution=payload.resolution,
            note=payload.note,
            request=request,
        )
    return decision_out(decision)

"""HTTP API of disputes (API.md, Trust)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from shiji.accounts.models import User
from shiji.api.auth import AUTH, api_user
from shiji.api.openapi import errors
from shiji.api.pagination import paginate_by_offset
from shiji.catalog.schemas import MoneyIO
from shiji.core.downloads import file_response
from shiji.core.money import Money, parse_money
from shiji.core.notes import note_text
from shiji.core.time import iso_utc
from shiji.disputes import selectors, services
from shiji.disputes.models import Dispute, DisputeMessage, Evidence
from shiji.disputes.selectors import party_of, resolution_text
from shiji.orders.schemas import EventOut

router = Router(auth=AUTH)
staff_router = Router(auth=AUTH)


# --- schemas ---------------------------------------------------------------------------------


class DisputeIn(Schema):
    reason: str = Field(max_length=40)
    description: str = Field(max_length=4000)


class DisputeMessageIn(Schema):
    text: str = Field(default="", max_length=4000)
    attachments: list[str] = Field(default_factory=list, max_length=10)


class OfferIn(Schema):
    refund: MoneyIO
    return_required: bool = False


class EscalateIn(Schema):
    note: str = Field(default="", max_length=1000)


class ReturnIn(Schema):
    carrier: str = Field(max_length=60)
    tracking_number: str = Field(max_length=60)


class DisputeDecisionIn(Schema):
    outcome: Literal["refund_full", "refund_partial", "release"]
    refund: MoneyIO | None = None
    reason: str = Field(max_length=4000)


class EvidenceOut(Schema):
    id: str
    url: str
    width: int
    height: int
    message: str | None
    created_at: str


class DisputeMessageOut(Schema):
    id: str
    author: str | None
    role: str
    text: str
    redacted: list[str]
    attachments: list[EvidenceOut]
    created_at: str


class OfferOut(Schema):
    refund: MoneyIO
    return_required: bool
    offered_at: str | None


class ReturnOut(Schema):
    carrier: str
    tracking_number: str
    shipped_at: str | None
    received_at: str | None


class DisputeDecisionOut(Schema):
    outcome: str
    refund: MoneyIO | None
    reason: str
    decided_by: str | None
    at: str | None


class DisputeOut(Schema):
    id: str
    order: str
    buyer: str
    seller: str
    reason: str
    description: str
    status: str
    held: MoneyIO
    created_at: str
    answer_due_at: str
    seller_answered_at: str | None
    deadline_at: str | None
    offer: OfferOut | None
    return_shipment: ReturnOut | None
    escalated_at: str | None
    escalated_by: str | None
    resolution: DisputeDecisionOut | None
    messages: list[DisputeMessageOut]
    events: list[EventOut]


class DisputeRow(Schema):
    id: str
    order: str
    buyer: str
    seller: str
    reason: str
    status: str
    deadline_at: str | None
    escalated_by: str | None
    created_at: str


class DisputePage(Schema):
    items: list[DisputeRow]
    next_cursor: str | None


# --- output ----------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return iso_utc(value) if value else None


def evidence_url(evidence: Evidence) -> str:
    """The API serves the photo to parties and arbitrators (a bearer token or the page's session)."""
    return f"/api/v1/disputes/{evidence.dispute_id}/evidence/{evidence.pk}"


def evidence_out(evidence: Evidence) -> dict[str, Any]:
    return {
        "id": evidence.pk,
        "url": evidence_url(evidence),
        "width": evidence.width,
        "height": evidence.height,
        "message": evidence.message_id,
        "created_at": iso_utc(evidence.created_at),
    }


def message_out(message: DisputeMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "author": message.author_id,
        "role": message.role,
        "text": message.text,
        "redacted": list(message.redacted or []),
        "attachments": [evidence_out(e) for e in message.attachments.all()],
        "created_at": iso_utc(message.created_at),
    }


def dispute_out(dispute: Dispute, *, viewer: User) -> dict[str, Any]:
    currency = dispute.currency
    offer = None
    if dispute.offer_refund_minor is not None:
        offer = {
            "refund": Money(dispute.offer_refund_minor, currency).as_dict(),
            "return_required": dispute.offer_return_required,
            "offered_at": _iso(dispute.offered_at),
        }
    returned = None
    if dispute.return_tracking_number:
        returned = {
            "carrier": dispute.return_carrier,
            "tracking_number": dispute.return_tracking_number,
            "shipped_at": _iso(dispute.return_shipped_at),
            "received_at": _iso(dispute.return_received_at),
        }
    resolution = None
    if dispute.outcome:
        resolution = {
            "outcome": dispute.outcome,
            "refund": Money(dispute.refund_minor, currency).as_dict() if dispute.refund_minor else None,
            "reason": resolution_text(dispute),
            # Which arbitrator decided is the platform's business; the parties see the reason.
            "decided_by": dispute.decided_by_id if party_of(dispute, viewer) == "arbitrator" else None,
            "at": _iso(dispute.resolved_at),
        }
    return {
        "id": dispute.pk,
        "order": dispute.order_id,
        "buyer": dispute.buyer_id,
        "seller": dispute.seller_id,
        "reason": dispute.reason,
        "description": dispute.description,
        "status": dispute.status,
        "held": services.held(dispute).as_dict(),
        "created_at": iso_utc(dispute.created_at),
        "answer_due_at": iso_utc(dispute.answer_due_at),
        "seller_answered_at": _iso(dispute.seller_answered_at),
        "deadline_at": _iso(dispute.deadline_at),
        "offer": offer,
        "return_shipment": returned,
        "escalated_at": _iso(dispute.escalated_at),
        "escalated_by": dispute.escalated_by or None,
        "resolution": resolution,
        "messages": [message_out(m) for m in dispute.messages.prefetch_related("attachments")],
        "events": [
            {
                "at": iso_utc(e.at),
                "actor": e.actor_id,
                "from": e.from_state,
                "to": e.to_state,
                "note": note_text(e.note),
            }
            for e in dispute.events.order_by("at", "id")
        ],
    }


def _fresh(request: HttpRequest, dispute_id: str) -> dict[str, Any]:
    user = api_user(request)
    return dispute_out(selectors.access_dispute(user=user, dispute_id=dispute_id), viewer=user)


# --- parties ---------------------------------------------------------------------------------


@router.post("/orders/{order_id}/disputes", response={201: DisputeOut, **errors(403, 404, 409)}, by_alias=True)
def dispute_open(request: HttpRequest, order_id: str, payload: DisputeIn) -> Status[Any]:
    user = api_user(request)
    dispute = services.dispute_open(
        buyer=user, order_id=order_id, reason=payload.reason, description=payload.description
    )
    return Status(201, _fresh(request, dispute.pk))


@router.get("/orders/{order_id}/dispute", response={200: DisputeOut, **errors(404)}, by_alias=True)
def dispute_of_order(request: HttpRequest, order_id: str) -> dict[str, Any]:
    user = api_user(request)
    return dispute_out(selectors.dispute_for_order(user=user, order_id=order_id), viewer=user)


@router.get("/disputes/{dispute_id}", response={200: DisputeOut, **errors(404)}, by_alias=True)
def dispute_get(request: HttpRequest, dispute_id: str) -> dict[str, Any]:
    return _fresh(request, dispute_id)


@router.post("/disputes/{dispute_id}/messages", response={201: DisputeMessageOut, **errors(404, 409)})
def dispute_message(request: HttpRequest, dispute_id: str, payload: DisputeMessageIn) -> Status[Any]:
    message = services.dispute_message(
        user=api_user(request), dispute_id=dispute_id, text=payload.text, attachments=payload.attachments
    )
    return Status(201, message_out(message))


@router.post("/disputes/{dispute_id}/evidence", response={201: EvidenceOut, **errors(404, 409)})
def evidence_upload(request: HttpRequest, dispute_id: str, image: File[UploadedFile]) -> Status[Any]:
    """A photo (multipart ``image``), EXIF stripped; send it with a message's ``attachments``."""
    evidence = services.evidence_upload(user=api_user(request), dispute_id=dispute_id, upload=image)
    return Status(201, evidence_out(evidence))


@router.get(
    "/disputes/{dispute_id}/evidence/{evidence_id}",
    response={200: None, **errors(404)},
    openapi_extra={"responses": {200: {"description": "The photo (JPEG)", "content": {"image/jpeg": {}}}}},
)
def evidence_get(request: HttpRequest, dispute_id: str, evidence_id: str) -> HttpResponseBase:
    evidence = selectors.access_evidence(user=api_user(request), dispute_id=dispute_id, evidence_id=evidence_id)
    return evidence_response(evidence)


def evidence_response(evidence: Evidence) -> HttpResponseBase:
    return file_response(evidence.image.open("rb"), content_type="image/jpeg", filename=f"{evidence.pk}.jpg")


@router.post("/disputes/{dispute_id}/offer", response={200: DisputeOut, **errors(403, 404, 409)}, by_alias=True)
def dispute_offer(request: HttpRequest, dispute_id: str, payload: OfferIn) -> dict[str, Any]:
    refund = parse_money(payload.refund.model_dump(), field="refund")
    services.dispute_offer(
        user=api_user(request), dispute_id=dispute_id, refund=refund, return_required=payload.return_required
    )
    return _fresh(request, dispute_id)


@router.post("/disputes/{dispute_id}/accept", response={200: DisputeOut, **errors(403, 404, 409)}, by_alias=True)
def dispute_accept(request: HttpRequest, dispute_id: str) -> dict[str, Any]:
    services.dispute_accept(user=api_user(request), dispute_id=dispute_id)
    return _fresh(request, dispute_id)


@router.post("/disputes/{dispute_id}/escalate", response={200: DisputeOut, **errors(403, 404, 409)}, by_alias=True)
def dispute_escalate(request: HttpRequest, dispute_id: str, payload: EscalateIn | None = None) -> dict[str, Any]:
    services.dispute_escalate(user=api_user(request), dispute_id=dispute_id, note=payload.note if payload else "")
    return _fresh(request, dispute_id)


@router.post("/disputes/{dispute_id}/withdraw", response={200: DisputeOut, **errors(403, 404, 409)}, by_alias=True)
def dispute_withdraw(request: HttpRequest, dispute_id: str) -> dict[str, Any]:
    """The buyer drops the dispute: the order completes and the seller is paid."""
    services.dispute_withdraw(user=api_user(request), dispute_id=dispute_id)
    return _fresh(request, dispute_id)


@router.post("/disputes/{dispute_id}/return", response={200: DisputeOut, **errors(403, 404, 409)}, by_alias=True)
def dispute_return_ship(request: HttpRequest, dispute_id: str, payload: ReturnIn) -> dict[str, Any]:
    """The buyer sent the item back: carrier and tracking number."""
    services.dispute_return_ship(
        user=api_user(request), dispute_id=dispute_id, carrier=payload.carrier, tracking_number=payload.tracking_number
    )
    return _fresh(request, dispute_id)


@router.post(
    "/disputes/{dispute_id}/return/received", response={200: DisputeOut, **errors(403, 404, 409)}, by_alias=True
)
def dispute_return_received(request: HttpRequest, dispute_id: str) -> dict[str, Any]:
    """The seller has the item back: the offered refund goes out."""
    services.dispute_return_received(user=api_user(request), dispute_id=dispute_id)
    return _fresh(request, dispute_id)


# --- arbitrators -----------------------------------------------------------------------------


def row_out(dispute: Dispute) -> dict[str, Any]:
    return {
        "id": dispute.pk,
        "order": dispute.order_id,
        "buyer": dispute.buyer_id,
        "seller": dispute.seller_id,
        "reason": dispute.reason,
        "status": dispute.status,
        "deadline_at": _iso(dispute.deadline_at),
        "escalated_by": dispute.escalated_by or None,
        "created_at": iso_utc(dispute.created_at),
    }


@staff_router.get("/disputes", response={200: DisputePage, **errors(403)})
def staff_disputes(
    request: HttpRequest, status: str | None = None, cursor: str | None = None, limit: int | None = Query(None)
) -> dict[str, Any]:
    """Arbitrators: disputes ordered by deadline, soonest first (default: escalated ones;
    ``status=active`` for every open one, or any single status)."""
    queryset = selectors.staff_disputes(staff=api_user(request), status=status)
    page = paginate_by_offset(queryset, cursor=cursor, limit=limit)
    return {"items": [row_out(d) for d in page.items], "next_cursor": page.next_cursor}


@staff_router.post(
    "/disputes/{dispute_id}/decision", response={200: DisputeOut, **errors(403, 404, 409)}, by_alias=True
)
def dispute_decision(request: HttpRequest, dispute_id: str, payload: DisputeDecisionIn) -> dict[str, Any]:
    refund = parse_money(payload.refund.model_dump(), field="refund") if payload.refund else None
    services.dispute_decide(
        arbitrator=api_user(request),
        dispute_id=dispute_id,
        outcome=payload.outcome,
        refund=refund,
        reason=payload.reason,
        request=request,
    )
    return _fresh(request, dispute_id)

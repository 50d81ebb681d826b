"""Identity verification endpoints (API.md: POST /me/verification, staff decision)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from shiji.api.auth import api_user
from shiji.api.openapi import errors
from shiji.api.pagination import paginate_by_id
from shiji.core.downloads import file_response
from shiji.core.errors import NotFound
from shiji.core.time import iso_utc
from shiji.identity import selectors, services
from shiji.identity.models import VerificationRequest
from shiji.identity.schemas import (
    DecisionIn,
    MyVerificationOut,
    StaffVerificationOut,
    StaffVerificationPage,
    SubmittedOut,
)

me_router = Router()
staff_router = Router()


def staff_out(verification: VerificationRequest) -> dict[str, Any]:
    return {
        "id": verification.id,
        "status": verification.status,
        "user_id": verification.user_id,
        "display_name": verification.user.display_name,
        "country": verification.user.country,
        "legal_name": verification.legal_name,
        "document_type": verification.document_type,
        "document_last4": verification.document_last4,
        "submitted_at": iso_utc(verification.created_at),
        "decided_at": iso_utc(verification.decided_at),
        "reason": verification.reason,
        "document_url": reverse("api:identity_document", args=[verification.id]),
    }


@me_router.post("/verification", response={202: SubmittedOut, **errors(409, 429)})
def verification_submit(
    request: HttpRequest,
    legal_name: Form[str],
    document_type: Form[str],
    document_number: Form[str],
    document_image: File[UploadedFile],
) -> Status[Any]:
    with transaction.atomic(durable=True):
        verification = services.verification_submit(
            user=api_user(request),
            legal_name=legal_name,
            document_type=document_type,
            document_number=document_number,
            document_image=document_image,
        )
    return Status(202, {"id": verification.id, "status": verification.status})


@me_router.get("/verification", response={200: MyVerificationOut, **errors(404)})
def verification_mine(request: HttpRequest) -> dict[str, Any]:
    user = api_user(request)
    verification = selectors.verification_latest(user=user)
    if verification is None:
        raise NotFound(_("You have not submitted an identity document yet."))
    return {
        "id": verification.id,
        "status": verification.status,
        "document_type": verification.document_type,
        "document_last4": verification.document_last4,
        "reason": verification.reason,
        "submitted_at": iso_utc(verification.created_at),
        "decided_at": iso_utc(verification.decided_at),
        "verification_level": user.verification_level,
    }


@staff_router.get("/verifications", response={200: StaffVerificationPage, **errors(403)})
def verification_queue(
    request: HttpRequest, status: str = "pending", cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    queryset = selectors.verification_queue(reviewer=api_user(request), status=status or None)
    page = paginate_by_id(queryset, cursor=cursor, limit=limit, newest_first=False)
    return {"items": [staff_out(v) for v in page.items], "next_cursor": page.next_cursor}


@staff_router.get("/verifications/{verification_id}", response={200: StaffVerificationOut, **errors(403, 404)})
def verification_detail(request: HttpRequest, verification_id: str) -> dict[str, Any]:
    verification = selectors.access_verification_for_staff(reviewer=api_user(request), verification_id=verification_id)
    return staff_out(verification)


@staff_router.get(
    "/verifications/{verification_id}/document",
    url_name="identity_document",
    response={200: None, **errors(403, 404)},
    openapi_extra={"responses": {200: {"description": "The document image (JPEG)", "content": {"image/jpeg": {}}}}},
)
def verification_document(request: HttpRequest, verification_id: str) -> HttpResponseBase:
    content = services.verification_document_read(
        reviewer=api_user(request), verification_id=verification_id, request=request
    )
    return file_response(content, content_type="image/jpeg", filename=f"{verification_id}.jpg")


@staff_router.post(
    "/verifications/{verification_id}/decision", response={200: StaffVerificationOut, **errors(403, 404, 409)}
)
def verification_decision(request: HttpRequest, verification_id: str, payload: DecisionIn) -> dict[str, Any]:
    with transaction.atomic(durable=True):
        verification = services.verification_decide(
            reviewer=api_user(request),
            verification_id=verification_id,
            approve=payload.approve,
            reason=payload.reason,
            request=request,
        )
    return staff_out(verification)

"""Writes of the identity domain: submit a document, decide it, open it (audited)."""

from __future__ import annotations

import re
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.accounts.roles import Role, require_role
from shiji.accounts.services import user_raise_verification_level
from shiji.core.audit import audit_record
from shiji.core.errors import Forbidden, InvalidInput
from shiji.core.images import image_clean
from shiji.core.jobs import enqueue_on_commit
from shiji.core.ratelimit import ratelimit_hit
from shiji.core.states import transition
from shiji.identity import tasks
from shiji.identity.errors import AlreadyVerified, VerificationPending
from shiji.identity.models import VerificationEvent, VerificationRequest
from shiji.identity.selectors import access_verification_for_staff
from shiji.identity.signals import identity_verified
from shiji.identity.states import TRANSITIONS, DocumentType, Level, VerificationStatus

_DOC_NUMBER_RE = re.compile(r"^[A-Za-z0-9]{4,30}$")


def private_storage() -> Storage:
    return storages["private"]


def _check_legal_name(name: object) -> str:
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 200:
        raise InvalidInput(
            _("Enter your legal name as on the document."), fields={"legal_name": [_("1 to 200 characters.")]}
        )
    return name.strip()


def _document_last4(number: object) -> str:
    compact = re.sub(r"[\s\-]", "", number) if isinstance(number, str) else ""
    if not _DOC_NUMBER_RE.match(compact):
        raise InvalidInput(
            _("Enter the document number (4 to 30 letters or digits)."),
            fields={"document_number": [_("4 to 30 letters or digits.")]},
        )
    return compact[-4:].upper()


def verification_submit(
    *, user: User, legal_name: str, document_type: str, document_number: str, document_image: IO[bytes]
) -> VerificationRequest:
    """Store a verification request; only the number's last 4 characters are kept.

    Every check (fields, image) runs before anything is written.
    """
    if user.verification_level >= Level.IDENTITY:
        raise AlreadyVerified()
    if VerificationRequest.objects.filter(user=user, status=VerificationStatus.PENDING).exists():
        raise VerificationPending()
    name = _check_legal_name(legal_name)
    if document_type not in DocumentType.values:
        raise InvalidInput(_("Unknown document type."), fields={"document_type": [", ".join(DocumentType.values)]})
    last4 = _document_last4(document_number)
    clean = image_clean(document_image, field="document_image", max_side=3000)
    ratelimit_hit(scope="verification", key=user.id, limit=5, window_seconds=86400)

    request = VerificationRequest(user=user, legal_name=name, document_type=document_type, document_last4=last4)
    storage = private_storage()
    path = storage.save(f"verifications/{request.id}.{clean.extension}", ContentFile(clean.content))
    request.document_path = path
    try:
        with transaction.atomic():
            request.save(force_insert=True)
            VerificationEvent.objects.create(subject=request, actor=user, from_state="", to_state=request.status)
            audit_record(action="identity.submitted", actor=user, target=request)
    except IntegrityError as exc:  # a concurrent submission won the one-pending slot
        storage.delete(path)
        raise VerificationPending() from exc
    except BaseException:
        storage.delete(path)
        raise
    return request


def verification_decide(
    *, reviewer: User, verification_id: str, approve: bool, reason: str, request: HttpRequest | None = None
) -> VerificationRequest:
    """An identity reviewer approves (level 0 → 1) or rejects (with a reason the user sees)."""
    require_role(reviewer, Role.IDENTITY_REVIEWER)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise InvalidInput(_("Say why the document is rejected."), fields={"reason": [_("Required when rejecting.")]})
    if len(reason) > 2000:
        raise InvalidInput(_("The reason is too long."), fields={"reason": [_("At most 2000 characters.")]})
    with transaction.atomic():
        verification = access_verification_for_staff(
            reviewer=reviewer, verification_id=verification_id, for_update=True
        )
        if verification.user_id == reviewer.id:
            raise Forbidden(_("Nobody may decide their own identity document."))
        to = VerificationStatus.APPROVED if approve else VerificationStatus.REJECTED
        transition(
            verification,
            to=to,
            table=TRANSITIONS,
            event_model=VerificationEvent,
            actor=reviewer,
            note=reason,
            updates={"decided_at": timezone.now(), "reviewer": reviewer, "reason": reason},
        )
        if approve:
            user_raise_verification_level(user_id=verification.user_id, level=Level.IDENTITY)
            identity_verified.send(sender=VerificationRequest, user=verification.user, verification_id=verification.pk)
        audit_record(
            action=f"identity.{to}",
            actor=reviewer,
            target=verification,
            data={"user": verification.user_id, "reason": reason},
            request=request,
        )
        enqueue_on_commit(tasks.verification_decided_notify, verification.id)
    return verification


def verification_document_read(*, reviewer: User, verification_id: str, request: HttpRequest | None = None) -> bytes:
    """The document image for an identity reviewer; every opening is logged (staff access to PII)."""
    verification = access_verification_for_staff(reviewer=reviewer, verification_id=verification_id)
    with private_storage().open(verification.document_path, "rb") as handle:
        content: bytes = handle.read()
    audit_record(action="identity.document_viewed", actor=reviewer, target=verification, request=request)
    return content

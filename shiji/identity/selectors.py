"""Reads of the identity domain. Staff reads go through ``access_verification_for_staff``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.accounts.roles import Role, require_role
from shiji.core.errors import NotFound
from shiji.identity.models import VerificationRequest


def verification_latest(*, user: User) -> VerificationRequest | None:
    return VerificationRequest.objects.filter(user=user).order_by("-created_at", "-id").first()


def verification_queue(*, reviewer: User, status: str | None = "pending") -> QuerySet[VerificationRequest]:
    require_role(reviewer, Role.IDENTITY_REVIEWER)
    queryset = VerificationRequest.objects.select_related("user")
    return queryset.filter(status=status) if status else queryset


def access_verification_for_staff(
    *, reviewer: User, verification_id: str, for_update: bool = False
) -> VerificationRequest:
    require_role(reviewer, Role.IDENTITY_REVIEWER)
    queryset = VerificationRequest.objects.select_related("user")
    if for_update:
        queryset = queryset.select_for_update()
    verification = queryset.filter(pk=verification_id).first()
    if verification is None:
        raise NotFound(_("No such verification request."))
    return verification

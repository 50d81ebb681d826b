"""Accounts endpoints (API.md "Accounts"): parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Status

from shiji.accounts import selectors, services
from shiji.accounts.models import User
from shiji.accounts.roles import user_roles
from shiji.accounts.schemas import (
    EmailConfirmIn,
    MeOut,
    PasswordResetConfirmIn,
    PasswordResetIn,
    ProfilePatchIn,
    PublicUserOut,
    RegisterIn,
    RegisterOut,
    StatusOut,
    TokenIn,
    TokenOut,
)
from shiji.api.auth import api_user
from shiji.api.openapi import errors
from shiji.core.audit import client_ip
from shiji.core.ratelimit import ratelimit_hit
from shiji.core.time import iso_utc
from shiji.reputation.selectors import reputation_for

auth_router = Router()
me_router = Router()
users_router = Router()


def me_out(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "country": user.country,
        "languages": user.languages,
        "language": user.language,
        "currency": user.currency,
        "timezone": user.timezone,
        "bio": user.bio,
        "interests": user.interests,
        "verification_level": user.verification_level,
        "service_score": user.service_score,
        "reliable": user.reliable,
        "email_confirmed": user.email_confirmed_at is not None,
        "roles": user_roles(user),
    }


def _ip(request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


@auth_router.post("/register", auth=None, response={201: RegisterOut, **errors(409, 429)})
def register(request: HttpRequest, payload: RegisterIn) -> Status[Any]:
    ratelimit_hit(scope="register", key=_ip(request), limit=20, window_seconds=3600)
    with transaction.atomic(durable=True):
        user = services.user_register(**payload.dict(), ip=client_ip(request))
        token = services.token_create(user=user)
    return Status(201, {"user": me_out(user), "token": token})


@auth_router.post("/token", auth=None, response={200: TokenOut, **errors(401, 429)})
def token(request: HttpRequest, payload: TokenIn) -> dict[str, str]:
    ratelimit_hit(scope="token", key=_ip(request), limit=120, window_seconds=60)
    user = services.credentials_check(request=request, email=payload.email, password=payload.password)
    return {"token": services.token_create(user=user)}


@auth_router.post("/logout", response={204: None})
def logout(request: HttpRequest) -> Status[Any]:
    key = getattr(request, "auth_token", None)
    if key:
        services.token_revoke(key=key)
    return Status(204, None)


@auth_router.post("/password-reset", auth=None, response={202: StatusOut, **errors(429)})
def password_reset(request: HttpRequest, payload: PasswordResetIn) -> Status[Any]:
    ratelimit_hit(scope="password-reset", key=_ip(request), limit=10, window_seconds=3600)
    services.password_reset_request(email=payload.email)
    return Status(202, {"status": "sent"})


@auth_router.post("/password-reset/confirm", auth=None, response={200: StatusOut, **errors(429)})
def password_reset_confirm(request: HttpRequest, payload: PasswordResetConfirmIn) -> dict[str, str]:
    ratelimit_hit(scope="password-reset-confirm", key=_ip(request), limit=20, window_seconds=3600)
    services.password_reset_confirm(uid=payload.uid, token=payload.token, new_password=payload.new_password)
    return {"status": "ok"}


@auth_router.post("/confirm-email", auth=None, response={200: StatusOut})
def confirm_email(request: HttpRequest, payload: EmailConfirmIn) -> dict[str, str]:
    services.email_confirm(token=payload.token)
    return {"status": "confirmed"}


@me_router.get("", response=MeOut)
def me(request: HttpRequest) -> dict[str, Any]:
    return me_out(api_user(request))


@me_router.patch("", response=MeOut)
def me_update(request: HttpRequest, payload: ProfilePatchIn) -> dict[str, Any]:
    user = services.user_update_profile(user=api_user(request), changes=payload.dict(exclude_unset=True))
    return me_out(user)


@users_router.get("/{user_id}", auth=None, response={200: PublicUserOut, **errors(404)})
def user_public(request: HttpRequest, user_id: str) -> dict[str, Any]:
    user = selectors.user_get_public(user_id=user_id)
    reputation = reputation_for(user)
    return {
        "id": user.id,
        "display_name": user.display_name,
        "country": user.country,
        "verification_level": user.verification_level,
        "service_score": user.service_score,
        "reliable": user.reliable,
        "rating": reputation.rating.as_dict(),
        "completed_sales": user.completed_sales,
        "rating_as_seller": reputation.as_seller.as_dict(),
        "rating_as_buyer": reputation.as_buyer.as_dict(),
        "on_time_rate": float(reputation.on_time_rate) if reputation.on_time_rate is not None else None,
        "dispute_rate": float(reputation.dispute_rate),
        "bio": user.bio,
        "languages": user.languages,
        "member_since": iso_utc(user.date_joined),
    }

"""Writes of the accounts domain: registration, tokens, login checks, profile, passwords."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from shiji.accounts import tasks
from shiji.accounts.errors import BadCredentials, BadToken, EmailTaken, WeakPassword
from shiji.accounts.models import ApiToken, User
from shiji.accounts.roles import Role
from shiji.core.audit import audit_record
from shiji.core.errors import InvalidInput, RateLimited
from shiji.core.geo import check_country, check_language, check_time_zone, default_time_zone
from shiji.core.ids import looks_like_id
from shiji.core.jobs import enqueue_on_commit
from shiji.core.money import check_supported_currency
from shiji.risk.engine import RiskPoint, risk_evaluate

TOKEN_PREFIX = "shj_"  # noqa: S105 - a public prefix, not a secret  # nosec B105
EMAIL_CONFIRM_SALT = "shiji.accounts.email-confirm"
EMAIL_CONFIRM_MAX_AGE = 60 * 60 * 24 * 7
MAX_INTERESTS = 20


def normalize_email(raw: object) -> str:
    if not isinstance(raw, str):
        raise InvalidInput(_("Enter a valid e-mail address."), fields={"email": [_("Enter a valid e-mail address.")]})
    email = raw.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(
            _("Enter a valid e-mail address."), fields={"email": [_("Enter a valid e-mail address.")]}
        ) from exc
    return email


def _check_display_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 60:
        raise InvalidInput(
            _("Enter a display name of 1 to 60 characters."), fields={"display_name": [_("1 to 60 characters.")]}
        )
    return name.strip()


def _check_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise WeakPassword(_("Choose a stronger password."), fields={"password": list(exc.messages)}) from exc


# --- registration and tokens ---------------------------------------------------------------


def user_register(
    *,
    email: str,
    password: str,
    display_name: str,
    country: str,
    language: str,
    currency: str,
    ip: str | None = None,
) -> User:
    """Create an account at verification level 0 and send the e-mail confirmation. ``ip`` is the
    client's address, for the risk rules (accounts per network; a "review" lets the account work)."""
    user = User(
        email=normalize_email(email),
        display_name=_check_display_name(display_name),
        country=check_country(country),
        language=check_language(language),
        currency=check_supported_currency(currency),
    )
    user.timezone = default_time_zone(user.country)
    user.languages = [user.language]
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError as exc:
        raise EmailTaken() from exc
    risk_evaluate(RiskPoint.REGISTRATION, user=user, inputs={"country": user.country}, subject=user, ip=ip)
    enqueue_on_commit(tasks.email_confirmation_send, user.id)
    return user


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user: User) -> str:
    """Issue a bearer token; only its hash is stored, so this is the only time it is seen."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=_hash_token(key),
        expires_at=timezone.now() + timedelta(days=settings.SHIJI_TOKEN_TTL_DAYS),
    )
    return key


def token_user(key: str) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, expired, inactive)."""
    if not key.startswith(TOKEN_PREFIX) or len(key) > 100:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(key), expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(*, key: str) -> None:
    ApiToken.objects.filter(key_hash=_hash_token(key)).delete()


def credentials_check(*, request: HttpRequest, email: str, password: str) -> User:
    """Authenticate an e-mail/password pair, counting failures per (account, IP).

    Raises ``BadCredentials`` (401) or, once the pair is locked out, ``RateLimited`` (429) —
    also for the right password until the cool-off has passed.
    """
    email = email.strip().lower() if isinstance(email, str) else ""
    user = authenticate(request, username=email, password=password)
    if getattr(request, "axes_locked_out", False):
        request.axes_locked_out = False  # type: ignore[attr-defined]  # this response already says so
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        raise RateLimited(
            _("Too many failed sign-in attempts. Try again in %(minutes)s minutes.") % {"minutes": minutes},
            retry_after=int(settings.AXES_COOLOFF_TIME.total_seconds()),
        )
    if user is None or not isinstance(user, User):
        raise BadCredentials()
    return user


# --- profile ---------------------------------------------------------------------------------

PROFILE_FIELDS = ("display_name", "language", "currency", "timezone", "bio", "interests", "languages")


def user_update_profile(*, user: User, changes: dict[str, Any]) -> User:
    """Apply a partial profile update; every field is validated before anything is saved."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields."), fields={name: [_("Cannot be changed here.")] for name in unknown})
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "display_name":
            clean[name] = _check_display_name(value)
        elif name == "language":
            clean[name] = check_language(value)
        elif name == "currency":
            clean[name] = check_supported_currency(value)
        elif name == "timezone":
            clean[name] = check_time_zone(value)
        elif name == "bio":
            if not isinstance(value, str) or len(value) > 1000:
                raise InvalidInput(_("The bio is too long."), fields={"bio": [_("At most 1000 characters.")]})
            clean[name] = value.strip()
        elif name == "interests":
            clean[name] = _clean_tags(value, field="interests")
        elif name == "languages":
            clean[name] = sorted({check_language(code, field="languages") for code in _as_list(value, "languages")})
    for name, value in clean.items():
        setattr(user, name, value)
    if clean:
        user.save(update_fields=list(clean))
    return user


def _as_list(value: object, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidInput(_("Expected a list."), fields={field: [_("Expected a list.")]})
    return value


def _clean_tags(value: object, *, field: str) -> list[str]:
    tags: list[str] = []
    for item in _as_list(value, field):
        if not isinstance(item, str) or not item.strip() or len(item.strip()) > 40:
            raise InvalidInput(
                _("Each interest is 1 to 40 characters."), fields={field: [_("1 to 40 characters each.")]}
            )
        tag = item.strip()
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_INTERESTS:
        raise InvalidInput(_("Too many interests."), fields={field: [_("At most 20.")]})
    return tags


def user_set_service_score(*, user_id: str, score: int) -> None:
    """For the trust domain: store the current score (bounded 0–100)."""
    User.objects.filter(pk=user_id).update(service_score=max(0, min(100, score)))


def user_rating_adjust(*, user_id: str, count: int, total: int) -> None:
    """For the reputation domain: add a revealed review's rating (or take a hidden one away)."""
    User.objects.filter(pk=user_id).update(
        rating_count=F("rating_count") + count, rating_total=F("rating_total") + total
    )


# --- e-mail confirmation and password reset --------------------------------------------------


def email_confirmation_token(user: User) -> str:
    return signing.dumps({"u": user.id, "e": user.email}, salt=EMAIL_CONFIRM_SALT)


def email_confirm(*, token: str) -> User:
    try:
        data = signing.loads(token, salt=EMAIL_CONFIRM_SALT, max_age=EMAIL_CONFIRM_MAX_AGE)
    except signing.BadSignature as exc:
        raise BadToken() from exc
    user = User.objects.filter(pk=data.get("u"), email=data.get("e")).first()
    if user is None:
        raise BadToken()
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return user


def password_reset_request(*, email: str) -> None:
    """Send a reset link if the address is registered. Says nothing either way (no enumeration)."""
    try:
        address = normalize_email(email)
    except InvalidInput:
        return
    user = User.objects.filter(email=address, is_active=True).first()
    if user is not None:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        enqueue_on_commit(tasks.password_reset_send, user.id, uid, token)


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    try:
        user_id = force_str(urlsafe_base64_decode(uid))
    except (ValueError, TypeError) as exc:
        raise BadToken() from exc
    if not looks_like_id(user_id, "usr"):  # decoded garbage (a NUL byte: a 500 on PostgreSQL)
        raise BadToken()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise BadToken()
    _check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        ApiToken.objects.filter(user=user).delete()  # a reset signs every device out
        audit_record(action="account.password_reset", actor=user, target=user)
    return user


# --- staff -----------------------------------------------------------------------------------


def staff_create(*, email: str, password: str, role: str, display_name: str | None = None) -> User:
    """Create or update a staff account holding ``role`` (idempotent by e-mail)."""
    if role not in {r.value for r in Role}:
        raise InvalidInput(_("Unknown role."), fields={"role": [", ".join(r.value for r in Role)]})
    address = normalize_email(email)
    with transaction.atomic():
        user = User.objects.filter(email=address).first()
        if user is None:
            user = User(
                email=address,
                display_name=display_name or address.split("@")[0],
                country=settings.SHIJI_OPERATOR_COUNTRY,
                language="en",
                currency="USD",
            )
        _check_password(password, user)
        user.set_password(password)
        user.is_staff = True
        user.is_superuser = role == Role.ADMIN
        user.save()
        group, _created = Group.objects.get_or_create(name=role)
        user.groups.add(group)
        audit_record(action="staff.role_granted", target=user, data={"role": role})
    return user


def user_raise_verification_level(*, user_id: str, level: int) -> None:
    """For the identity domain: raise (never lower) a user's verification level."""
    User.objects.filter(pk=user_id, verification_level__lt=level).update(verification_level=level)

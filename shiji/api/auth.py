"""API authentication: bearer tokens (API.md), or the browser session with CSRF for pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from shiji.accounts.models import User
from shiji.accounts.services import token_user
from shiji.core.errors import Unauthorized


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
            request.auth_token = token  # type: ignore[attr-defined]
            if "HTTP_ACCEPT_LANGUAGE" not in request.META:  # no preference sent: the profile's language
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        return user


class BrowserSession(SessionAuth):
    """The signed-in page's own scripts (htmx) call the API with the session and a CSRF token."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check guards what a signed-in session may do; without one there is nothing to
        # guard, and a client whose bearer token is bad or expired must get 401, not 403 (API.md).
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


class _Anonymous:
    """Returned by ``anonymous`` so that endpoints open to visitors still see a signed-in user."""

    def __bool__(self) -> bool:
        return True


ANONYMOUS = _Anonymous()


def anonymous(request: HttpRequest) -> _Anonymous:
    return ANONYMOUS


AUTH = [BearerToken(), BrowserSession()]
# For reads open to everyone that still personalise for a signed-in viewer (currency, country).
OPTIONAL_AUTH = [BearerToken(), BrowserSession(), anonymous]


def api_viewer(request: HttpRequest) -> User | None:
    user = getattr(request, "auth", None)
    return user if isinstance(user, User) else None


def api_user(request: HttpRequest) -> User:
    """The user an authenticated operation runs for (set by ninja's auth as ``request.auth``)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise Unauthorized(_("Sign in first: a valid bearer token is required."))
    return user

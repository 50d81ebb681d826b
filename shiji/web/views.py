"""Site-wide pages: home, language switch, and the error pages (JSON under /api/)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shiji.accounts.models import User
from shiji.accounts.services import user_update_profile
from shiji.api.errors import error_response


def home(request: HttpRequest) -> HttpResponse:
    """The home page is the market (市集): fresh listings, with an introduction for visitors."""
    from shiji.catalog.views import market_view

    return market_view(request)


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Set the UI language (cookie) and, for a signed-in user, remember it on the profile."""
    language = request.POST.get("language", "")
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
        if isinstance(request.user, User):
            user_update_profile(user=request.user, changes={"language": language})
    return response


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return error_response(status, code, message)
    return render(request, "web/pages/error.html", {"status": status, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "bad_request", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "forbidden", _("You are not allowed to see this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "not_found", _("This page does not exist."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "server_error", _("Something went wrong on our side. Please try again."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403, "csrf_failed", _("Your session expired. Reload the page and try again."))

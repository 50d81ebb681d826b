"""Account pages: thin views over the same services the API uses."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shiji.accounts import selectors, services
from shiji.accounts.forms import (
    LoginForm,
    PasswordResetConfirmForm,
    PasswordResetRequestForm,
    RegisterForm,
    SettingsForm,
)
from shiji.core.audit import client_ip
from shiji.core.errors import RateLimited, ShijiError
from shiji.core.ratelimit import ratelimit_hit
from shiji.web.forms import form_add_service_error

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.credentials_check(
                request=request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
            )
        except RateLimited as exc:
            form_add_service_error(form, exc)
            status = 429
        except ShijiError as exc:
            form_add_service_error(form, exc)
            status = 401
        else:
            login(request, user, backend=BACKEND)
            response = redirect(_safe_next(request))
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)  # the profile language applies again
            return response
    return render(request, "accounts/pages/login.html", {"form": form, "next": _safe_next(request)}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:home")


def register_view(request: HttpRequest) -> HttpResponse:
    initial = {"language": getattr(request, "LANGUAGE_CODE", "en")}
    form = RegisterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit_hit(scope="register", key=request.META.get("REMOTE_ADDR", ""), limit=20, window_seconds=3600)
            with transaction.atomic(durable=True):
                user = services.user_register(**form.cleaned_data, ip=client_ip(request))
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("Welcome to Shiji! We sent you an e-mail to confirm your address."))
            response = redirect("web:home")
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
            return response
    return render(request, "accounts/pages/register.html", {"form": form})


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    user = selectors.page_user(request)
    initial = {
        "display_name": user.display_name,
        "language": user.language,
        "currency": user.currency,
        "timezone": user.timezone,
        "bio": user.bio,
        "interests": ", ".join(user.interests),
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        changes["interests"] = [part.strip() for part in re.split(r"[,，、]", changes["interests"]) if part.strip()]
        try:
            services.user_update_profile(user=user, changes=changes)
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Your settings are saved."))
            response = redirect("accounts:settings")
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
            return response
    return render(request, "accounts/pages/settings.html", {"form": form})


def password_reset_view(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit_hit(
                scope="password-reset", key=request.META.get("REMOTE_ADDR", ""), limit=10, window_seconds=3600
            )
        except RateLimited as exc:
            form_add_service_error(form, exc)
        else:
            services.password_reset_request(email=form.cleaned_data["email"])
            messages.success(
                request, _("If an account uses this address, we have sent it a link to reset the password.")
            )
            return redirect("accounts:login")
    return render(request, "accounts/pages/password_reset.html", {"form": form})


def password_reset_confirm_view(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    form = PasswordResetConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(uid=uid, token=token, new_password=form.cleaned_data["new_password"])
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Your password has been changed. You can sign in now."))
            return redirect("accounts:login")
    return render(request, "accounts/pages/password_reset_confirm.html", {"form": form})


def confirm_email_view(request: HttpRequest) -> HttpResponse:
    try:
        services.email_confirm(token=request.GET.get("token", ""))
    except ShijiError as exc:
        return render(request, "web/pages/error.html", {"status": 400, "message": exc.message}, status=400)
    messages.success(request, _("Thank you, your e-mail address is confirmed."))
    return redirect("web:home")


def profile_view(request: HttpRequest, user_id: str) -> HttpResponse:
    try:
        person = selectors.user_get_public(user_id=user_id)
    except ShijiError:
        return render(
            request, "web/pages/error.html", {"status": 404, "message": _("This page does not exist.")}, status=404
        )
    average = selectors.user_rating_average(person)
    return render(request, "accounts/pages/profile.html", {"person": person, "rating_average": average})

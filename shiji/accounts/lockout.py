"""What a locked-out client sees: JSON 429 on the API, a page in its language elsewhere."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, *args: Any) -> HttpResponse:
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = seconds // 60
    message = _("Too many failed sign-in attempts. Try again in %(minutes)s minutes.") % {"minutes": minutes}
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"error": {"code": "rate_limited", "message": message}}, status=429)
    else:
        response = render(request, "accounts/pages/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response

"""Public user media (listing photos, avatars) served by the app itself for the embedded setup.
Private files (identity documents) live under PRIVATE_ROOT, outside MEDIA_ROOT: never here."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.static import serve


def serve_public_media(request: HttpRequest, path: str) -> HttpResponseBase:
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response

"""Public user media (listing photos, avatars) served by the app itself for the embedded setup.
Private files (identity documents, labels, evidence) live under PRIVATE_ROOT, outside
MEDIA_ROOT: never here. Headers: ``shiji.core.downloads`` (images inline, anything else
downloaded as ``application/octet-stream``, ``nosniff``, a sandboxing policy)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.static import serve

from shiji.core.downloads import file_headers


def serve_public_media(request: HttpRequest, path: str) -> HttpResponseBase:
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    file_headers(response, content_type=response.get("Content-Type"), filename=path, private=False)
    return response

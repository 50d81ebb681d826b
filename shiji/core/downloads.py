"""Serving user files — public photos, shipping labels, dispute evidence, identity documents — so
that a browser never runs them.

Every file response goes through ``file_headers``:

- ``Content-Type`` from an allowlist: the raster images the image pipeline produces are shown
  inline; PDF is downloaded; anything else (HTML, SVG, XML, text, unknown) is sent as
  ``application/octet-stream``, so an uploaded file that is really HTML or SVG is never served as
  a document a browser would render;
- ``Content-Disposition`` always, with a filename (RFC 6266, cleaned to ``[A-Za-z0-9._-]``):
  ``inline`` for those images, ``attachment`` for everything else;
- ``X-Content-Type-Options: nosniff`` (the browser must not guess HTML in a "JPEG");
- ``Content-Security-Policy: default-src 'none'; sandbox`` — opened directly, the file is a
  sandboxed, script-less document even if a browser did render it;
- private files: ``Cache-Control: private, no-store`` and ``Cross-Origin-Resource-Policy:
  same-origin`` (no other site may embed them); public photos may be cached for a day.
"""

from __future__ import annotations

import re
from typing import IO

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
DOWNLOAD_TYPES = frozenset({"application/pdf"})
FALLBACK_TYPE = "application/octet-stream"
FILE_POLICY = "default-src 'none'; sandbox"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def served_type(declared: str | None) -> tuple[str, bool]:
    """The content type to send for a file declared as ``declared``, and whether it is shown inline."""
    base = (declared or "").split(";", 1)[0].strip().lower()
    if base in INLINE_TYPES:
        return base, True
    if base in DOWNLOAD_TYPES:
        return base, False
    return FALLBACK_TYPE, False


def safe_filename(name: str) -> str:
    """``name`` without folders, reduced to ``[A-Za-z0-9._-]`` and at most 100 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip("._") or "file"
    return cleaned[-100:]


def file_headers(
    response: HttpResponseBase, *, content_type: str | None, filename: str, private: bool, download: bool = False
) -> None:
    """Set the safe-serving headers above on ``response`` (a 304 keeps its empty body's headers).
    ``download``: an attachment even when the type could be shown inline (a label to print)."""
    sent_type, inline = served_type(content_type)
    if response.status_code != 304:
        response["Content-Type"] = sent_type
        attachment = download or not inline
        disposition = content_disposition_header(attachment, safe_filename(filename))
        response["Content-Disposition"] = disposition or ("attachment" if attachment else "inline")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    if private:
        response["Cache-Control"] = "private, no-store"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
    else:
        response["Cache-Control"] = "public, max-age=86400"


def file_response(
    source: bytes | IO[bytes],
    *,
    content_type: str | None,
    filename: str,
    private: bool = True,
    download: bool = False,
) -> HttpResponseBase:
    """A response carrying ``source`` (bytes, or an open binary file that is closed when sent)."""
    response: HttpResponseBase = HttpResponse(source) if isinstance(source, bytes) else FileResponse(source)
    file_headers(response, content_type=content_type, filename=filename, private=private, download=download)
    return response

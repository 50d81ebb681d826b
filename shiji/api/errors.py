"""The one place where exceptions become the error body of API.md:
``{"error": {"code": "...", "message": "...", "fields": {...}}}``."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import (
    BadRequest,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from shiji.core.errors import RateLimited, ShijiError

logger = logging.getLogger("shiji.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}


# Django turns these into a 400 (a 413 here for the size) before any view runs; inside the API
# they would otherwise reach the catch-all handler and become a 500.
UNREADABLE_REQUEST = (MultiPartParserError, BadRequest, SuspiciousOperation)
NINJA_UNPARSABLE_BODY = "Cannot parse request body"  # ninja's message for a body that is not JSON


def error_response(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return JsonResponse({"error": body}, status=status, json_dumps_params={"ensure_ascii": False})


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja locations look like ("body", "payload", "email") or ("query", "limit").
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "form", "file", "header")]
    return ".".join(parts) or "body"


def _on_shiji_error(request: HttpRequest, exc: ShijiError) -> HttpResponse:
    response = error_response(exc.status, exc.code, str(exc.message), exc.fields or None)
    if isinstance(exc, RateLimited) and exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    if exc.status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


def _message_for(error: dict[str, Any]) -> str:
    """pydantic's error type, said in the client's language."""
    kind = str(error.get("type", ""))
    if kind == "missing":
        return _("This field is required.")
    if kind.startswith(("int_", "float_", "decimal_")):
        return _("Enter a number.")
    if kind.startswith("bool_"):
        return _("Enter true or false.")
    if kind in ("string_too_long", "too_long"):
        return _("This is too long.")
    if kind in ("string_too_short", "too_short"):
        return _("This is too short.")
    if kind.startswith("string_"):
        return _("Enter text.")
    if kind.startswith("list_"):
        return _("Enter a list.")
    if kind.startswith(("dict_", "model_")):
        return _("Enter an object.")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    return _("This value is not valid.")


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(_message_for(error))
    return error_response(422, "invalid", _("Some fields are not valid."), fields)


def _on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(401, "unauthorized", _("Sign in first: a valid bearer token is required."))
    response["WWW-Authenticate"] = "Bearer"
    return response


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = _HTTP_CODES.get(exc.status_code, "error")
    message = str(exc.message)
    if exc.status_code == 400 and message == NINJA_UNPARSABLE_BODY:
        message = _("The body is not valid JSON.")
    return error_response(exc.status_code, code, message)


def unreadable_request_response(request: HttpRequest, exc: Any) -> HttpResponse:
    """What Django answers for a body it cannot parse (a multipart body without its boundary, too
    many fields, too large), in the API's error body — not a 500."""
    if isinstance(exc, RequestDataTooBig):
        return error_response(413, "too_large", _("The request is too large."))
    return error_response(400, "bad_request", _("The request body cannot be read."))


def _on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return error_response(404, "not_found", _("Not found."))


def _on_forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
    return error_response(403, "forbidden", _("You are not allowed to do this."))


def _on_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
    logger.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "server_error", _("Something went wrong on our side. Please try again."))


def install_error_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(Exception, _on_unexpected)
    api.add_exception_handler(ShijiError, _on_shiji_error)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, _on_validation_error)  # type: ignore[arg-type]
    api.add_exception_handler(AuthenticationError, _on_auth_error)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, _on_http_error)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, _on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, _on_not_found)
    api.add_exception_handler(PermissionDenied, _on_forbidden)
    for kind in UNREADABLE_REQUEST:
        api.add_exception_handler(kind, unreadable_request_response)

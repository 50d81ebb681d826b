"""What every operation refuses before its own rules run (API.md: "JSON in and out").

ninja reads a body as JSON whatever its Content-Type says, its schemas read attributes off
whatever they are given, and no layer stopped the NUL character Django's forms refuse. The fuzz
run (``shiji/api/tests/test_fuzz.py``) found each of these:

- a JSON body labelled as a form: Django parses a form-typed body as a form wherever
  ``request.POST`` is read (the sign-in lockout reads it to record a failure), so a JSON body
  labelled ``multipart/form-data`` without a boundary reached the view and broke the first form
  read: a 500, and a failed sign-in the lockout never counted. Now 415, before anything runs;
- a JSON value that is not an object (``[]``, ``5``, ``"x"``, or ``null`` where a body is
  required) validated as an empty object, so ``PATCH /me`` with ``[null, null]`` answered 200 as
  if a change was saved. Now 422 ``invalid``, like any other field that is not an object;
- text with a NUL character reached PostgreSQL, which refuses it: a 500 on PostgreSQL only.
  Now 422 for the field (query string, JSON body, form), 404 in a path (no id contains one)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from shiji.api.errors import UNREADABLE_REQUEST, error_response, unreadable_request_response

FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
NUL = "\x00"


def _models(operation: Any, *sources: str) -> list[Any]:
    return [model for model in getattr(operation, "models", ()) if model.__ninja_param_source__ in sources]


def takes_json_body(operation: Any) -> bool:
    return bool(_models(operation, "body"))


def _has_nul(value: Any) -> bool:
    """Whether a JSON value holds a NUL character in any string, key or value."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _nul_refused(names: Iterable[str]) -> HttpResponse:
    message = _("Null characters are not allowed.")
    return error_response(422, "invalid", _("Some fields are not valid."), {name: [message] for name in names})


def _text_refusal(request: HttpRequest, path: dict[str, Any], *, forms: bool) -> HttpResponse | None:
    if any(isinstance(value, str) and NUL in value for value in path.values()):
        return error_response(404, "not_found", _("Not found."))
    fields = [name for name, values in request.GET.lists() if _has_nul(name) or _has_nul(values)]
    if forms:
        try:
            fields += [name for name, values in request.POST.lists() if _has_nul(name) or _has_nul(values)]
        except UNREADABLE_REQUEST as exc:
            return unreadable_request_response(request, exc)
    return _nul_refused(fields) if fields else None


def _json_refusal(request: HttpRequest, *, null_allowed: bool) -> HttpResponse | None:
    if request.content_type in FORM_TYPES:
        return error_response(
            415, "unsupported_media_type", _("Send the body as JSON (Content-Type: application/json).")
        )
    try:
        raw = request.body
    except UNREADABLE_REQUEST as exc:
        return unreadable_request_response(request, exc)
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None  # not JSON at all: ninja's parser answers 400
    if data is None and null_allowed:
        return None
    if not isinstance(data, dict):
        return error_response(422, "invalid", _("Some fields are not valid."), {"body": [_("Enter an object.")]})
    fields = [key for key, value in data.items() if _has_nul(key) or _has_nul(value)]
    return _nul_refused(fields) if fields else None


def inputs_checked(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A ninja "view" decorator: it wraps ``Operation.run``, so it runs before auth and parsing."""
    operation = getattr(run, "__self__", None)
    body = _models(operation, "body")
    forms = bool(_models(operation, "form", "file"))
    # An optional body (``payload: In | None = None``) may be sent as JSON null.
    null_allowed = not any(field.is_required() for model in body for field in model.model_fields.values())

    @wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = _text_refusal(request, kwargs, forms=forms)
        if refusal is None and body:
            refusal = _json_refusal(request, null_allowed=null_allowed)
        return refusal if refusal is not None else run(request, *args, **kwargs)

    return checked

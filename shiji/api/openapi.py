"""The generated OpenAPI schema, with the error answers of API.md declared.

Each endpoint declares the errors its own rules give (``response={200: Out, **errors(404, 409)}``).
The answers of the layers every operation goes through are declared here, from the operation
itself, instead of on each endpoint:

- 400 ``bad_request`` and 413 ``too_large`` on every operation that takes a body (one that cannot
  be parsed, or is over Django's size limit), 415 on those that take JSON (``shiji.api.inputs``);
- 401 ``unauthorized`` on every operation that needs a signed-in user (the auth layer);
- 422 ``invalid`` on every operation whose input validation can refuse (the schemas).

Operations open to visitors as well (``OPTIONAL_AUTH``) list the empty security requirement,
which is how OpenAPI says "no credentials needed"."""

from __future__ import annotations

from http.client import responses as reasons
from typing import Any

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from shiji.api.inputs import takes_json_body


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class ErrorOut(Schema):
    """The error body of every refusal (API.md): a stable code, a message, and per-field messages
    for validation errors."""

    error: ErrorDetail


class _ErrorResponse(Schema):
    """How ninja wraps a response model (one ``response`` field), for the shared declarations."""

    response: ErrorOut


def errors(*statuses: int) -> dict[frozenset[int], type[ErrorOut]]:
    """The error answers an endpoint gives, for its ``response=`` declaration."""
    return {frozenset(statuses): ErrorOut}


def _signs_in(operation: Operation) -> bool:
    """Whether the operation refuses visitors: it has auth and no anonymous fallback."""
    callbacks = operation.auth_callbacks
    return bool(callbacks) and all(hasattr(auth, "openapi_security_schema") for auth in callbacks)


def _takes_body(operation: Operation) -> bool:
    return any(model.__ninja_param_source__ in ("body", "form", "file") for model in operation.models)


def _takes_input(operation: Operation) -> bool:
    """Whether validation can refuse the input: any query, body or file, or a path parameter
    that is not plain text (any text fills a path segment)."""
    for model in operation.models:
        fields = model.model_fields.values()
        if model.__ninja_param_source__ != "path" and fields:
            return True
        if any(field.annotation is not str for field in fields):
            return True
    return False


class ShijiOpenAPISchema(OpenAPISchema):
    def responses(self, operation: Operation) -> dict[int, Any]:
        result = super().responses(operation)
        body = _takes_body(operation)
        shared = [
            (400, body),
            (401, _signs_in(operation)),
            (413, body),
            (415, takes_json_body(operation)),
            (422, _takes_input(operation)),
        ]
        for status, applies in shared:
            if applies and status not in result:  # an endpoint's own declaration comes first
                # typed for ninja's parameter models; a response wrapper is what ninja itself passes here
                schema = self._create_schema_from_model(_ErrorResponse, mode="serialization")[0]  # type: ignore[type-var]
                result[status] = {
                    "description": reasons[status],
                    "content": {self.api.renderer.media_type: {"schema": schema}},
                }
        return result

    def operation_security(self, operation: Operation) -> list[dict[str, Any]] | None:
        result = super().operation_security(operation)
        if result and not _signs_in(operation):
            result.append({})
        return result


class ShijiAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ShijiOpenAPISchema(self, path_prefix)

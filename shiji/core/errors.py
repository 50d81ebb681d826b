"""The one error type the API knows how to render (see ``shiji.api.errors``).

Each domain declares its codes in ``<domain>/errors.py`` as subclasses or factory functions;
the API maps them to the body of API.md: ``{"error": {"code", "message", "fields"?}}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise


class ShijiError(Exception):
    """A refusal a client can act on: a stable ``code``, a human ``message`` and a status."""

    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        status: int | None = None,
        fields: Mapping[str, Sequence[str | Promise]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.fields = {key: [str(m) for m in msgs] for key, msgs in (fields or {}).items()}


class InvalidInput(ShijiError):
    status = 422
    code = "invalid"


class NotFound(ShijiError):
    status = 404
    code = "not_found"


class Forbidden(ShijiError):
    status = 403
    code = "forbidden"


class Unauthorized(ShijiError):
    status = 401
    code = "unauthorized"


class Conflict(ShijiError):
    status = 409
    code = "conflict"


class InvalidState(Conflict):
    code = "invalid_state"


class RateLimited(ShijiError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str | Promise, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

"""Signed callbacks (API.md "Signed callbacks"): ``Shiji-Signature: t=<unix>,v1=<hex>`` where
``v1`` is HMAC-SHA256 over ``"<t>.<raw body>"`` with the sender's secret. Used by payment
providers and carriers alike; the sandbox ones sign with the same code a real sender would."""

from __future__ import annotations

import hashlib
import hmac
import time

from django.utils.translation import gettext_lazy as _

from shiji.core.errors import ShijiError

SIGNATURE_HEADER = "Shiji-Signature"
TOLERANCE_SECONDS = 300


class BadSignature(ShijiError):
    status = 400
    code = "bad_signature"

    def __init__(self) -> None:
        super().__init__(_("The callback signature is missing, wrong or too old."))


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The header value for ``body``."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={_digest(secret, t, body)}"


def verify(body: bytes, header: str | None, secret: str, *, now: float | None = None) -> None:
    """Raise ``BadSignature`` unless ``header`` signs ``body`` with ``secret`` within 5 minutes."""
    if not header or not secret:
        raise BadSignature()
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError, IndexError) as exc:
        raise BadSignature() from exc
    current = time.time() if now is None else now
    if abs(current - timestamp) > TOLERANCE_SECONDS:
        raise BadSignature()
    expected = _digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", [])):
        raise BadSignature()

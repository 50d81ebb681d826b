"""Opaque, time-ordered identifiers: ``<prefix>_<26 Crockford base32 chars>`` (a ULID).

Ids are not sequential integers (API.md), reveal nothing but a creation millisecond, and sort
by creation time, which keeps cursor pagination simple and index inserts local.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from django.db import models

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PREFIX_RE = re.compile(r"^[a-z]{2,5}$")
ID_MAX_LENGTH = 32


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """A new opaque id such as ``usr_01JD3Q6W3X8R9T2V5B7N0M4K6P``."""
    if not _PREFIX_RE.match(prefix):
        raise ValueError(f"bad id prefix {prefix!r}")
    millis = time.time_ns() // 1_000_000
    value = (millis << 80) | secrets.randbits(80)
    return f"{prefix}_{_encode(value, 26)}"


def looks_like_id(value: str, prefix: str) -> bool:
    head, sep, tail = value.partition("_")
    return bool(sep) and head == prefix and len(tail) == 26 and all(c in _ALPHABET for c in tail)


class OpaqueIdField(models.CharField):
    """A primary key holding ``new_id(prefix)``; the prefix names the kind of object."""

    def __init__(self, *args: Any, prefix: str, **kwargs: Any) -> None:
        self.prefix = prefix
        kwargs.setdefault("max_length", ID_MAX_LENGTH)
        kwargs.setdefault("primary_key", True)
        kwargs.setdefault("editable", False)
        kwargs["default"] = self._generate
        super().__init__(*args, **kwargs)

    def _generate(self) -> str:
        return new_id(self.prefix)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("default", None)
        kwargs["prefix"] = self.prefix
        return name, path, args, kwargs

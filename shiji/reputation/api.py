"""HTTP API of reputation (API.md, Trust)."""

from __future__ import annotations

from ninja import Router

from shiji.api.auth import AUTH

router = Router(auth=AUTH)
staff_router = Router(auth=AUTH)

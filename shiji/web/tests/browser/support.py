"""What the browser journeys share: running ORM code beside Playwright, the page's language,
full-page screenshots by step, and the signed carrier callback a carrier's servers would send.

Playwright's sync API keeps an asyncio loop running in the test's thread. Django refuses ORM
calls from a thread with a running loop, and ``async_to_sync`` (the WebSocket pushes sent after
commit) refuses to run in one, so the tests' own database work goes through ``orm``: it runs in
a short-lived thread of its own, which closes its connections before it ends."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections
from django.utils import timezone, translation
from playwright.sync_api import Page

from shiji.core.ids import new_id
from shiji.core.signatures import SIGNATURE_HEADER, sign
from shiji.core.time import iso_utc

T = TypeVar("T")

PASSWORD = "a long and unusual passphrase 42"


def orm(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` in a thread without an event loop; its result or its error."""

    def call() -> T:
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def tr(language: str, message: Any, **params: Any) -> str:
    """``message`` (a msgid, or a lazy label such as ``OrderStatus.PAID.label``) as the catalogue
    of ``language`` says it: what the page must show. A message the catalogue does not translate
    fails here, since the page would then show English to that reader."""
    with translation.override(language):
        text = translation.gettext(message) if isinstance(message, str) else str(message)
    if not language.startswith("en"):
        with translation.override("en"):
            english = translation.gettext(message) if isinstance(message, str) else str(message)
        assert text != english, f"no {language} translation of {english!r}"
    return text % params if params else text


def artifacts_dir() -> Path:
    """``$SHIJI_ARTIFACTS_DIR``, else ``<SHIJI_VAR_DIR or var>/artifacts/screenshots`` (ignored by git)."""
    folder = os.environ.get("SHIJI_ARTIFACTS_DIR")
    return Path(folder) if folder else Path(settings.VAR_DIR) / "artifacts" / "screenshots"


class Screenshots:
    """Full-page screenshots of one journey, numbered in the order they were taken."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
        self.taken: list[Path] = []

    def __call__(self, page: Page, step: str) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


def carrier_callback(base_url: str, tracking_number: str, status: str, location: str = "") -> dict[str, Any]:
    """What the sandbox carrier's servers do: POST one tracking event, signed with the carrier's
    shared secret, to the live server's webhook (a real HTTP request)."""
    event = {
        "id": new_id("evt"),
        "tracking_number": tracking_number,
        "status": status,
        "at": iso_utc(timezone.now()),
        "location": location,
    }
    body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310  (the live server's own http URL)
        f"{base_url}/api/v1/webhooks/carriers/sandbox",
        data=body,
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, settings.SHIJI_SANDBOX_CARRIER_SECRET),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200
        return dict(json.loads(response.read()))

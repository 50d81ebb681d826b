"""Background jobs of shipping: thin, take ids or event payloads, safe to run twice."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from huey.contrib.djhuey import db_task

from shiji.core.errors import ShijiError
from shiji.core.signatures import SIGNATURE_HEADER, sign

logger = logging.getLogger(__name__)
WEBHOOK_PATH = "/api/v1/webhooks/carriers/sandbox"


@db_task(retries=8, retry_delay=5)
def sandbox_carrier_callback_deliver(event: dict[str, Any]) -> None:
    """The sandbox carrier delivering one signed tracking callback, as its servers would: by
    HTTP when ``SHIJI_SANDBOX_CALLBACK_URL`` is set, else straight into this process's webhook
    handler. A refusal (4xx) is final; anything else is retried by the queue. Delivering the
    same event twice is harmless (the receiver records each event id once)."""
    body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
    header = sign(body, settings.SHIJI_SANDBOX_CARRIER_SECRET)
    base_url = getattr(settings, "SHIJI_SANDBOX_CALLBACK_URL", "")
    if base_url:
        request = urllib.request.Request(  # noqa: S310  (an operator-configured http(s) URL)
            f"{base_url}{WEBHOOK_PATH}",
            data=body,
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: header},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10):  # noqa: S310  # nosec B310  # http(s) only (settings)
                return
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500:
                logger.warning("sandbox carrier callback %s refused: HTTP %s", event.get("id"), exc.code)
                return
            raise
    from shiji.shipping.callbacks import carrier_callback_receive

    try:
        carrier_callback_receive(carrier="sandbox", body=body, headers={SIGNATURE_HEADER: header})
    except ShijiError as exc:
        if exc.status >= 500:
            raise
        logger.warning("sandbox carrier callback %s refused: %s", event.get("id"), exc.code)

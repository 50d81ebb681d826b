"""Background jobs of payments: thin, take ids, safe to run twice."""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from shiji.core.errors import ShijiError
from shiji.core.signatures import SIGNATURE_HEADER, sign
from shiji.payments import payouts, recovery, refunds

logger = logging.getLogger(__name__)


@db_task(retries=5, retry_delay=10)
def refund_send(refund_id: str) -> None:
    refunds.refund_send(refund_id)


@db_task(retries=5, retry_delay=10)
def payout_send(payout_id: str) -> None:
    payouts.payout_send(payout_id)


@db_periodic_task(crontab(minute="*/10"))
def payments_recover() -> dict[str, int]:
    """Every 10 minutes: book what the provider did that a crash kept from us, hand over what a
    crash kept from the provider (``payments.recovery``)."""
    return recovery.recover().as_dict()


@db_task(retries=8, retry_delay=settings.SHIJI_SANDBOX_CALLBACK_RETRY_SECONDS)
def sandbox_callback_deliver(event: dict[str, Any]) -> None:
    """The sandbox provider delivering one signed callback, as its servers would: by HTTP when
    ``SHIJI_SANDBOX_CALLBACK_URL`` is set, else straight into this process's webhook handler.
    A refusal (4xx) is final; anything else is retried by the queue."""
    body = json.dumps(event, separators=(",", ":")).encode()
    header = sign(body, settings.SHIJI_SANDBOX_PAYMENT_SECRET)
    if settings.SHIJI_SANDBOX_CALLBACK_URL:
        request = urllib.request.Request(  # noqa: S310  (an operator-configured http(s) URL)
            f"{settings.SHIJI_SANDBOX_CALLBACK_URL}/api/v1/webhooks/payments/sandbox",
            data=body,
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: header},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310  # nosec B310  # http(s) only (settings)
            return
    from shiji.payments.callbacks import callback_receive

    try:
        callback_receive(provider_name="sandbox", body=body, headers={SIGNATURE_HEADER: header})
    except ShijiError as exc:
        logger.warning("sandbox callback %s refused: %s", event.get("id"), exc.code)

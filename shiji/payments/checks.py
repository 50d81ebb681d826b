"""System check: fee and payout settings must parse (``manage.py check`` and start-up)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error

from shiji.payments.fees import check_fee_settings


def check_fees(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    return [
        Error(problem, hint="See the configuration table in the README.", id="payments.E001")
        for problem in check_fee_settings()
    ]

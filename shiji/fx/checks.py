"""System checks for the FX settings (run by ``manage.py check`` and at start-up)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ImproperlyConfigured

from shiji.fx.selectors import fx_margin


def check_fx_margin(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """``SHIJI_FX_MARGIN_PERCENT`` must be a decimal percent with ``0 <= p < 20``."""
    try:
        fx_margin()
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                hint="Set SHIJI_FX_MARGIN_PERCENT to a percent such as 1.0 (0 disables the margin).",
                id="fx.E001",
            )
        ]
    return []

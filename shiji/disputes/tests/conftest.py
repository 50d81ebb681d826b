from __future__ import annotations

from typing import Any

import pytest

from shiji.catalog.tests.factories import demo_rates


@pytest.fixture(autouse=True)
def _rates(settings: Any) -> None:
    """The rates the expected figures in ``helpers`` are computed with."""
    settings.SHIJI_FX_MARGIN_PERCENT = "1.0"
    settings.SHIJI_BUYER_FEE_PERCENT = "3.0"
    settings.SHIJI_COMMISSION_PERCENT = "8.0"
    settings.SHIJI_COMMISSION_RELIABLE_PERCENT = "6.0"
    demo_rates()

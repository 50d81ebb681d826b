from __future__ import annotations

import pytest


@pytest.fixture
def no_fx_margin(settings):  # type: ignore[no-untyped-def]
    """Prices shown at the bare mid rate, for tests about conversion and rounding arithmetic
    (with a margin, shown prices are mid × (1 + margin): see test_display_price_is_what_checkout_charges)."""
    settings.SHIJI_FX_MARGIN_PERCENT = "0"

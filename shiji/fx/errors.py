from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shiji.core.errors import InvalidInput


class RateUnavailable(InvalidInput):
    code = "fx_rate_unavailable"

    def __init__(self, base: str, quote: str) -> None:
        super().__init__(
            _("No exchange rate from %(base)s to %(quote)s is available.") % {"base": base, "quote": quote}
        )

"""Error codes of the shipping domain (rendered by the one API exception handler)."""

from __future__ import annotations

from shiji.core.errors import InvalidInput, InvalidState, ShijiError


class NoRoute(InvalidInput):
    """The service does not carry this parcel on this route (route, weight or size)."""

    code = "no_route"


class BadCarrierCallback(ShijiError):
    """A correctly signed carrier callback that cannot be applied (bad shape, unknown parcel)."""

    status = 400
    code = "bad_callback"


class AlreadyShipped(InvalidState):
    """The order already has a shipment."""


class CarrierError(ShijiError):
    """The carrier refused or could not be reached."""

    status = 502
    code = "carrier_error"

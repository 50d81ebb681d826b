from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from shiji.core.errors import NotFound
from shiji.shipping.carriers.base import CarrierAdapter


def _adapters() -> dict[str, CarrierAdapter]:
    from shiji.shipping.carriers.sandbox import SandboxCarrier

    found: dict[str, CarrierAdapter] = {}
    if settings.SHIJI_SANDBOX:
        found["sandbox"] = SandboxCarrier()
    return found


def adapter_names() -> list[str]:
    """The integrations available here; services of other carriers are not offered."""
    return sorted(_adapters())


def carrier_adapter(name: str) -> CarrierAdapter:
    adapter = _adapters().get(name)
    if adapter is None:
        raise NotFound(_("No such carrier."))
    return adapter

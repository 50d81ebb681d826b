from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from shiji.core.errors import NotFound
from shiji.payments.errors import PaymentsUnavailable
from shiji.payments.providers.base import PaymentProvider


def _providers() -> dict[str, PaymentProvider]:
    from shiji.payments.providers.sandbox import SandboxProvider

    found: dict[str, PaymentProvider] = {}
    if settings.SHIJI_SANDBOX:
        found["sandbox"] = SandboxProvider()
    return found


def provider_get(name: str) -> PaymentProvider:
    provider = _providers().get(name)
    if provider is None:
        raise NotFound(_("No such payment provider."))
    return provider


def provider_default() -> PaymentProvider:
    provider = _providers().get(settings.SHIJI_PAYMENT_PROVIDER)
    if provider is None:
        raise PaymentsUnavailable()
    return provider
